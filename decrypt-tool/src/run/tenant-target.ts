import type { PipelineTarget } from "../data-factory";
import { type StackOutputs, tenantOutputs } from "../stack-outputs";

/** Everything `run` needs about one tenant, from the stack outputs. */
export interface TenantRunTarget {
  tenantId: string;
  label?: string;
  target: PipelineTarget;
  /** The tenant's container URL (where the run's drop folders appear). */
  containerUrl: string;
  usersDataset: boolean;
  /** The stack's Key Vault, the default for ingest's key. */
  vaultUri: string;
}

/** The tenant's factory, pipeline and container from the stack outputs. @throws DropError USAGE for an unknown tenant */
export function runTargetFromOutputs(outputs: StackOutputs, tenantId: string, source: string): TenantRunTarget {
  const tenant = tenantOutputs(outputs, tenantId, source);
  return {
    tenantId: tenant.tenantId,
    label: tenant.label ?? undefined,
    target: { subscriptionId: outputs.subscriptionId, resourceGroupName: outputs.resourceGroupName, factoryName: tenant.factory, pipelineName: tenant.pipeline },
    containerUrl: tenant.containerUrl,
    usersDataset: tenant.usersDataset,
    vaultUri: outputs.vaultUri,
  };
}
