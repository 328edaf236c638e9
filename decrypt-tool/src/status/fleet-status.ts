import type { TokenCredential } from "@azure/identity";
import { describeAzureFailure, isCredentialError } from "../azure-errors";
import { keyVaultKeysSdk } from "../azure-sdk";
import { type AzureClientOptions, createDataFactoryClient, credentialFrom } from "../data-factory";
import { DropError } from "../errors";
import type { LedgerRow } from "../ingest/sinks/sink";
import { type DropListing, listDrops } from "../list-drops";
import type { SourceOptions } from "../source/index";
import type { StackOutputs } from "../stack-outputs";
import { mapBounded } from "./map-bounded";
import { DEFAULT_HEALTH_RULES, type HealthRules, type TenantStatus, tenantStatus } from "./tenant-status";

/** Options of {@link fleetStatus}. */
export interface FleetStatusOptions {
  /** The instant the rules compare with. Default: now. */
  now?: Date;
  azure?: AzureClientOptions;
  /** How to reach the tenants' containers. */
  sourceOptions?: SourceOptions;
  /** The sink's ledger lookup (Sink.ledger), to say whether each last drop is loaded. */
  ledger?: (tenantId: string) => Promise<Map<string, LedgerRow>>;
  /** Lists a tenant container; default {@link listDrops} with `sourceOptions`. */
  listDrops?: (containerUrl: string) => Promise<DropListing[]>;
  /** Tenants queried at the same time. Default 4 (each makes four calls at once). */
  concurrency?: number;
  rules?: Partial<HealthRules>;
}

/**
 * Every tenant's status, those that need action first, then by label. A tenant whose queries fail gets
 * the failures as problems; only a missing or refused sign-in (which would fail every query) throws.
 * @throws DropError PIPELINE_UNAVAILABLE when no Azure credential can sign in.
 */
export async function fleetStatus(outputs: StackOutputs, options: FleetStatusOptions = {}): Promise<TenantStatus[]> {
  const azure = options.azure ?? {};
  const credential = credentialFrom(azure);
  await assertSignedIn(credential);
  const { KeyClient } = keyVaultKeysSdk();
  const sources = {
    dataFactory: createDataFactoryClient(outputs.subscriptionId, azure, credential),
    keys: new KeyClient(outputs.vaultUri, credential, azure.keyClientOptions),
    // One credential for every service, so its token cache is shared; a connection string given wins.
    listDrops: options.listDrops ?? ((containerUrl: string) => listDrops(containerUrl, { credential, ...options.sourceOptions })),
    ledger: options.ledger,
  };
  const now = options.now ?? new Date();
  const rules = { ...DEFAULT_HEALTH_RULES, ...options.rules };
  const tenants = Object.entries(outputs.tenants);
  const statuses = await mapBounded(tenants, options.concurrency ?? 4, ([tenantId, tenant]) => tenantStatus(outputs, tenantId.toLowerCase(), tenant, sources, now, rules));
  return statuses.sort(byUrgency);
}

/** One clear line instead of the same sign-in failure in every row. */
async function assertSignedIn(credential: TokenCredential): Promise<void> {
  try {
    await credential.getToken(ARM_SCOPE);
  } catch (error) {
    if (!isCredentialError(error)) throw error;
    throw new DropError("PIPELINE_UNAVAILABLE", describeAzureFailure(error, "Azure Resource Manager"), { cause: error });
  }
}

const ARM_SCOPE = "https://management.azure.com/.default";

/** True when no tenant needs action. */
export function allHealthy(statuses: TenantStatus[]): boolean {
  return statuses.every((status) => status.problems.length === 0);
}

function byUrgency(a: TenantStatus, b: TenantStatus): number {
  const urgency = Number(b.problems.length > 0) - Number(a.problems.length > 0);
  return urgency || (a.label ?? a.tenantId).localeCompare(b.label ?? b.tenantId) || a.tenantId.localeCompare(b.tenantId);
}
