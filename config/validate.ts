import type { z } from "zod";
import { lookbackRule, windowRule } from "../decrypt-tool/src/pipeline-parameters";
import { addUtcMonths, isoSeconds, parseInstant } from "./dates";
import {
  FACTORY_NAME,
  RESOURCE_GROUP_NAME,
  VAULT_NAME,
  defaultNames,
  factoryNameFor,
  type NameRule,
} from "./names";
import { personReportColumns, userColumns } from "./columns";
import { parseCalendarDuration, rotationPolicyProblem } from "./durations";
import { ConfigError } from "./errors";
import type { DatasetColumn } from "./graph-data-connect/columns";
import { checkGraphDataConnectRegion, checkServedRegion, regionalStorage, type RegionalStorage } from "./regions";
import { publicKeyFingerprint, readRsaPrivateKey } from "./rsa-key";
import {
  GUID,
  UNREADABLE_SECRET,
  rawConfigSchema,
  type AggregationType,
  type DeployerPrincipalType,
  type PrincipalType,
  type RawConfig,
  type RawReader,
  type RawTenant,
} from "./schema";

export { ConfigError };

/** A customer tenant, validated and with every default applied. */
export interface TenantConfig {
  /** Tenant GUID in lower case (Key Vault and container names are case-insensitive / lowercase). */
  id: string;
  label?: string;
  /** Explicit expiry of the key's current version; without it a version lasts `keys.lifetime`. */
  keyExpiresOn?: string;
  keyRotation: number;
  /** Take over a key of the tenant's name that already exists in the vault. */
  adoptExistingKey: boolean;
  /** The tenant's own RSA private key (PEM) to import, or {@link UNREADABLE_SECRET} in an offline plan. */
  importKeyPem?: string;
  aggregationType: AggregationType;
  lookbackDays: number;
  /** Fixed RequestStartDate/RequestEndDate pair, when configured. */
  requestWindow?: { start: string; end: string };
  /** Weekly Monday run time, UTC. */
  triggerTime: { hour: number; minute: number };
  usersDataset: boolean;
  notifyUrl?: string;
  factoryName: string;
  /**
   * Azure region of the tenant's factory and storage: its own `location`, else the stack's. Undefined
   * only in a customer stack without `location`: the platform's location then applies.
   */
  location?: string;
  /** The setting `location` comes from (`tenants[2].location` or `location`), for error messages. */
  locationField: string;
  /** Keep everything, but leave the trigger stopped. */
  paused: boolean;
  /** The PersonReport dataset's `structure`: the consented columns. */
  personReportColumns: DatasetColumn[];
  /** The users copy's `outputColumns`: the consented columns (used with usersDataset). */
  userColumns: string[];
  /** Audience of the notification's managed-identity token; undefined = the partner app's application id. */
  notifyAudience?: string;
}

/** What the platform stack owns: app, vault, storage, resource group. */
export interface PlatformSettings {
  location: string;
  resourceGroupName: string;
  /** The regions the platform serves, each with its storage account; `location`'s first. */
  storage: RegionalStorage[];
  vaultName: string;
  appDisplayName: string;
  appSecretStartDate?: string;
  appSecretEndDate: string;
  deployerPrincipalType: DeployerPrincipalType;
  blobSoftDeleteDays: number;
}

/** Lifetime and rotation policy of every tenant key (ISO 8601 durations). */
export interface KeyPolicy {
  lifetime: string;
  rotateBefore: string;
  notifyBefore: string;
}

/** An identity that reads drops: Crypto User on each tenant key, blob reader (or contributor) on each container. */
export interface ReaderConfig {
  principalId: string;
  principalType: PrincipalType;
  /** Also deletes drops: Storage Blob Data Contributor instead of Reader. */
  deletesDrops: boolean;
}

/** Single stack (platform and tenants) or a customer stack that reads the platform's outputs. */
export type Topology = { kind: "single"; platform: PlatformSettings } | { kind: "customer"; platformStack: string; location?: string };

