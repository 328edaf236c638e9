import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/**
 * The vault holds every tenant's private key: access only through Azure RBAC (so role assignments,
 * which the role policy checks, are the whole story), and a deleted key stays recoverable.
 */
export const keyVaultProtected: ResourceValidationPolicy = {
  name: "key-vault-protected",
  description: "Key Vaults use Azure RBAC, soft delete and purge protection.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, report) => {
    if (args.type !== TYPES.vault) return;
    const properties = (args.props.properties ?? {}) as Record<string, unknown>;
    for (const flag of ["enableRbacAuthorization", "enableSoftDelete", "enablePurgeProtection"]) {
      if (properties[flag] !== true) reportProperty(report, `properties.${flag}`, `must be true, is ${shown(properties[flag])}`);
    }
  },
};
