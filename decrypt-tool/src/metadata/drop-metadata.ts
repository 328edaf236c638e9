/** Which metadata layout a drop uses. */
export type MetadataLayout = "viva" | "mgdc";

/** The wrapped file key and IV of a drop. */
export interface WrappedFileKey {
  /** `DecryptionKeyType` (the service writes `File`). */
  keyType?: string;
  /** RSA ciphertext of the file key's text (256 bytes for RSA-2048). */
  wrappedKey: Buffer;
  /** AES-CBC initialization vector, 16 bytes. */
  iv: Buffer;
}

/** A drop's metadata, validated and normalized. Field names follow the seed's Metadata.json table. */
export interface DropMetadata {
  layout: MetadataLayout;
  /** Path of the metadata file that was read, relative to the drop root. */
  metadataPath: string;
  copyActivityId?: string;
  jobSubmissionTime?: string;
  jobCompletionTime?: string;
  requestStartDate?: string;
  requestEndDate?: string;
  /** ColumnsRequested as written by the service. */
  columnsRequestedText?: string;
  /** ColumnsRequested split into names (see parseColumnsRequested). */
  columnsRequested: string[];
  /** True when the split of ColumnsRequested could not be made unambiguous. */
  columnsAmbiguous: boolean;
  /** NumberOfRowsExtracted; undefined in the Graph Data Connect layout, which does not carry it. */
  rowsClaimed?: number;
  dataFactoryName?: string;
  tenantId?: string;
  /** The service's error text when the run failed; undefined when the run succeeded. */
  errors?: string;
  tableName?: string;
  applicationId?: string;
  officeGeo?: string;
  extractionResultId?: string;
  publicKeyVersion?: string;
  /** Present whenever the run did not fail. */
  fileKey?: WrappedFileKey;
}
