import type { Readable } from "node:stream";
import type { ContainerClient } from "@azure/storage-blob";
import { describeAzureFailure, describeCredentialError, isCredentialError, isNoCredentialAvailable, noCredentialMessage } from "../azure-errors";
import { DropError, libraryTerm } from "../errors";
import { type BlobAuthOptions, type BlobLocation, blobServiceClientFor, parseBlobLocation, redactLocation } from "./blob-location";
import type { DropFile, DropSource, SourceReadOptions } from "./drop-source";
import { comparePaths } from "./local-source";

/** A drop (or a tenant container of drops) in Azure Blob Storage or ADLS Gen2. Never writes to it. */
export class BlobDropSource implements DropSource {
  /** The URL without its SAS signature (see {@link redactLocation}): it appears in messages. */
  readonly location: string;
  private readonly container: ContainerClient;
  private readonly prefix: string;

  constructor(location: string, options: BlobAuthOptions = {}) {
    this.location = redactLocation(location);
    const parsed: BlobLocation = parseBlobLocation(location);
    this.container = blobServiceClientFor(parsed, options).getContainerClient(parsed.containerName);
    this.prefix = parsed.prefix === "" ? "" : `${parsed.prefix}/`;
  }

  async listFiles(options: SourceReadOptions = {}): Promise<DropFile[]> {
    const files: DropFile[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix: this.prefix, includeMetadata: true, abortSignal: options.signal })) {
        // ADLS Gen2 (hierarchical namespace) lists its directories as empty marker blobs.
        if (blob.metadata?.hdi_isfolder === "true") continue;
        files.push({ path: blob.name.slice(this.prefix.length), size: blob.properties.contentLength ?? 0, version: blob.properties.etag });
      }
    } catch (error) {
      options.signal?.throwIfAborted();
      throw storageError(error, "cannot list blobs");
    }
    if (files.length === 0) throw new DropError("SOURCE_NOT_FOUND", "no blobs at this location");
    return files.sort((a, b) => comparePaths(a.path, b.path));
  }

  async openRead(path: string, options: SourceReadOptions = {}): Promise<Readable> {
    try {
      const response = await this.container.getBlobClient(this.prefix + path).download(0, undefined, { maxRetryRequests: 5, abortSignal: options.signal });
      if (!response.readableStreamBody) throw new Error("download returned no body");
      return response.readableStreamBody as Readable;
    } catch (error) {
      options.signal?.throwIfAborted();
      throw storageError(error, `cannot read ${path}`);
    }
  }
}

function storageError(error: unknown, what: string): DropError {
  if (error instanceof DropError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code;
  if (status === 404) {
    const detail = code === "ContainerNotFound" ? "container not found" : code === "BlobNotFound" ? "blob not found" : "not found";
    return new DropError("SOURCE_NOT_FOUND", `${what}: ${detail}`, { cause: error });
  }
  if (isNoCredentialAvailable(error)) {
    return new DropError("SOURCE_UNREADABLE", `${what}: ${noCredentialMessage("Azure Storage")}; or pass ${libraryTerm("connectionString")}, or a URL with a SAS token`, { cause: error });
  }
  if (isCredentialError(error)) {
    return new DropError("SOURCE_UNREADABLE", `${what}: ${describeCredentialError(error, "Azure Storage")}; or pass ${libraryTerm("connectionString")}`, { cause: error });
  }
  if (status === 403) {
    const hint = "the identity needs the Storage Blob Data Reader role, or the SAS token must allow read and list and not be expired";
    return new DropError("SOURCE_UNREADABLE", `${what}: access denied (HTTP 403${code ? ` ${code}` : ""}); ${hint}`, { cause: error });
  }
  return new DropError("SOURCE_UNREADABLE", `${what}: ${describeAzureFailure(error, "Azure Storage")}`, { cause: error });
}
