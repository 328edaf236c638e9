import type * as pulumi from "@pulumi/pulumi";
import type { JsonWebKey, KeyClient, KeyProperties, KeyRotationPolicy, KeyRotationPolicyProperties, KeyVaultKey } from "@azure/keyvault-keys";
import { containsUnknown } from "./unknown";
import { epochSeconds, isoSeconds } from "../../config/dates";
import { addCalendarDuration, parseCalendarDuration } from "../../config/durations";
import { MIN_RSA_BITS, publicKeyFingerprint, readRsaPrivateKey, rsaJwkFingerprint } from "../../config/rsa-key";
import { canonicalVaultUri, type TenantKeyInputs } from "./tenant-key-inputs";
import { RetriesExhaustedError, failureCause, retryTransient, type RetryPolicy } from "./retry";
import { errorMessage, httpStatusOf, withFailureMessage } from "./azure-errors";

/** Tag naming the stack (`org/project/stack`) that manages the key. */
export const OWNER_TAG = "viva-partner-stack";
/** Tag naming the customer tenant the key belongs to. */
export const TENANT_TAG = "viva-partner-tenant";
/** Tag holding the SHA-256 of the current version's public key (DER SubjectPublicKeyInfo, hex): finds a key imported twice. */
export const FINGERPRINT_TAG = "viva-partner-public-key-sha256";

/** One version of a tenant key as Key Vault lists it. */
export interface TenantKeyVersion {
  version: string;
  createdOn: string;
  expiresOn?: string;
  enabled: boolean;
}

/** The rotation policy as last applied or read: durations, with `rotateBefore` absent when the key does not rotate itself. */
export interface AppliedRotationPolicy {
  expiresIn?: string;
  rotateBefore?: string;
  notifyBefore?: string;
}

/** The state a TenantKey keeps: its inputs (never the imported PEM) plus what Key Vault reports. */
export interface TenantKeyOutputs extends Omit<TenantKeyInputs, "importKeyPem"> {
  /** Versioned key identifier (kid) of the current version. */
  keyId: string;
  /** Key identifier without a version: always resolves to the newest version. */
  versionlessId: string;
  /** The current version. */
  version: string;
  /** When the current version was created (ISO). */
  versionCreatedOn: string;
  /** The current version's expiry (ISO), fixed when it was created (or set by keyExpiresOn); "" when it has none. */
  versionExpiresOn: string;
  /** SHA-256 of the current version's public key. */
  publicKeySha256: string;
  /** SHA-256 of the public half of the imported PEM, while `importKeyPem` is set. */
  importedPublicKeySha256?: string;
  /** Every version of the key, oldest first: older versions stay enabled for older drops. */
  versions: TenantKeyVersion[];
  rotationPolicy: AppliedRotationPolicy;
}

/** What the operations need besides the client: retries, the clock for new versions, and who signs in. */
export interface TenantKeyContext {
  /** Retries while RBAC propagates (403). */
  retry: RetryPolicy;
  /** Poll interval for soft delete and recovery. */
  pollIntervalMs: number;
  /** The clock that fixes a new version's expiry (creation time plus the lifetime). */
  now: () => Date;
  /** Object id (`oid`) of the principal the client signs in as, when its access token tells. */
  callerObjectId: () => Promise<string | undefined>;
}

/** What MGDC needs to encrypt drops and we need to unwrap their keys. */
export const TENANT_KEY_OPERATIONS = ["encrypt", "decrypt", "wrapKey", "unwrapKey"] as const;
/** MGDC requires RSA 2048. */
export const TENANT_KEY_SIZE = 2048;

/**
 * Creates the tenant's key, or takes over the key of that name the vault already holds:
 * - a key owned by another stack (tag {@link OWNER_TAG}) is refused, naming that stack;
 * - a key owned by no stack is taken over only with `adoptExisting` (its versions stay; the
 *   current one is kept when it is usable, given an expiry when it has none);
 * - a soft-deleted key (tenant removed, then added back) is recovered with all its versions,
 *   then gets a new version, so older drops stay decryptable.
 * The new version expires `lifetime` after now, or at `expiresOn` when that is set, and the
 * rotation policy renews it `rotateBefore` its expiry.
 */
