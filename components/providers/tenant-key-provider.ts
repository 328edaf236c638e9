import type { KeyClient } from "@azure/keyvault-keys";
import { checkTenantKeyInputs, type TenantKeyInputs } from "./tenant-key-inputs";
import {
  createTenantKey,
  deleteTenantKey,
  diffTenantKey,
  readTenantKey,
  updateTenantKey,
  type TenantKeyContext,
  type TenantKeyOutputs,
} from "./tenant-key-operations";
import { sleepFor } from "./retry";
import { azureCredentialFromEnvironment, configureAzureCredential } from "./azure-credential";
import { callerObjectId } from "./principal";
import type { ProviderImplementation } from "./runtime-provider";
import { upgradingSerializedProvider } from "./serialized-provider-upgrade";

/** Production timing: RBAC role assignments can take ~10 minutes to reach Key Vault. */
export const TENANT_KEY_TIMING: Pick<TenantKeyContext, "retry" | "pollIntervalMs"> = {
  retry: { budgetMs: 10 * 60_000, initialDelayMs: 5_000, maxDelayMs: 60_000, sleep: sleepFor },
  pollIntervalMs: 2_000,
};

let caller: Promise<string | undefined> | undefined;
const keyClients = new Map<string, KeyClient>();

/**
 * The production context: real clock, and the principal of the process-wide credential — asked
 * once per process (it cannot change while the process runs; a failed attempt is retried next time).
 */
function productionContext(): TenantKeyContext {
  return {
    ...TENANT_KEY_TIMING,
    now: () => new Date(),
    callerObjectId: () => {
      caller ??= callerObjectId(azureCredentialFromEnvironment()).catch((error: unknown) => {
        caller = undefined;
        throw error;
      });
      return caller;
    },
  };
}

/** The vault's KeyClient, authenticated as the same principal as azure-native; one per vault, so its token is reused. */
function keyClientFor(vaultUri: string): KeyClient {
  let client = keyClients.get(vaultUri);
  if (!client) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KeyClient } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
    client = new KeyClient(vaultUri, azureCredentialFromEnvironment());
    keyClients.set(vaultUri, client);
  }
  return client;
}

/**
 * The TenantKey provider. It runs in Pulumi's dynamic-provider host, loaded from its compiled
 * form by the stub that `tenant-key.ts` serializes (see runtime-provider.ts).
 */
export const tenantKeyProvider: ProviderImplementation<TenantKeyInputs, TenantKeyOutputs> = upgradingSerializedProvider({
  async configure(req) {
    configureAzureCredential(req.config);
  },
  async check(olds, news) {
    const { inputs, failures } = checkTenantKeyInputs(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
    // Pulumi only calls create/update with inputs that passed check without failures.
    return { inputs: inputs as unknown as TenantKeyInputs, failures };
  },
  async diff(_id, olds, news) {
    return diffTenantKey(olds, news as unknown as Record<string, unknown>);
  },
  async create(inputs) {
    const outs = await createTenantKey(keyClientFor(inputs.vaultUri), inputs, productionContext());
    return { id: outs.versionlessId, outs };
  },
  async read(id, props) {
    if (!props) return { id };
    const outs = await readTenantKey(keyClientFor(props.vaultUri), props, productionContext());
    return outs ? { id, props: outs } : {};
  },
  async update(_id, olds, news) {
    return { outs: await updateTenantKey(keyClientFor(news.vaultUri), olds, news, productionContext()) };
  },
  async delete(_id, olds) {
    await deleteTenantKey(keyClientFor(olds.vaultUri), olds, productionContext());
  },
});
