import type { z } from "zod";
import { DropError, describeError, libraryTerm } from "../errors";
import type { DropFile, DropSource } from "../source/drop-source";
import { readSmallFile } from "../source/read-small-file";
import { parseColumnsRequested } from "./columns";
import type { DropMetadata, WrappedFileKey } from "./drop-metadata";
import { decryptionKeyDetailsSchema, mgdcKeyDetailsSchema, vivaMetadataSchema, type MgdcKeyDetailsJson } from "./schema";

/** Path of the Viva layout's metadata file inside a drop. */
export const VIVA_METADATA_PATH = "metadata/JobMetadata/Metadata.json";
/** Path of the Graph Data Connect layout's key file inside a drop. */
export const MGDC_KEY_DETAILS_PATH = "metadata/MoreMetadata/EncryptedDatasets/encryptionKeyDetails.json";

/** True for files that belong to the drop's metadata rather than its data. */
export function isMetadataFile(path: string): boolean {
  return path === "metadata" || path.startsWith("metadata/");
}

/**
 * Finds, reads and validates a drop's metadata: Metadata.json (Viva layout), else
 * encryptionKeyDetails.json (Graph Data Connect layout). Does not reject failed runs; see {@link assertRunSucceeded}.
 */
export async function readDropMetadata(source: DropSource, files: DropFile[]): Promise<DropMetadata> {
  const has = (path: string): boolean => files.some((f) => f.path === path);
  const mgdc = has(MGDC_KEY_DETAILS_PATH) ? parseMgdcKeyDetails(await readSmallFile(source, MGDC_KEY_DETAILS_PATH)) : undefined;
  if (has(VIVA_METADATA_PATH)) return parseVivaMetadata(await readSmallFile(source, VIVA_METADATA_PATH), mgdc);
  if (mgdc) return mgdcOnlyMetadata(mgdc);
  throw new DropError("METADATA_MISSING", `no ${VIVA_METADATA_PATH} (nor ${MGDC_KEY_DETAILS_PATH})${nestedDropHint(files)}`);
}

// A tenant container or folder of drops given where one drop is expected: say which run folder to give.
function nestedDropHint(files: DropFile[]): string {
  const nested = files.find((f) => f.path.endsWith(`/${VIVA_METADATA_PATH}`) || f.path.endsWith(`/${MGDC_KEY_DETAILS_PATH}`));
  if (!nested) return "";
  const runFolder = nested.path.slice(0, nested.path.lastIndexOf("/metadata/"));
  return `; this holds drops in sub-folders (e.g. ${runFolder}): give one run folder, or use ${libraryTerm("listDrops")}`;
}

/** Throws `RUN_FAILED` with the service's text when the metadata reports a failed run. */
export function assertRunSucceeded(metadata: DropMetadata): void {
  if (metadata.errors !== undefined) throw new DropError("RUN_FAILED", `the service reported a failed run: ${metadata.errors}`);
}

/**
 * Validates the text of Metadata.json (a UTF-8 BOM is tolerated). `keyDetails`, from the Graph Data Connect
 * key file, supplies the file key when Metadata.json has none.
 */