export async function createTenantKey(client: KeyClient, inputs: TenantKeyInputs, ctx: TenantKeyContext): Promise<TenantKeyOutputs> {
  await verifyCaller(inputs, ctx);
  const existing = await describeFailures("look for an existing key of this name", inputs, () => currentVersion(client, inputs.keyName, ctx));
  if (existing) {
    const owner = ownerOf(existing.properties);
    refuseForeignOwner(owner, [inputs.ownerStack], inputs);
    if (owner !== inputs.ownerStack && !inputs.adoptExisting) throw await existingKeyError(client, inputs, existing);
    return adoptTenantKey(client, inputs, existing, ctx);
  }
  const key = await describeFailures(inputs.importKeyPem ? "import the key" : "create the key", inputs, () => addVersionRecovering(client, inputs, ctx));
  return finish(client, inputs, key, ctx);
}

/** Takes over an existing key: keeps a usable current version, gives it the configured expiry, or adds a version when it is not usable. */
async function adoptTenantKey(client: KeyClient, inputs: TenantKeyInputs, existing: KeyVaultKey, ctx: TenantKeyContext): Promise<TenantKeyOutputs> {
  let key = existing;
  const imported = importedFingerprint(inputs);
  if ((imported !== undefined && imported !== fingerprintOf(key)) || (imported === undefined && unusableReason(key, ctx.now()) !== undefined)) {
    key = await describeFailures("add a usable version to the existing key", inputs, () => addVersion(client, inputs, ctx));
  } else if (inputs.expiresOn !== undefined || !key.properties.expiresOn) {
    const expiresOn = new Date(newVersionExpirySeconds(inputs, ctx.now()) * 1000);
    if (key.properties.expiresOn?.getTime() !== expiresOn.getTime()) {
      key = await describeFailures(`set the expiry of version ${key.properties.version}`, inputs, () => setExpiry(client, inputs, key, expiresOn, ctx));
    }
  }
  return finish(client, inputs, key, ctx);
}

/**
 * Applies changed inputs: a higher `rotation`, or another key to import, adds a version (earlier
 * versions stay enabled; older drops name them); otherwise a changed `expiresOn` is set on the
 * current version — the one Key Vault holds now, which a rotation by the policy may have
 * created since the last `up`. Tags and the rotation policy are applied every time.
 */
export async function updateTenantKey(client: KeyClient, olds: TenantKeyOutputs, news: TenantKeyInputs, ctx: TenantKeyContext): Promise<TenantKeyOutputs> {
  await verifyCaller(news, ctx);
  let key = await describeFailures("read the key", news, () => currentVersion(client, news.keyName, ctx));
  if (!key) throw new Error(tenantKeyFailureMessage("update the key", news, new Error("it no longer exists (deleted outside Pulumi): run `pulumi refresh`, then `pulumi up` creates it again")));
  refuseForeignOwner(ownerOf(key.properties), [olds.ownerStack, news.ownerStack], news);
  const imported = importedFingerprint(news);
  const newImport = imported !== undefined && imported !== olds.importedPublicKeySha256 && imported !== fingerprintOf(key);
  if (news.rotation > (olds.rotation ?? 0) || newImport) {
    key = await describeFailures(newImport ? "import a new key version" : "create a new key version", news, () => addVersionRecovering(client, news, ctx));
  } else if (news.expiresOn !== undefined && epochOrNone(news.expiresOn) !== epochOrNone(olds.expiresOn)) {
    // Compared with the expiry asked for last time, not with the current version's: after Key Vault
    // rotated the key, its new version keeps the expiry the policy gave it.
    const expiresOn = new Date(epochSeconds(news.expiresOn)! * 1000);
    const current = key;
    key = await describeFailures(`set the expiry of version ${current.properties.version}`, news, () => setExpiry(client, news, current, expiresOn, ctx));
  }
  return finish(client, news, key, ctx);
}

/**
 * The key as Key Vault has it now (Pulumi `refresh`, and what follows an adoption): the current
 * version with its real expiry, every version, and the rotation policy. A version the policy
 * created since the last `up` becomes the current one in the state. Undefined when the key no
 * longer exists (deleted outside Pulumi).
 */
