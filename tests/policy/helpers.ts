import type { PolicyResource, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyResources, resourceValidationArgs, stackValidationArgs, type PlanResource } from "../../scripts/policy/evaluate";

/** The subscription and resource group the fixtures' ARM ids live in. */
export const SUB = "/subscriptions/00000000-0000-4000-8000-00000000bbbb";
export const RG = `${SUB}/resourceGroups/contoso-dev-rg`;
export const VAULT_ID = `${RG}/providers/Microsoft.KeyVault/vaults/contoso-dev-kv`;
export const ACCOUNT_ID = `${RG}/providers/Microsoft.Storage/storageAccounts/contosodev`;
export const TENANT = "3f2b8c1e-5d4a-4c6b-9e7f-1a2b3c4d5e6f";
export const KEY_SCOPE = `${VAULT_ID}/keys/${TENANT}`;
export const SECRET_SCOPE = `${VAULT_ID}/secrets/partner-app-client-secret`;
export const CONTAINER_SCOPE = `${ACCOUNT_ID}/blobServices/default/containers/${TENANT}`;

/** A plan resource (what `npm run plan` prints) with `inputs`. */
export function planned(type: string, name: string, inputs: Record<string, unknown>, parent: string | null = null): PlanResource {
  return { type, name, parent, inputs };
}

/** A resource as the policy server hands it to policies (values in `{ __pulumiUnknown: true }` are unknown). */
export function policyResource(type: string, name: string, inputs: Record<string, unknown>): PolicyResource {
  return policyResources([planned(type, name, inputs)])[0];
}

/** The messages `policy.validateResource(args, report)` reports for one resource. */
export async function violations(policy: ResourceValidationPolicy, type: string, inputs: Record<string, unknown>, name = "res"): Promise<string[]> {
  const messages: string[] = [];
  const args = resourceValidationArgs(policyResource(type, name, inputs));
  for (const validate of ([] as ResourceValidation[]).concat(policy.validateResource ?? [])) {
    await validate(args, (message) => messages.push(message));
  }
  return messages;
}

/** The `{ message, urn }` pairs `policy.validateStack(args, report)` reports over these resources. */
export async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<{ message: string; urn?: string }[]> {
  const found: { message: string; urn?: string }[] = [];
  await policy.validateStack(stackValidationArgs(resources), (message, urn) => found.push({ message, ...(urn ? { urn } : {}) }));
  return found;
}

/** A deep copy of `value` with `change` applied: valid args, one property changed per case. */
export function changed<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}
