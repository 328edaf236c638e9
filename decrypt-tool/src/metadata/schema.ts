import { z } from "zod";

const text = z.string();
const optionalText = text.nullish();

/** Base64 or Base64URL text (whitespace allowed, as some writers wrap lines). */
const base64Text = z
  .string()
  .transform((value) => value.replace(/\s+/g, ""))
  .refine((value) => value.length > 0 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value), "is not Base64 text");

/** `DecryptionKeyDetails`: an object, or a JSON string holding that object. */
export const decryptionKeyDetailsSchema = z.preprocess(
  (value) => (typeof value === "string" ? parseJsonOr(value) : value),
  z.looseObject({
    DecryptionKeyType: optionalText,
    value: base64Text,
    iv: base64Text,
  }),
);

const rowCount = z.preprocess(
  (value) => (typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  z.number().int().nonnegative(),
);

/** Errors may come as text or as a list of texts; empty text, "[]" and "null" mean no error. */
const errorsField = z
  .union([text, z.array(z.unknown())])
  .nullish()
  .transform((value) => {
    if (value === null || value === undefined) return undefined;
    const joined = (Array.isArray(value) ? value.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ") : value).trim();
    return joined === "" || joined === "[]" || joined === "null" ? undefined : joined;
  });

/** `metadata/JobMetadata/Metadata.json` (Viva layout, every field of the seed's table). */
export const vivaMetadataSchema = z.looseObject({
  CopyActivityId: optionalText,
  JobSubmissionTime: optionalText,
  JobCompletionTime: optionalText,
  RequestStartDate: optionalText,
  RequestEndDate: optionalText,
  ColumnsRequested: z.union([text, z.array(text)]).nullish(),
  NumberOfRowsExtracted: rowCount.nullish(),
  DataFactoryName: optionalText,
  TenantId: optionalText,
  Errors: errorsField,
  TableName: optionalText,
  ApplicationId: optionalText,
  OfficeGeo: optionalText,
  ExtractionResultId: optionalText,
  PublicKeyVersion: optionalText,
  DecryptionKeyDetails: z.unknown().optional(),
});

/** `metadata/MoreMetadata/EncryptedDatasets/encryptionKeyDetails.json` (Graph Data Connect layout). */
export const mgdcKeyDetailsSchema = z.looseObject({
  PublicKeyVersion: optionalText,
  DecryptionKeyValue: base64Text.optional(),
  DecryptionKeyIV: base64Text.optional(),
  DecryptionKeyDetails: z.unknown().optional(),
});

export type VivaMetadataJson = z.infer<typeof vivaMetadataSchema>;
export type MgdcKeyDetailsJson = z.infer<typeof mgdcKeyDetailsSchema>;

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