/** The program's whole configuration after validation. */
export interface ProgramConfig {
  stack: string;
  topology: Topology;
  /** First possible trigger run; fixed so plans do not move with the clock. */
  triggerStartTime: string;
  /** Lifetime and rotation of the tenant keys. */
  keys: KeyPolicy;
  /** Identities that read drops of every tenant in the stack. */
  readers: ReaderConfig[];
  tenants: TenantConfig[];
}

/** The clock the "not in the past" rules compare with; injected so tests and plans can pin it. */
export interface ValidationContext {
  stack: string;
  now: Date;
  /**
   * True when secret values cannot be read (the offline plan): a value of {@link UNREADABLE_SECRET}
   * then passes without the rules that need its text.
   */
  unreadableSecrets?: boolean;
}

const DEFAULT_TRIGGER_START = "2026-01-05T00:00:00Z";
const DEFAULT_TRIGGER_TIME = "03:00";
const DEFAULT_LOOKBACK_DAYS = 14;
const DEFAULT_AGGREGATION: AggregationType = "Week";
/** A tenant key lasts a year; Key Vault renews it 30 days before expiry and warns 7 days before. */
export const DEFAULT_KEY_POLICY: KeyPolicy = { lifetime: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D" };

const PLATFORM_ONLY = [
  "resourceGroupName",
  "storageAccountName",
  "vaultName",
  "appDisplayName",
  "appSecretStartDate",
  "appSecretEndDate",
  "deployerPrincipalType",
  "blobSoftDeleteDays",
  "regions",
] as const;

/**
 * Validates the raw `viva-partner:*` settings and applies defaults. Throws a {@link ConfigError}
 * naming the first field that breaks a rule; nothing is declared before this returns.
 */
export function validateConfig(raw: Record<string, unknown>, ctx: ValidationContext): ProgramConfig {
  // reportInput: tells a missing value (input undefined) from a wrong one.
  const parsed = rawConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw fromZodIssue(parsed.error.issues[0]);
  const cfg = parsed.data;
  const names = defaultNames(cfg.namePrefix, ctx.stack);
  const factoryNamePrefix = cfg.factoryNamePrefix ?? names.factoryNamePrefix;

  const keys = keyPolicy(cfg);
  const tenants = validateTenants(cfg.tenants, factoryNamePrefix, cfg.factoryNamePrefix ? "factoryNamePrefix" : "namePrefix", ctx, cfg.location);
  const topology = cfg.platformStack ? customerTopology(cfg, cfg.platformStack) : { kind: "single" as const, platform: platformSettings(cfg, names, ctx.now) };
  if (topology.kind === "single") {
    // A single stack has a location (platformSettings requires it), so every tenant's is known.
    const served = topology.platform.storage.map((s) => s.location);
    for (const tenant of tenants) checkServedRegion(tenant.location ?? topology.platform.location, tenant.locationField, served);
  }
  return { stack: ctx.stack, topology, triggerStartTime: cfg.triggerStartTime ?? DEFAULT_TRIGGER_START, keys, readers: validateReaders(cfg.readers ?? []), tenants };
}

/** The stack's key lifetime and rotation policy, checked against Key Vault's limits. */
function keyPolicy(cfg: RawConfig): KeyPolicy {
  const policy: KeyPolicy = {
    lifetime: cfg.keyLifetime ?? DEFAULT_KEY_POLICY.lifetime,
    rotateBefore: cfg.keyRotateBefore ?? DEFAULT_KEY_POLICY.rotateBefore,
    notifyBefore: cfg.keyNotifyBefore ?? DEFAULT_KEY_POLICY.notifyBefore,
  };
  const problem = rotationPolicyProblem(parseCalendarDuration(policy.lifetime)!, parseCalendarDuration(policy.rotateBefore)!, parseCalendarDuration(policy.notifyBefore)!);
  if (problem) {
    const given = { keyLifetime: policy.lifetime, keyRotateBefore: policy.rotateBefore, keyNotifyBefore: policy.notifyBefore }[problem.setting];
    throw new ConfigError(problem.setting, `${problem.rule}; it is ${given}${problem.setting === "keyLifetime" ? "" : ` with keyLifetime ${policy.lifetime}`}`);
  }
  return policy;
}

function validateReaders(raws: RawReader[]): ReaderConfig[] {
  const seen = new Map<string, number>();
  return raws.map((raw, index) => {
    const principalId = raw.principalId.toLowerCase();
    const first = seen.get(principalId);
    if (first !== undefined) throw new ConfigError(`readers[${index}].principalId`, `duplicate reader ${principalId} (also readers[${first}])`);
    seen.set(principalId, index);
    return { principalId, principalType: raw.principalType ?? "ServicePrincipal", deletesDrops: raw.deletesDrops ?? false };
  });
}

function customerTopology(cfg: RawConfig, platformStack: string): Topology {
  for (const key of PLATFORM_ONLY) {
    if (cfg[key] !== undefined) throw new ConfigError(key, "is a platform setting and is not allowed when platformStack is set (the platform stack owns it)");
  }
  if (cfg.tenants.length === 0) throw new ConfigError("tenants", "a customer stack (platformStack set) needs at least one tenant");
  if (cfg.location !== undefined) checkGraphDataConnectRegion(cfg.location, "location");
  return { kind: "customer", platformStack, location: cfg.location };
}

function platformSettings(cfg: RawConfig, names: ReturnType<typeof defaultNames>, now: Date): PlatformSettings {
  if (!cfg.location) throw new ConfigError("location", "is required on a platform stack: the Azure region, e.g. westeurope");
  return {
    location: cfg.location,
    resourceGroupName: checkName(cfg.resourceGroupName ?? names.resourceGroupName, RESOURCE_GROUP_NAME, "resourceGroupName", cfg.resourceGroupName === undefined),
    storage: regionalStorage({ location: cfg.location, regions: cfg.regions, storageAccountName: cfg.storageAccountName }, names.storageAccountName),
    vaultName: checkName(cfg.vaultName ?? names.vaultName, VAULT_NAME, "vaultName", cfg.vaultName === undefined),
    appDisplayName: cfg.appDisplayName ?? `${cfg.namePrefix} Viva Insights connector`,
    ...secretDates(cfg, now),
    deployerPrincipalType: cfg.deployerPrincipalType ?? "User",
    blobSoftDeleteDays: cfg.blobSoftDeleteDays ?? 14,
  };
}

/**
 * The client secret's validity. Its end date must come from config, never from the clock: a
 * clock-derived date would differ on every run and replace the secret. `appSecretEndDate` sets it
 * directly; otherwise it is one year after `appSecretStartDate` (the default "one year").
 */
function secretDates(cfg: RawConfig, now: Date): { appSecretStartDate?: string; appSecretEndDate: string } {
  const start = cfg.appSecretStartDate === undefined ? undefined : parseInstant(cfg.appSecretStartDate)!;
  let end: number;
  let field: "appSecretEndDate" | "appSecretStartDate" = "appSecretEndDate";
  if (cfg.appSecretEndDate !== undefined) {
    end = parseInstant(cfg.appSecretEndDate)!;
  } else if (start !== undefined) {
    end = addUtcMonths(start, 12);
    field = "appSecretStartDate";
  } else {
    const suggestion = isoSeconds(addUtcMonths(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()), 12)).slice(0, 10);
    throw new ConfigError(
      "appSecretEndDate",
      `is required on a platform stack: set appSecretEndDate (e.g. ${suggestion}) or appSecretStartDate (the secret then lasts one year)`,
    );
  }
  if (start !== undefined && end <= start) throw new ConfigError("appSecretEndDate", "must be after appSecretStartDate");
  if (end <= now.getTime()) {
    throw new ConfigError(field, field === "appSecretEndDate" ? "must be in the future (the client secret would already be expired)" : "one year after it lies in the past: the client secret would already be expired");
  }
  return { appSecretStartDate: start === undefined ? undefined : isoSeconds(start), appSecretEndDate: isoSeconds(end) };
}