export async function readTenantKey(client: KeyClient, olds: TenantKeyOutputs, ctx: TenantKeyContext): Promise<TenantKeyOutputs | undefined> {
  await verifyCaller(olds, ctx);
  return describeFailures("read the key", olds, async () => {
    const key = await currentVersion(client, olds.keyName, ctx);
    if (!key) return undefined;
    const [versions, policy] = await Promise.all([listVersions(client, olds.keyName, ctx), readRotationPolicy(client, olds.keyName, ctx)]);
    return outputsOf(olds, key, versions, policy, olds.importedPublicKeySha256);
  });
}

/**
 * Soft-deletes the key and waits until Key Vault lists it as deleted, so a later create of the
 * same name finds it recoverable. With purge protection it stays recoverable for the retention
 * period. A key that is already gone counts as deleted; a key another stack has taken over is
 * left alone.
 */
export async function deleteTenantKey(client: KeyClient, olds: TenantKeyOutputs, ctx: TenantKeyContext): Promise<void> {
  await verifyCaller(olds, ctx);
  await describeFailures("delete the key", olds, async () => {
    const key = await currentVersion(client, olds.keyName, ctx);
    if (!key) return;
    refuseForeignOwner(ownerOf(key.properties), [olds.ownerStack], olds);
    await retryWhileRbacPropagates(async () => {
      try {
        const poller = await client.beginDeleteKey(olds.keyName, { intervalInMs: ctx.pollIntervalMs });
        await poller.pollUntilDone();
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
    }, ctx);
  });
}

/**
 * Decides how a TenantKey changes. A different vault or key name is a different key, hence a
 * replacement — created before the old one is deleted, because the names differ and a
 * delete-before-replace would leave the tenant without a key in between. An explicit expiry,
 * rotation, another key to import, a rotation policy that differs from the one last applied or
 * read, and another owner or deployer are updated in place. Values unknown during a preview
 * count as changed. `adoptExisting` only matters when the key is created.
 */
export function diffTenantKey(olds: TenantKeyOutputs, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const unknown = (property: string) => containsUnknown(news[property]);
  const replaces: string[] = [];
  if (unknown("vaultUri") || canonicalVaultUri(String(olds.vaultUri)) !== canonicalVaultUri(String(news.vaultUri))) replaces.push("vaultUri");
  if (unknown("keyName") || String(olds.keyName).toLowerCase() !== String(news.keyName).toLowerCase()) replaces.push("keyName");

  const expiryChanged = unknown("expiresOn") || epochOrNone(olds.expiresOn) !== epochOrNone(news.expiresOn);
  const rotationChanged = unknown("rotation") || (olds.rotation ?? 0) !== (news.rotation ?? 0);
  const identityChanged =
    unknown("ownerStack") || unknown("deployerObjectId") || olds.ownerStack !== news.ownerStack || String(olds.deployerObjectId ?? "").toLowerCase() !== String(news.deployerObjectId ?? "").toLowerCase();
  const importChanged = unknown("importKeyPem") || olds.importedPublicKeySha256 !== importedFingerprint(news as unknown as TenantKeyInputs);
  const policyChanged = ["lifetime", "rotateBefore", "notifyBefore", "importKeyPem"].some(unknown) || !samePolicy(olds.rotationPolicy, desiredPolicySummary(news as unknown as TenantKeyInputs));
  const updated = expiryChanged || rotationChanged || identityChanged || importChanged || policyChanged;
  return { changes: replaces.length > 0 || updated, replaces, deleteBeforeReplace: false };
}

function samePolicy(applied: AppliedRotationPolicy | undefined, wanted: AppliedRotationPolicy): boolean {
  return applied !== undefined && applied.expiresIn === wanted.expiresIn && applied.rotateBefore === wanted.rotateBefore && applied.notifyBefore === wanted.notifyBefore;
}

function epochOrNone(value: unknown): number | null {
  return typeof value === "string" ? (epochSeconds(value) ?? null) : null;
}

/**
 * The rotation policy for a tenant key: new versions expire `lifetime` after creation; Key
 * Vault rotates `rotateBefore` expiry and sends its near-expiry event `notifyBefore` expiry. An
 * imported key is not rotated by Key Vault — a rotation would replace the tenant's own key with
 * one Key Vault generates — so it only gets the notification, as a reminder to import its successor.
 */
export function rotationPolicyFor(inputs: Pick<TenantKeyInputs, "lifetime" | "rotateBefore" | "notifyBefore" | "importKeyPem">): KeyRotationPolicyProperties {
  const notify = { action: "Notify" as const, timeBeforeExpiry: inputs.notifyBefore };
  const lifetimeActions = inputs.importKeyPem !== undefined ? [notify] : [{ action: "Rotate" as const, timeBeforeExpiry: inputs.rotateBefore }, notify];
  return { expiresIn: inputs.lifetime, lifetimeActions };
}

function desiredPolicySummary(inputs: TenantKeyInputs): AppliedRotationPolicy {
  return summarizePolicy(rotationPolicyFor(inputs));
}

function summarizePolicy(policy: KeyRotationPolicyProperties | undefined): AppliedRotationPolicy {
  const before = (action: string) => policy?.lifetimeActions?.find((a) => a.action.toLowerCase() === action.toLowerCase())?.timeBeforeExpiry;
  const summary: AppliedRotationPolicy = {};
  if (policy?.expiresIn) summary.expiresIn = policy.expiresIn;
  const rotate = before("Rotate");
  if (rotate) summary.rotateBefore = rotate;
  const notify = before("Notify");
  if (notify) summary.notifyBefore = notify;
  return summary;
}

/** Tags, rotation policy and the version list after a create, adoption or update. */
async function finish(client: KeyClient, inputs: TenantKeyInputs, key: KeyVaultKey, ctx: TenantKeyContext): Promise<TenantKeyOutputs> {
  const tagged = await describeFailures("tag the key", inputs, () => ensureTags(client, inputs, key, ctx));
  const policy = await describeFailures("set the rotation policy", inputs, () =>
    retryWhileRbacPropagates(() => client.updateKeyRotationPolicy(inputs.keyName, rotationPolicyFor(inputs)), ctx),
  );
  const versions = await describeFailures("list the key's versions", inputs, () => listVersions(client, inputs.keyName, ctx));
  return outputsOf(inputs, tagged, versions, policy, importedFingerprint(inputs));
}

/** Sets our tags on the key's current version, keeping any others. */
async function ensureTags(client: KeyClient, inputs: TenantKeyInputs, key: KeyVaultKey, ctx: TenantKeyContext): Promise<KeyVaultKey> {
  const wanted = { [OWNER_TAG]: inputs.ownerStack, [TENANT_TAG]: inputs.keyName, [FINGERPRINT_TAG]: fingerprintOf(key) };
  const current = key.properties.tags ?? {};
  if (Object.entries(wanted).every(([name, value]) => current[name] === value)) return key;
  const version = key.properties.version!;
  return retryWhileRbacPropagates(() => client.updateKeyProperties(inputs.keyName, version, { tags: { ...current, ...wanted } }), ctx);
}

/** A new version; a soft-deleted key of that name (409) is recovered first, unless another stack owns it. */
function addVersionRecovering(client: KeyClient, inputs: TenantKeyInputs, ctx: TenantKeyContext): Promise<KeyVaultKey> {
  return retryWhileRbacPropagates(async () => {
    try {
      return await addVersion(client, inputs, ctx);
    } catch (error) {
      if (httpStatusOf(error) !== 409) throw error;
      const deleted = await client.getDeletedKey(inputs.keyName);
      refuseForeignOwner(ownerOf(deleted.properties), [inputs.ownerStack], inputs);
      const poller = await client.beginRecoverDeletedKey(inputs.keyName, { intervalInMs: ctx.pollIntervalMs });
      await poller.pollUntilDone();
      return addVersion(client, inputs, ctx);
    }
  }, ctx);
}

/** Generates a version (RSA 2048, the tenant's operations) or imports the tenant's own key, expiring at {@link newVersionExpirySeconds}. */
async function addVersion(client: KeyClient, inputs: TenantKeyInputs, ctx: TenantKeyContext): Promise<KeyVaultKey> {
  const expiresOn = new Date(newVersionExpirySeconds(inputs, ctx.now()) * 1000);
  const tags = { [OWNER_TAG]: inputs.ownerStack, [TENANT_TAG]: inputs.keyName };
  if (inputs.importKeyPem === undefined) {
    return retryWhileRbacPropagates(
      () => client.createRsaKey(inputs.keyName, { keySize: TENANT_KEY_SIZE, keyOps: [...TENANT_KEY_OPERATIONS], expiresOn, enabled: true, tags }),
      ctx,
    );
  }
  const { jwk, fingerprint } = importableKey(inputs.importKeyPem);
  await refuseDuplicateKey(client, inputs, fingerprint, ctx);
  return retryWhileRbacPropagates(() => client.importKey(inputs.keyName, jwk, { expiresOn, enabled: true, tags: { ...tags, [FINGERPRINT_TAG]: fingerprint } }), ctx);
}

/** The expiry of a version created now: the explicit `expiresOn`, else now plus `lifetime` (fixed here, kept in the state, never recomputed). */
export function newVersionExpirySeconds(inputs: Pick<TenantKeyInputs, "expiresOn" | "lifetime">, now: Date): number {
  if (inputs.expiresOn !== undefined) {
    const seconds = epochSeconds(inputs.expiresOn);
    if (seconds === undefined) throw new Error(`expiresOn ${JSON.stringify(inputs.expiresOn)} is not an ISO-8601 date or date-time with offset`);
    return seconds;
  }
  const lifetime = parseCalendarDuration(inputs.lifetime);
  if (!lifetime) throw new Error(`lifetime ${JSON.stringify(inputs.lifetime)} is not an ISO 8601 duration such as P1Y`);
  return Math.floor(addCalendarDuration(now.getTime(), lifetime) / 1000);
}

function setExpiry(client: KeyClient, inputs: TenantKeyInputs, key: KeyVaultKey, expiresOn: Date, ctx: TenantKeyContext): Promise<KeyVaultKey> {
  return retryWhileRbacPropagates(() => client.updateKeyProperties(inputs.keyName, key.properties.version!, { expiresOn }), ctx);
}

/** The key's current version, or undefined when there is no (live) key of that name. */
function currentVersion(client: KeyClient, keyName: string, ctx: TenantKeyContext): Promise<KeyVaultKey | undefined> {
  return retryWhileRbacPropagates(() => undefinedIfMissing(() => client.getKey(keyName)), ctx);
}

/** `operation`'s result, or undefined when Key Vault answers 404. */
async function undefinedIfMissing<T>(operation: () => Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

async function listVersions(client: KeyClient, keyName: string, ctx: TenantKeyContext): Promise<TenantKeyVersion[]> {
  return retryWhileRbacPropagates(async () => {
    const versions: TenantKeyVersion[] = [];
    for await (const properties of client.listPropertiesOfKeyVersions(keyName)) {
      versions.push({
        version: properties.version ?? "",
        createdOn: properties.createdOn ? isoSeconds(properties.createdOn.getTime()) : "",
        ...(properties.expiresOn ? { expiresOn: isoSeconds(properties.expiresOn.getTime()) } : {}),
        enabled: properties.enabled ?? false,
      });
    }
    return versions.sort((a, b) => (a.createdOn < b.createdOn ? -1 : a.createdOn > b.createdOn ? 1 : 0));
  }, ctx);
}

function readRotationPolicy(client: KeyClient, keyName: string, ctx: TenantKeyContext): Promise<KeyRotationPolicy | undefined> {
  return retryWhileRbacPropagates(() => undefinedIfMissing(() => client.getKeyRotationPolicy(keyName)), ctx);
}

function outputsOf(
  inputs: TenantKeyInputs | TenantKeyOutputs,
  key: KeyVaultKey,
  versions: TenantKeyVersion[],
  policy: KeyRotationPolicyProperties | undefined,
  importedPublicKeySha256: string | undefined,
): TenantKeyOutputs {
  const keyId = key.id ?? key.key?.kid;
  const version = key.properties.version;
  if (!keyId || !version) throw new Error(`Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri}: the service returned no key id or version`);
  const { importKeyPem: _secret, ...rest } = inputs as TenantKeyInputs;
  const outputs: TenantKeyOutputs = {
    ...(rest as Omit<TenantKeyOutputs, "importedPublicKeySha256">),
    keyId,
    version,
    versionlessId: keyId.slice(0, keyId.length - version.length - 1),
    versionCreatedOn: key.properties.createdOn ? isoSeconds(key.properties.createdOn.getTime()) : "",
    versionExpiresOn: key.properties.expiresOn ? isoSeconds(key.properties.expiresOn.getTime()) : "",
    publicKeySha256: fingerprintOf(key),
    versions,
    rotationPolicy: summarizePolicy(policy),
  };
  delete outputs.importedPublicKeySha256;
  if (importedPublicKeySha256 !== undefined) outputs.importedPublicKeySha256 = importedPublicKeySha256;
  return outputs;
}

/** Why a key version cannot serve as a tenant key (RSA ≥ 2048 with wrap/unwrap, enabled, not expired), or undefined. */
export function unusableReason(key: KeyVaultKey, now: Date): string | undefined {
  const kty = key.key?.kty ?? "";
  if (kty !== "RSA" && kty !== "RSA-HSM") return `it is a ${kty || "keyless"} key, not RSA`;
  const bits = (key.key?.n?.length ?? 0) * 8;
  if (bits < MIN_RSA_BITS) return `it has ${bits} bits, fewer than ${MIN_RSA_BITS}`;
  const ops = key.keyOperations ?? key.key?.keyOps ?? [];
  const missing = ["wrapKey", "unwrapKey"].filter((op) => !ops.includes(op as never));
  if (missing.length > 0) return `it does not allow ${missing.join(" and ")}`;
  if (key.properties.enabled === false) return "it is disabled";
  if (key.properties.expiresOn && key.properties.expiresOn.getTime() <= now.getTime()) return `it expired on ${isoSeconds(key.properties.expiresOn.getTime())}`;
  return undefined;
}

/** SHA-256 of a Key Vault key's public key, or "" when the service returned no key material. */
function fingerprintOf(key: KeyVaultKey): string {
  const n = key.key?.n;
  const e = key.key?.e;
  return n && e ? rsaJwkFingerprint(n, e) : "";
}

function importedFingerprint(inputs: Pick<TenantKeyInputs, "importKeyPem">): string | undefined {
  if (inputs.importKeyPem === undefined) return undefined;
  const reading = readRsaPrivateKey(inputs.importKeyPem);
  return reading.ok ? publicKeyFingerprint(reading.key) : "invalid";
}

/** The tenant's PEM as the JSON Web Key Key Vault imports, with the tenant key's operations. */
function importableKey(pem: string): { jwk: JsonWebKey; fingerprint: string } {
  const reading = readRsaPrivateKey(pem);
  if (!reading.ok) throw new Error(`importKeyPem ${reading.reason}`);
  const jwk = reading.key.export({ format: "jwk" });
  const bytes = (value: string | undefined) => Buffer.from(value ?? "", "base64url");
  return {
    jwk: {
      kty: "RSA",
      keyOps: [...TENANT_KEY_OPERATIONS],
      n: bytes(jwk.n),
      e: bytes(jwk.e),
      d: bytes(jwk.d),
      p: bytes(jwk.p),
      q: bytes(jwk.q),
      dp: bytes(jwk.dp),
      dq: bytes(jwk.dq),
      qi: bytes(jwk.qi),
    },
    fingerprint: publicKeyFingerprint(reading.key),
  };
}

/** The seed rejects duplicate keys: an imported key must not already be another tenant's key in the vault. */
async function refuseDuplicateKey(client: KeyClient, inputs: TenantKeyInputs, fingerprint: string, ctx: TenantKeyContext): Promise<void> {
  const other = await retryWhileRbacPropagates(async () => {
    for await (const properties of client.listPropertiesOfKeys()) {
      if (properties.name.toLowerCase() !== inputs.keyName.toLowerCase() && properties.tags?.[FINGERPRINT_TAG] === fingerprint) return properties;
    }
    return undefined;
  }, ctx);
  if (other) {
    const owner = ownerOf(other) ? ` (stack ${ownerOf(other)})` : "";
    throw new Error(`importKeyPem is already the key of tenant ${other.name}${owner} in vault ${inputs.vaultUri}: each tenant needs its own key`);
  }
}

function ownerOf(properties: Pick<KeyProperties, "tags">): string | undefined {
  return properties.tags?.[OWNER_TAG];
}

/** One stack manages a tenant's key: a key tagged for any stack but `allowed` is refused, naming its owner. */
function refuseForeignOwner(owner: string | undefined, allowed: (string | undefined)[], inputs: Pick<TenantKeyInputs, "keyName" | "vaultUri">): void {
  if (owner === undefined || allowed.includes(owner)) return;
  throw new Error(
    `Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri} is managed by stack ${owner} (tag ${OWNER_TAG}), not this one (${allowed.filter(Boolean).join(" or ")}): ` +
      `a tenant's key belongs to one stack — remove the tenant from this stack or from ${owner}`,
  );
}

async function existingKeyError(client: KeyClient, inputs: TenantKeyInputs, key: KeyVaultKey): Promise<Error> {
  let versions = "";
  try {
    let count = 0;
    for await (const _ of client.listPropertiesOfKeyVersions(inputs.keyName)) count += 1;
    versions = `${count} version${count === 1 ? "" : "s"}, `;
  } catch {
    // The count only decorates the message.
  }
  const created = key.properties.createdOn ? isoSeconds(key.properties.createdOn.getTime()) : "unknown";
  return new Error(
    `Key Vault key "${inputs.keyName}" already exists in vault ${inputs.vaultUri} (${versions}current version created ${created}) and no stack manages it; ` +
      `not adding a version over it. Either set adoptExistingKey: true on this tenant to manage that key from this stack ` +
      `(its versions stay; Pulumi tags it, gives it an expiry and a rotation policy), or remove the tenant from this stack if the key is managed elsewhere`,
  );
}

/**
 * Key Vault calls must run as the principal that received the key-management role (the
 * deployer object id from getClientConfig). When the provider signs in as someone else, every
 * call would fail with 403 for the ten minutes of retries meant for RBAC propagation; say so
 * at once, naming both.
 */
async function verifyCaller(inputs: Pick<TenantKeyInputs, "keyName" | "vaultUri" | "deployerObjectId">, ctx: TenantKeyContext): Promise<void> {
  if (!inputs.deployerObjectId) return;
  const caller = await ctx.callerObjectId();
  if (caller === undefined || caller.toLowerCase() === inputs.deployerObjectId.toLowerCase()) return;
  throw new Error(
    `Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri}: the dynamic provider signs in as object id ${caller}, ` +
      `but the key-management role was granted to object id ${inputs.deployerObjectId} (azure-native's getClientConfig): ` +
      `give both the same identity (the same ARM_* variables or azure-native:* config; see docs/deploying.md, "One identity")`,
  );
}

/**
 * 403 right after a role assignment is RBAC propagation (ForbiddenByRbac), which settles within
 * about ten minutes; a firewall 403 will not, so it fails at once.
 */
export function isRbacPropagationError(error: unknown): boolean {
  return httpStatusOf(error) === 403 && !/ForbiddenByFirewall|Client address is not authorized/i.test(errorMessage(error));
}

function retryWhileRbacPropagates<T>(operation: () => Promise<T>, ctx: TenantKeyContext): Promise<T> {
  return retryTransient(operation, isRbacPropagationError, ctx.retry);
}

function describeFailures<T>(action: string, inputs: Pick<TenantKeyInputs, "keyName" | "vaultUri">, operation: () => Promise<T>): Promise<T> {
  return withFailureMessage((error) => (isOwnMessage(error) ? errorMessage(error) : tenantKeyFailureMessage(action, inputs, error)), operation);
}

/** Errors this module raised already name the key and the vault. */
function isOwnMessage(error: unknown): boolean {
  return error instanceof Error && !(error instanceof RetriesExhaustedError) && httpStatusOf(error) === undefined && /^(Key Vault key "|importKeyPem )/.test(error.message);
}

/** One line naming the key, the vault, what we tried and why it failed. */
export function tenantKeyFailureMessage(action: string, inputs: Pick<TenantKeyInputs, "keyName" | "vaultUri">, error: unknown): string {
  const hint = error instanceof RetriesExhaustedError && isRbacPropagationError(error.lastError)
    ? '; check that the deploying identity holds the "Viva Partner Key Manager" role on the vault'
    : "";
  return `Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri}: could not ${action}: ${failureCause(error)}${hint}`;
}
