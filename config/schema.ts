import { z } from "zod";
import { AGGREGATION_RULE, AGGREGATION_TYPES, ISO_DATE_RULE, LOOKBACK_DAYS_RANGE, type AggregationType } from "../decrypt-tool/src/pipeline-parameters";
import { isUtcDateTime, parseInstant } from "./dates";

/** The Pulumi config namespace every setting lives in. */
export const NAMESPACE = "viva-partner";

/** Viva Insights aggregation periods (seed: "AggregationType"); `viva-drop run` validates with the same rules. */
export { AGGREGATION_TYPES, type AggregationType };

/** Kinds of principal that can run `pulumi up` (the deployer gets Key Vault Crypto Officer). */
export const PRINCIPAL_TYPES = ["User", "ServicePrincipal", "Group"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** A GUID (tenant ids, application ids). */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const isoDate = z
  .string({ error: "must be a string holding an ISO 8601 date" })
  .refine((v) => parseInstant(v) !== undefined, {
    error: ISO_DATE_RULE,
  });

/** A whole number given either as a YAML number or as the string Pulumi stores for top-level keys. */
function wholeNumber(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^-?\d+$/, { error: `must be a whole number from ${min} to ${max}` })], {
      error: `must be a whole number from ${min} to ${max}`,
    })
    .transform((v) => Number(v))
    .refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: `must be a whole number from ${min} to ${max}` });
}

const azureRegion = z.string({ error: "must be an Azure region name" }).regex(/^[a-z0-9]+$/, { error: "must be an Azure region name such as westeurope" });

const columnList = z.array(
  z.string({ error: "must be a list of column names" }).trim().min(1, { error: "must not hold an empty column name" }),
  { error: "must be a list of column names" },
);

/** One customer tenant as written under `viva-partner:tenants`. */
export const tenantSchema = z.strictObject({
  /** Customer's Entra tenant id (GUID); names the key, the container and the factory. */
  id: z.string({ error: "must be the customer's tenant GUID" }).regex(GUID, {
    error: "must be a tenant GUID such as 8f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
  }),
  /** Free text shown in outputs and tags. */
  label: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" }).optional(),
  /** Expiry of the tenant's RSA key: required by Graph Data Connect (a key without one fails the pipeline). */
  keyExpiresOn: isoDate,
  /** Bump to add a new key version; old versions stay for older drops. */
  keyRotation: wholeNumber(0, 1_000_000).optional(),
  aggregationType: z.enum(AGGREGATION_TYPES, { error: AGGREGATION_RULE }).optional(),
  /** DefaultLookbackWindowDays: how far back a run reaches when no start date is given. */
  lookbackDays: wholeNumber(LOOKBACK_DAYS_RANGE.min, LOOKBACK_DAYS_RANGE.max).optional(),
  /** Fixed extraction window start; only together with requestEndDate. */
  requestStartDate: isoDate.optional(),
  /** Fixed extraction window end; only together with requestStartDate. */
  requestEndDate: isoDate.optional(),
  /** Weekly run time on Mondays, "HH:MM" UTC. */
  triggerTime: z.string({ error: 'must be a time "HH:MM" (UTC)' }).regex(HH_MM, { error: 'must be a time "HH:MM" from 00:00 to 23:59 (UTC)' }).optional(),
  /** Also export BasicDataSet_v0.User_v1 (directory data for joins by e-mail). */
  usersDataset: z.boolean({ error: "must be true or false" }).optional(),
  /** https endpoint that receives a POST after each successful copy. */
  notifyUrl: z.string({ error: "must be an https URL" }).optional(),
  /** Audience of the factory's managed-identity token on the notification; default: the partner app's application id. */
  notifyAudience: z.string({ error: "must be a string: an application id or identifier URI" }).optional(),
  /** Azure region of the tenant's factory and storage; must map to the customer's Microsoft 365 region. */
  location: azureRegion.optional(),
  /** Keep everything but leave the weekly trigger stopped (consent pending, contract on hold). */
  paused: z.boolean({ error: "must be true or false" }).optional(),
  /** PersonReport columns the customer consented to; default: the sample's list. */
  personReportColumns: columnList.optional(),
  /** User_v1 columns the customer consented to (with usersDataset); default: the sample's list. */
  userColumns: columnList.optional(),
});

/** Every `viva-partner:*` key, before defaults and cross-field rules. */
export const rawConfigSchema = z.strictObject({
  platformStack: z
    .string({ error: "must be a stack name (stack, project/stack or org/project/stack)" })
    .regex(/^[\w.-]+(\/[\w.-]+){0,2}$/, { error: "must be a stack name (stack, project/stack or org/project/stack)" })
    .optional(),
  location: azureRegion.optional(),
  /** Regions the platform serves: one storage account each; default: [location]. */
  regions: z.array(azureRegion, { error: "must be a list of Azure regions" }).optional(),
  namePrefix: z
    .string({ error: "is required: a short lowercase prefix for every Azure name" })
    .regex(/^[a-z][a-z0-9]{1,11}$/, { error: "must be 2-12 lowercase letters and digits, starting with a letter" }),
  resourceGroupName: z.string({ error: "must be a string" }).optional(),
  storageAccountName: z.string({ error: "must be a string" }).optional(),
  vaultName: z.string({ error: "must be a string" }).optional(),
  factoryNamePrefix: z.string({ error: "must be a string" }).optional(),
  appDisplayName: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(120, { error: "must be at most 120 characters" }).optional(),
  appSecretStartDate: isoDate.optional(),
  appSecretEndDate: isoDate.optional(),
  deployerPrincipalType: z.enum(PRINCIPAL_TYPES, { error: "must be one of User, ServicePrincipal, Group" }).optional(),
  blobSoftDeleteDays: wholeNumber(1, 365).optional(),
  triggerStartTime: z
    .string({ error: "must be an ISO 8601 UTC date-time" })
    .refine(isUtcDateTime, { error: "must be an ISO 8601 UTC date-time such as 2026-01-05T00:00:00Z" })
    .optional(),
  tenants: z.array(tenantSchema, { error: "must be a list of tenants ({ id, keyExpiresOn, ... })" }).default([]),
});

export type RawTenant = z.infer<typeof tenantSchema>;
export type RawConfig = z.infer<typeof rawConfigSchema>;