function validateTenants(raws: RawTenant[], factoryNamePrefix: string, prefixField: string, ctx: ValidationContext, stackLocation: string | undefined): TenantConfig[] {
  const now = ctx.now;
  const seen = new Map<string, number>();
  const keysSeen = new Map<string, number>();
  return raws.map((raw, index) => {
    const at = (field: string) => `tenants[${index}].${field}`;
    const id = raw.id.toLowerCase();
    const first = seen.get(id);
    if (first !== undefined) throw new ConfigError(at("id"), `duplicate tenant id ${id} (also tenants[${first}]): each tenant needs its own key, container and factory`);
    seen.set(id, index);

    if (raw.keyExpiresOn !== undefined && parseInstant(raw.keyExpiresOn)! <= now.getTime()) {
      throw new ConfigError(at("keyExpiresOn"), `must be in the future (${raw.keyExpiresOn} has passed): Graph Data Connect rejects expired keys`);
    }
    if (raw.importKeyPem !== undefined && !(ctx.unreadableSecrets && raw.importKeyPem === UNREADABLE_SECRET)) {
      const reading = readRsaPrivateKey(raw.importKeyPem);
      if (!reading.ok) throw new ConfigError(at("importKeyPem"), reading.reason);
      const fingerprint = publicKeyFingerprint(reading.key);
      const same = keysSeen.get(fingerprint);
      if (same !== undefined) throw new ConfigError(at("importKeyPem"), `is the same key as tenants[${same}].importKeyPem: each tenant needs its own key (duplicate keys are rejected)`);
      keysSeen.set(fingerprint, index);
    }
    const aggregationType = raw.aggregationType ?? DEFAULT_AGGREGATION;
    const lookbackDays = raw.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
    const lookbackProblem = lookbackRule(lookbackDays, aggregationType, "aggregationType");
    if (lookbackProblem) throw new ConfigError(at("lookbackDays"), lookbackProblem);
    const requestWindow = validateWindow(raw, aggregationType, at);
    if (raw.notifyUrl !== undefined) checkHttpsUrl(raw.notifyUrl, at("notifyUrl"));

    const factoryName = factoryNameFor(factoryNamePrefix, id);
    if (!FACTORY_NAME.test(factoryName)) {
      throw new ConfigError(prefixField, `gives the factory name "${factoryName}" for tenants[${index}], but ${FACTORY_NAME.rule}`);
    }
    const [hour, minute] = (raw.triggerTime ?? DEFAULT_TRIGGER_TIME).split(":").map(Number);
    if (raw.location !== undefined) checkGraphDataConnectRegion(raw.location, at("location"));
    checkNotifyAudience(raw, at);
    if (raw.userColumns !== undefined && raw.usersDataset !== true) {
      throw new ConfigError(at("userColumns"), "only applies with usersDataset: true (the users export it selects columns of)");
    }
    return {
      id,
      label: raw.label,
      keyExpiresOn: raw.keyExpiresOn,
      keyRotation: raw.keyRotation ?? 0,
      adoptExistingKey: raw.adoptExistingKey ?? false,
      importKeyPem: raw.importKeyPem,
      aggregationType,
      lookbackDays,
      requestWindow,
      triggerTime: { hour, minute },
      usersDataset: raw.usersDataset ?? false,
      notifyUrl: raw.notifyUrl,
      factoryName,
      location: raw.location ?? stackLocation,
      locationField: raw.location !== undefined ? at("location") : "location",
      paused: raw.paused ?? false,
      personReportColumns: personReportColumns(raw.personReportColumns, at("personReportColumns")),
      userColumns: userColumns(raw.userColumns, at("userColumns")),
      notifyAudience: raw.notifyAudience,
    };
  });
}

