import type { TokenCredential } from "@azure/identity";
import { z } from "zod";
import { GUID_PATTERN } from "../guid";
import { libraryTerm } from "../errors";
import { usageErrorFrom } from "../usage-error";
import { KEY_TEXT_FORMS, PERSON_REPORT_TABLE, SIMULATE_LAYOUTS, SIMULATE_RSA_PADDINGS } from "./choices";

export { KEY_TEXT_FORMS, PERSON_REPORT_TABLE, SIMULATE_LAYOUTS, SIMULATE_RSA_PADDINGS };

const isoDate = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date such as 2022-09-30T00:00:00Z");

const simulateOptionsSchema = z
  .object({
    input: z.string().min(1, "is required"),
    tenantId: z.string().regex(GUID_PATTERN, "must be a GUID such as 0b7f6e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b"),
    publicKeyPem: z.union([z.string(), z.instanceof(Buffer)]),
    out: z.string().min(1, "is required"),
    parts: z.number().int("must be a whole number").min(1, "must be at least 1").max(10_000, "must be at most 10000").default(1),
    keyText: z.enum(KEY_TEXT_FORMS).default("utf16le"),
    rsaPadding: z.enum(SIMULATE_RSA_PADDINGS).default("RSA-OAEP"),
    layout: z.enum(SIMULATE_LAYOUTS).default("viva"),
    runFolder: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, "must be one folder name of letters, digits, '.', '_' or '-'")
      .optional(),
    tableName: z.string().regex(/^[A-Za-z0-9._-]+$/, "must be a table name such as VivaInsightsDataset_PersonReport_v1").default(PERSON_REPORT_TABLE),
    publicKeyVersion: z.string().regex(/^[A-Za-z0-9]{1,64}$/, "must be a key version (letters and digits)").optional(),
    requestStartDate: isoDate.optional(),
    requestEndDate: isoDate.optional(),
    applicationId: z.string().regex(GUID_PATTERN, "must be a GUID").optional(),
    dataFactoryName: z.string().min(1).default("viva-drop-simulator"),
    officeGeo: z.string().min(1).default("NAM"),
    connectionString: z.string().min(1).optional(),
    credential: z.custom<TokenCredential>((value) => typeof (value as TokenCredential | undefined)?.getToken === "function").optional(),
  })
  .refine((o) => !o.requestStartDate || !o.requestEndDate || Date.parse(o.requestStartDate) <= Date.parse(o.requestEndDate), {
    message: `must not be after ${libraryTerm("requestEndDate")}`,
    path: ["requestStartDate"],
  });

/** Options of {@link simulateDrop}; each matches a `viva-drop simulate` flag, except `signal`. */
export type SimulateOptions = z.input<typeof simulateOptionsSchema> & {
  /** Stops the run (e.g. on Ctrl-C): what was written so far is removed and simulateDrop rejects. */
  signal?: AbortSignal;
};
/** {@link SimulateOptions} after validation, with defaults filled in. */
export type ResolvedSimulateOptions = z.output<typeof simulateOptionsSchema>;

/**
 * Validates simulate options and fills in defaults.
 * @throws DropError USAGE naming the first bad option, its value and what it must be.
 */
export function resolveSimulateOptions(options: SimulateOptions): ResolvedSimulateOptions {
  const result = simulateOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  throw usageErrorFrom(result.error, options);
}
