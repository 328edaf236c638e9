import type * as pulumi from "@pulumi/pulumi";
import type { KeyClient, KeyVaultKey } from "@azure/keyvault-keys";
import { containsUnknown } from "./unknown";
import { epochSeconds } from "../../config/dates";
import { canonicalVaultUri, type TenantKeyInputs } from "./tenant-key-inputs";
import { RetriesExhaustedError, failureCause, retryTransient, type RetryPolicy } from "./retry";
import { errorMessage, httpStatusOf, withFailureMessage } from "./azure-errors";

/** The state a TenantKey keeps: its inputs plus the identifiers of the current key version. */
export interface TenantKeyOutputs extends TenantKeyInputs {
  /** Versioned key identifier (kid) of the current version. */
  keyId: string;
  /** Key identifier without a version: always resolves to the newest version. */
  versionlessId: string;
  /** The current version. */
  version: string;
}

/** Timing of data-plane calls: retries while RBAC propagates, and long-running-operation polling. */
export interface TenantKeyTiming {
  retry: RetryPolicy;
  /** Poll interval for soft delete and recovery. */
  pollIntervalMs: number;
}

/** What MGDC needs to encrypt drops and we need to unwrap their keys. */
export const TENANT_KEY_OPERATIONS = ["encrypt", "decrypt", "wrapKey", "unwrapKey"] as const;
/** MGDC requires RSA 2048. */
export const TENANT_KEY_SIZE = 2048;

/**
 * Creates the tenant's RSA key. When a key of that name is soft-deleted (tenant removed, then added
 * back) Key Vault answers 409; the deleted key is recovered with all its versions, then a new
 * version with the wanted expiry is created so older drops stay decryptable.
 */
export async function createTenantKey(client: KeyClient, inputs: TenantKeyInputs, timing: TenantKeyTiming): Promise<TenantKeyOutputs> {
  const key = await describeFailures("create the key", inputs, () => createVersionRecovering(client, inputs, timing));
  return outputsOf(inputs, key);
}

/**
 * Applies changed inputs to an existing key: a higher `rotation` creates a new version (with the
 * new expiry; earlier versions stay enabled, older drops name them); otherwise a changed expiry is
 * set on the current version.
 */
export async function updateTenantKey(
  client: KeyClient,
  olds: TenantKeyOutputs,
  news: TenantKeyInputs,
  timing: TenantKeyTiming,
): Promise<TenantKeyOutputs> {
  if (news.rotation > olds.rotation) {
    const key = await describeFailures("create a new key version", news, () => createVersionRecovering(client, news, timing));
    return outputsOf(news, key);
  }
  if (epochSeconds(news.expiresOn) !== epochSeconds(olds.expiresOn)) {
    const key = await describeFailures(`set the expiry of version ${olds.version}`, news, () =>
      retryWhileRbacPropagates(
        () => client.updateKeyProperties(news.keyName, olds.version, { expiresOn: expiryDate(news.expiresOn) }),
        timing,
      ),
    );
    return outputsOf(news, key);
  }
  return { ...olds, ...news };
}

/**
 * The key as Key Vault has it now (Pulumi `refresh`): the newest version and its expiry, so a
 * version created or an expiry changed outside Pulumi shows up and the next `up` restores the
 * configured expiry. The stored expiry text is kept when it names the same instant. Undefined
 * when the key no longer exists (deleted outside Pulumi).
 */
export async function readTenantKey(client: KeyClient, olds: TenantKeyOutputs, timing: TenantKeyTiming): Promise<TenantKeyOutputs | undefined> {
  const key = await describeFailures("read the key", olds, () =>
    retryWhileRbacPropagates(async () => {
      try {
        return await client.getKey(olds.keyName);
      } catch (error) {
        if (httpStatusOf(error) === 404) return undefined;
        throw error;
      }
    }, timing),
  );
  if (!key) return undefined;
  return outputsOf({ ...olds, expiresOn: expiryAsStored(key.properties.expiresOn, olds.expiresOn) }, key);
}

/** The stored expiry text when `actual` is that instant, else `actual` as ISO text ("" when the key has none). */
function expiryAsStored(actual: Date | undefined, stored: string): string {
  if (actual === undefined) return "";
  return Math.floor(actual.getTime() / 1000) === epochSeconds(stored) ? stored : actual.toISOString();
}

/**
 * Soft-deletes the key and waits until Key Vault lists it as deleted, so a later create of the
 * same name finds it recoverable. With purge protection it stays recoverable for the retention
 * period. A key that is already gone counts as deleted.
 */