/** Seed: a fixed RequestStartDate/RequestEndDate pair must span at least one aggregation period. */
function validateWindow(raw: RawTenant, aggregation: AggregationType, at: (f: string) => string): TenantConfig["requestWindow"] {
  if (raw.requestStartDate === undefined && raw.requestEndDate === undefined) return undefined;
  if (raw.requestStartDate === undefined) throw new ConfigError(at("requestStartDate"), "is required when requestEndDate is set (a fixed window needs both dates)");
  if (raw.requestEndDate === undefined) throw new ConfigError(at("requestEndDate"), "is required when requestStartDate is set (a fixed window needs both dates)");
  const start = parseInstant(raw.requestStartDate)!;
  const end = parseInstant(raw.requestEndDate)!;
  const windowProblem = windowRule(start, end, aggregation, "requestStartDate", "aggregationType");
  if (windowProblem) throw new ConfigError(at("requestEndDate"), windowProblem);
  return { start: isoSeconds(start), end: isoSeconds(end) };
}

/** The notification token's audience: an application id (GUID) or an identifier URI, and only with a notifyUrl. */
function checkNotifyAudience(raw: RawTenant, at: (f: string) => string): void {
  if (raw.notifyAudience === undefined) return;
  if (raw.notifyUrl === undefined) throw new ConfigError(at("notifyAudience"), "only applies with notifyUrl (the audience of the notification's token)");
  const audience = raw.notifyAudience;
  if (GUID.test(audience)) return;
  let url: URL | undefined;
  try {
    url = new URL(audience);
  } catch {
    url = undefined;
  }
  if (!url || !/^(api|https):$/.test(url.protocol) || url.search || url.hash) {
    throw new ConfigError(at("notifyAudience"), `must be an application id (GUID) or an identifier URI such as api://contoso-viva-drops, got ${JSON.stringify(audience)}`);
  }
}

