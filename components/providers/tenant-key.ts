import * as pulumi from "@pulumi/pulumi";
import type { KeyClient } from "@azure/keyvault-keys";
import { checkTenantKeyInputs, type TenantKeyInputs } from "./tenant-key-inputs";
import {
  createTenantKey,
  deleteTenantKey,
  diffTenantKey,
  readTenantKey,
  updateTenantKey,
  type TenantKeyOutputs,
  type TenantKeyTiming,
} from "./tenant-key-operations";
import { sleepFor } from "./retry";
import { azureCredentialFromEnvironment } from "./azure-credential";


/** Arguments of a {@link TenantKey}. */
export interface TenantKeyArgs {
  /** Vault URI, e.g. https://kv-x.vault.azure.net/ */
  vaultUri: pulumi.Input<string>;
  /** Key name = customer tenant GUID */
  keyName: pulumi.Input<string>;
  /** Expiry as ISO-8601 date/time string from config (never derived from Date.now()) */
  expiresOn: pulumi.Input<string>;
  /** Bump to rotate: each increase creates a new key version; old versions stay enabled */
  rotation?: pulumi.Input<number>;
}

/** Production timing: RBAC role assignments can take ~10 minutes to reach Key Vault. */
export const TENANT_KEY_TIMING: TenantKeyTiming = {
  retry: { budgetMs: 10 * 60_000, initialDelayMs: 5_000, maxDelayMs: 60_000, sleep: sleepFor },
  pollIntervalMs: 2_000,
};

/** A KeyClient for the vault, authenticated as whoever runs `pulumi up` (Azure CLI, managed identity, env). */
function keyClientFor(vaultUri: string): KeyClient {
  // require(), not import: the provider is serialized into the Pulumi state and must load its SDKs when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KeyClient } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
  return new KeyClient(vaultUri, azureCredentialFromEnvironment());
}

const tenantKeyProvider: pulumi.dynamic.ResourceProvider<TenantKeyInputs, TenantKeyOutputs> = {
  async check(olds, news) {
    const { inputs, failures } = checkTenantKeyInputs(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
    // Pulumi only calls create/update with inputs that passed check without failures.
    return { inputs: inputs as unknown as TenantKeyInputs, failures };
  },
  async diff(_id, olds, news) {
    return diffTenantKey(olds, news as unknown as Record<string, unknown>);
  },
  async create(inputs) {
    const outs = await createTenantKey(keyClientFor(inputs.vaultUri), inputs, TENANT_KEY_TIMING);
    return { id: outs.versionlessId, outs };
  },
  async read(id, props) {
    if (!props) return { id };
    const outs = await readTenantKey(keyClientFor(props.vaultUri), props, TENANT_KEY_TIMING);
    return outs ? { id, props: outs } : {};
  },
  async update(_id, olds, news) {
    return { outs: await updateTenantKey(keyClientFor(news.vaultUri), olds, news, TENANT_KEY_TIMING) };
  },
  async delete(_id, olds) {
    await deleteTenantKey(keyClientFor(olds.vaultUri), olds, TENANT_KEY_TIMING);
  },
};

/**
 * A customer tenant's RSA-2048 key in the partner's Key Vault, managed through the Key Vault data
 * plane so that a changed expiry is applied and rotation adds versions — the ARM keys API behind
 * azure-native's keyvault.Key only ever creates. Every data-plane call retries 403 for about ten
 * minutes while a fresh role assignment propagates.
 *
 * Deleting soft-deletes: drops already delivered cannot be decrypted until the key is recovered,
 * which re-adding the tenant does. A change of vault or key name replaces the key, creating the
 * new one first; do not set `deleteBeforeReplace` (the tenant would be without a key in between).
 * The deploying identity needs "Key Vault Crypto Officer" on the vault.
 */
export class TenantKey extends pulumi.dynamic.Resource {
  /** Versioned key identifier (kid) of the current version. */
  declare readonly keyId: pulumi.Output<string>;
  /** Key identifier without a version. */
  declare readonly versionlessId: pulumi.Output<string>;
  /** The current key version. */
  declare readonly version: pulumi.Output<string>;
  /** The expiry as given in the args. */
  declare readonly expiresOn: pulumi.Output<string>;

  /**
   * @param name logical name of the resource
   * @param args vault, key name (tenant GUID), expiry and rotation counter
   * @param opts resource options; leave `deleteBeforeReplace` unset (a replacement always has another name or vault)
   */
  constructor(name: string, args: TenantKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      tenantKeyProvider,
      name,
      { ...args, rotation: args.rotation ?? 0, keyId: undefined, versionlessId: undefined, version: undefined },
      opts,
      "viva-partner",
      "TenantKey",
    );
  }
}