export async function deleteTenantKey(client: KeyClient, olds: TenantKeyInputs, timing: TenantKeyTiming): Promise<void> {
  await describeFailures("delete the key", olds, () =>
    retryWhileRbacPropagates(async () => {
      try {
        const poller = await client.beginDeleteKey(olds.keyName, { intervalInMs: timing.pollIntervalMs });
        await poller.pollUntilDone();
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
    }, timing),
  );
}

/**
 * Decides how a TenantKey changes. A different vault or key name is a different key, hence a
 * replacement — created before the old one is deleted, because the names differ and a
 * delete-before-replace would leave the tenant without a key in between. Expiry and rotation are
 * updated in place. Values unknown during a preview count as changed.
 */
export function diffTenantKey(olds: TenantKeyOutputs, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const changed = (property: keyof TenantKeyInputs, same: (old: string, next: string) => boolean): boolean =>
    containsUnknown(news[property]) || !same(String(olds[property]), String(news[property] ?? 0));

  const replaces: string[] = [];
  if (changed("vaultUri", (old, next) => canonicalVaultUri(old) === canonicalVaultUri(next))) replaces.push("vaultUri");
  if (changed("keyName", (old, next) => old.toLowerCase() === next.toLowerCase())) replaces.push("keyName");
  const updated =
    changed("expiresOn", (old, next) => epochSeconds(old) === epochSeconds(next)) ||
    changed("rotation", (old, next) => old === next);
  return { changes: replaces.length > 0 || updated, replaces, deleteBeforeReplace: false };
}

/** A new key version; a soft-deleted key of that name (409) is recovered first. */
function createVersionRecovering(client: KeyClient, inputs: TenantKeyInputs, timing: TenantKeyTiming): Promise<KeyVaultKey> {
  return retryWhileRbacPropagates(async () => {
    try {
      return await createKeyVersion(client, inputs);
    } catch (error) {
      if (httpStatusOf(error) !== 409) throw error;
      await recoverDeletedKey(client, inputs.keyName, timing);
      return createKeyVersion(client, inputs);
    }
  }, timing);
}

function createKeyVersion(client: KeyClient, inputs: TenantKeyInputs): Promise<KeyVaultKey> {
  return client.createRsaKey(inputs.keyName, {
    keySize: TENANT_KEY_SIZE,
    keyOps: [...TENANT_KEY_OPERATIONS],
    expiresOn: expiryDate(inputs.expiresOn),
    enabled: true,
  });
}

async function recoverDeletedKey(client: KeyClient, keyName: string, timing: TenantKeyTiming): Promise<void> {
  const poller = await client.beginRecoverDeletedKey(keyName, { intervalInMs: timing.pollIntervalMs });
  await poller.pollUntilDone();
}

function expiryDate(expiresOn: string): Date {
  const seconds = epochSeconds(expiresOn);
  if (seconds === undefined) throw new Error(`expiresOn ${JSON.stringify(expiresOn)} is not an ISO-8601 date or date-time with offset`);
  return new Date(seconds * 1000);
}

function outputsOf(inputs: TenantKeyInputs, key: KeyVaultKey): TenantKeyOutputs {
  const keyId = key.id ?? key.key?.kid;
  const version = key.properties.version;
  if (!keyId || !version) {
    throw new Error(`Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri}: the service returned no key id or version`);
  }
  return { ...inputs, keyId, version, versionlessId: keyId.slice(0, keyId.length - version.length - 1) };
}

/**
 * 403 right after a role assignment is RBAC propagation (ForbiddenByRbac), which settles within
 * about ten minutes; a firewall 403 will not, so it fails at once.
 */
export function isRbacPropagationError(error: unknown): boolean {
  return httpStatusOf(error) === 403 && !/ForbiddenByFirewall|Client address is not authorized/i.test(errorMessage(error));
}

function retryWhileRbacPropagates<T>(operation: () => Promise<T>, timing: TenantKeyTiming): Promise<T> {
  return retryTransient(operation, isRbacPropagationError, timing.retry);
}

function describeFailures<T>(action: string, inputs: TenantKeyInputs, operation: () => Promise<T>): Promise<T> {
  return withFailureMessage((error) => tenantKeyFailureMessage(action, inputs, error), operation);
}

/** One line naming the key, the vault, what we tried and why it failed. */
export function tenantKeyFailureMessage(action: string, inputs: Pick<TenantKeyInputs, "keyName" | "vaultUri">, error: unknown): string {
  const hint = error instanceof RetriesExhaustedError && isRbacPropagationError(error.lastError)
    ? '; check that the deploying identity holds "Key Vault Crypto Officer" on the vault'
    : "";
  return `Key Vault key "${inputs.keyName}" in vault ${inputs.vaultUri}: could not ${action}: ${failureCause(error)}${hint}`;
}