export function parseVivaMetadata(content: string | Buffer, keyDetails?: MgdcKeyDetailsJson): DropMetadata {
  const json = validate(vivaMetadataSchema, parseJsonText(content, VIVA_METADATA_PATH), VIVA_METADATA_PATH);
  const errors = json.Errors;
  const columnsText = Array.isArray(json.ColumnsRequested) ? undefined : (json.ColumnsRequested ?? undefined);
  const columns = Array.isArray(json.ColumnsRequested)
    ? { columns: json.ColumnsRequested, ambiguous: false }
    : parseColumnsRequested(columnsText ?? "");
  let fileKey: WrappedFileKey | undefined;
  if (json.DecryptionKeyDetails !== undefined && json.DecryptionKeyDetails !== null && json.DecryptionKeyDetails !== "") {
    fileKey = toFileKey(validate(decryptionKeyDetailsSchema, json.DecryptionKeyDetails, `${VIVA_METADATA_PATH} DecryptionKeyDetails`), VIVA_METADATA_PATH);
  } else if (keyDetails) {
    fileKey = mgdcFileKey(keyDetails);
  }
  if (!fileKey && errors === undefined) throw new DropError("METADATA_INVALID", `${VIVA_METADATA_PATH} has no DecryptionKeyDetails`);
  return {
    layout: "viva",
    metadataPath: VIVA_METADATA_PATH,
    copyActivityId: json.CopyActivityId ?? undefined,
    jobSubmissionTime: json.JobSubmissionTime ?? undefined,
    jobCompletionTime: json.JobCompletionTime ?? undefined,
    requestStartDate: json.RequestStartDate ?? undefined,
    requestEndDate: json.RequestEndDate ?? undefined,
    columnsRequestedText: columnsText,
    columnsRequested: columns.columns,
    columnsAmbiguous: columns.ambiguous,
    rowsClaimed: json.NumberOfRowsExtracted ?? undefined,
    dataFactoryName: json.DataFactoryName ?? undefined,
    tenantId: json.TenantId ?? undefined,
    errors,
    tableName: json.TableName ?? undefined,
    applicationId: json.ApplicationId ?? undefined,
    officeGeo: json.OfficeGeo ?? undefined,
    extractionResultId: json.ExtractionResultId ?? undefined,
    publicKeyVersion: json.PublicKeyVersion ?? keyDetails?.PublicKeyVersion ?? undefined,
    fileKey,
  };
}

/** Validates the text of encryptionKeyDetails.json (Graph Data Connect layout). */
export function parseMgdcKeyDetails(content: string | Buffer): MgdcKeyDetailsJson {
  return validate(mgdcKeyDetailsSchema, parseJsonText(content, MGDC_KEY_DETAILS_PATH), MGDC_KEY_DETAILS_PATH);
}

function mgdcOnlyMetadata(details: MgdcKeyDetailsJson): DropMetadata {
  return {
    layout: "mgdc",
    metadataPath: MGDC_KEY_DETAILS_PATH,
    columnsRequested: [],
    columnsAmbiguous: false,
    publicKeyVersion: details.PublicKeyVersion ?? undefined,
    fileKey: mgdcFileKey(details),
  };
}

function mgdcFileKey(details: MgdcKeyDetailsJson): WrappedFileKey {
  if (details.DecryptionKeyValue && details.DecryptionKeyIV) {
    return toFileKey({ value: details.DecryptionKeyValue, iv: details.DecryptionKeyIV }, MGDC_KEY_DETAILS_PATH);
  }
  if (details.DecryptionKeyDetails !== undefined && details.DecryptionKeyDetails !== null) {
    return toFileKey(validate(decryptionKeyDetailsSchema, details.DecryptionKeyDetails, `${MGDC_KEY_DETAILS_PATH} DecryptionKeyDetails`), MGDC_KEY_DETAILS_PATH);
  }
  throw new DropError("METADATA_INVALID", `${MGDC_KEY_DETAILS_PATH} has no DecryptionKeyValue and DecryptionKeyIV`);
}

function toFileKey(details: { DecryptionKeyType?: string | null; value: string; iv: string }, where: string): WrappedFileKey {
  const iv = Buffer.from(details.iv, "base64");
  if (iv.length !== 16) throw new DropError("METADATA_INVALID", `${where}: the IV is ${iv.length} bytes after Base64 decoding, expected 16`);
  const fileKey: WrappedFileKey = { wrappedKey: Buffer.from(details.value, "base64"), iv };
  if (details.DecryptionKeyType) fileKey.keyType = details.DecryptionKeyType;
  return fileKey;
}

// UTF-8, with or without a BOM; UTF-16 (as some Windows tools save JSON) is recognised by its BOM.
function decodeJsonText(content: string | Buffer): string {
  if (typeof content === "string") return content;
  if (content[0] === 0xff && content[1] === 0xfe) return content.subarray(2).toString("utf16le");
  if (content[0] === 0xfe && content[1] === 0xff) return Buffer.from(content.subarray(2, content.length - (content.length % 2))).swap16().toString("utf16le");
  return content.toString("utf8");
}

function parseJsonText(content: string | Buffer, where: string): unknown {
  const text = decodeJsonText(content).replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DropError("METADATA_INVALID", `${where} is not valid JSON: ${describeError(error)}`, { cause: error });
  }
}

function validate<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? ` field ${issue.path.join(".")}` : "";
  throw new DropError("METADATA_INVALID", `${where}${field}: ${issue.message}`);
}
