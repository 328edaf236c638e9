import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/** Data-action prefixes of key management (keys, their rotation policies, deleted keys). */
const KEY_MANAGEMENT_PREFIXES = ["microsoft.keyvault/vaults/keys/", "microsoft.keyvault/vaults/keyrotationpolicies/", "microsoft.keyvault/vaults/deletedkeys/"];
/** Key operations that use a key rather than manage it: a key manager must hold none. */
export const KEY_USE_OPERATIONS: readonly string[] = ["encrypt", "decrypt", "wrap", "unwrap", "sign", "verify", "release"];

interface Permission {
  actions?: unknown[];
  dataActions?: unknown[];
}

/** Why a data action does not belong in a key-manager role, or undefined when it does. */
function dataActionProblem(action: string): string | undefined {
  const lower = action.toLowerCase();
  if (lower.includes("*")) return "is a wildcard, which includes using keys (decrypt, unwrap, sign)";
  if (!KEY_MANAGEMENT_PREFIXES.some((prefix) => lower.startsWith(prefix))) return "is not key management (keys, key rotation policies, deleted keys)";
  const operation = lower.split("/").slice(-2, -1)[0];
  if (lower.endsWith("/action") && KEY_USE_OPERATIONS.includes(operation)) return `uses keys (${operation}); a key manager must not`;
  return undefined;
}

/**
 * The custom role this program defines lets the deployer manage tenant keys (read, create, update,
 * import, delete, recover, rotate, rotation policy) but never use them, and nothing else: no
 * wildcards, no secrets or certificates, no management-plane writes (which include role assignments).
 */
export const customRoleManagesKeysOnly: ResourceValidationPolicy = {
  name: "custom-role-manages-keys-only",
  description: "Custom role definitions manage Key Vault keys only: no decrypt, unwrap, sign or other key use, no wildcards, no management-plane writes.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, report) => {
    if (args.type !== TYPES.roleDefinition) return;
    const permissions = (args.props.permissions ?? []) as Permission[];
    permissions.forEach((permission, i) => {
      (permission.actions ?? []).forEach((action, j) => {
        const text = String(action).toLowerCase();
        if (text.includes("*") || !text.endsWith("/read")) {
          reportProperty(report, `permissions[${i}].actions[${j}]`, `${shown(action)} is a management-plane write or wildcard; a key manager needs only data actions`);
        }
      });
      (permission.dataActions ?? []).forEach((action, j) => {
        const problem = dataActionProblem(String(action));
        if (problem) reportProperty(report, `permissions[${i}].dataActions[${j}]`, `${shown(action)} ${problem}`);
      });
    });
  },
};
