import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PrincipalType } from "../config";

/** Built-in Azure role definition GUIDs (the same in every subscription). */
export const BUILT_IN_ROLES = {
  /** Read keys and use them (encrypt/decrypt/wrap): what Graph Data Connect and the app need. */
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  /** Create, update, rotate and delete keys: what the deployer's data-plane calls need. */
  keyVaultCryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  /** Read secret values: what a factory needs for the app secret. */
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Read, write and delete blobs: what the app needs in a tenant's container. */
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
} as const;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** Full role definition id of a built-in role in the subscription. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: BuiltInRole): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}

/** Who gets which built-in role where. */
export interface RoleGrant {
  /** Resource id the role is limited to: as narrow as the role allows. */
  scope: pulumi.Input<string>;
  principalId: pulumi.Input<string>;
  /**
   * Stated explicitly: a new service principal may not have replicated yet, and Azure then needs the
   * type to accept the assignment.
   */
  principalType: pulumi.Input<PrincipalType>;
  role: BuiltInRole;
  subscriptionId: pulumi.Input<string>;
}

/** Declares one role assignment. */
export function grantRole(name: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      scope: grant.scope,
      principalId: grant.principalId,
      principalType: grant.principalType,
      roleDefinitionId: roleDefinitionId(grant.subscriptionId, grant.role),
    },
    opts,
  );
}