function checkHttpsUrl(value: string, field: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, `must be an absolute https URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:") throw new ConfigError(field, `must use https (drop notifications carry tenant data), got ${url.protocol.replace(":", "")}`);
  if (url.username || url.password) throw new ConfigError(field, "must not carry credentials in the URL");
  const secretParam = [...url.searchParams.keys()].find((k) => SECRET_QUERY_PARAMS.has(k.toLowerCase()));
  if (secretParam !== undefined) {
    throw new ConfigError(field, `must not carry a secret in its query (${secretParam}=…): the URL is stored in the factory and printed by the plan in clear text`);
  }
}

/** Query parameters that hold credentials in common webhook URLs (Azure Functions keys, SAS, tokens). */
const SECRET_QUERY_PARAMS = new Set(["code", "sig", "key", "apikey", "api-key", "api_key", "token", "access_token", "secret", "password"]);

function checkName(name: string, rule: NameRule, field: string, derived: boolean): string {
  if (rule.test(name)) return name;
  const how = derived ? `the derived name "${name}" (from namePrefix and the stack name) breaks the rule; set ${field} explicitly` : `"${name}" breaks the rule`;
  throw new ConfigError(field, `${rule.rule}: ${how}`);
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigError {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new ConfigError(path ? `${path}.${key}` : key, "is not a known setting (check the spelling)");
  }
  if (issue.code === "invalid_type" && "input" in issue && issue.input === undefined) {
    // A missing value, whatever the field's type rule says.
    const hint = issue.message.startsWith("Invalid input") ? "" : issue.message.replace(/^is required:?\s*/, "");
    return new ConfigError(path, hint ? `is required: ${hint}` : "is required");
  }
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
    return new ConfigError(path, `must be a ${issue.expected}`);
  }
  return new ConfigError(path, issue.message);
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}
