import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PrincipalType } from "../config";

/** Built-in Azure role definition GUIDs (the same in every subscription). */
export const BUILT_IN_ROLES = {
  /** Read keys and use them (encrypt/decrypt/wrap/unwrap): what Graph Data Connect (as the app) and drop readers need. */
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  /** Read secret values: what a factory needs for the app secret. */
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Read, write and delete blobs: what the app needs in a tenant's container, and readers that delete drops. */
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  /** Read and list blobs: what a drop reader needs. */
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
} as const;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/**
 * The custom role the deployer gets on the vault instead of Key Vault Crypto Officer: manage
 * tenant keys (read, create, update, import, delete, recover, rotate, rotation policy) without
 * being able to use them — no decrypt, unwrap, sign, release, backup, restore or purge. Action
 * names from Microsoft's resource provider operations list (Microsoft.KeyVault data actions).
 */
export const KEY_MANAGER_ROLE = {
  roleName: "Viva Partner Key Manager",
  description: "Manages the viva-partner tenant keys of one vault (create, import, re-date, rotate, delete, recover) without using them: no decrypt, unwrap, sign or purge.",
  dataActions: [
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keys/create/action",
    "Microsoft.KeyVault/vaults/keys/update/action",
    "Microsoft.KeyVault/vaults/keys/import/action",
    "Microsoft.KeyVault/vaults/keys/delete",
    "Microsoft.KeyVault/vaults/keys/recover/action",
    "Microsoft.KeyVault/vaults/keys/rotate/action",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
  ],
} as const;

/** Every role this program grants: the built-in ones and the custom key-manager role. */
export type GrantedRole = BuiltInRole | "keyManager";

/** The kinds of resource this program grants roles on. */
export type ScopeKind = "vault" | "key" | "secret" | "container";

/** Who receives roles: the identity running `pulumi up`, the partner app's service principal, a factory's system identity, a configured drop reader. */
export type GranteeKind = "deployer" | "app" | "factory" | "reader";

/** One kind of role assignment this program makes. */
export interface RoleGrantKind {
  role: GrantedRole;
  grantee: GranteeKind;
  scope: ScopeKind;
}

/**
 * Every (role, grantee, scope kind) this program assigns — nothing else. `grantRole` refuses any
 * other combination, so this table is the program's whole access model; the policy pack accepts
 * exactly these grants.
 */
export const ROLE_GRANTS: readonly RoleGrantKind[] = [
  { role: "keyManager", grantee: "deployer", scope: "vault" },
  { role: "keyVaultCryptoUser", grantee: "app", scope: "key" },
  { role: "keyVaultCryptoUser", grantee: "reader", scope: "key" },
  { role: "keyVaultSecretsUser", grantee: "factory", scope: "secret" },
  { role: "storageBlobDataContributor", grantee: "app", scope: "container" },
  { role: "storageBlobDataReader", grantee: "reader", scope: "container" },
  { role: "storageBlobDataContributor", grantee: "reader", scope: "container" },
];

const ARM_RESOURCE_GROUP = "/subscriptions/[^/]+/resourceGroups/[^/]+/providers";
/** ARM resource ids of each scope kind. */
export const SCOPE_PATTERNS: Record<ScopeKind, RegExp> = {
  vault: new RegExp(`^${ARM_RESOURCE_GROUP}/Microsoft\\.KeyVault/vaults/[^/]+$`, "i"),
  key: new RegExp(`^${ARM_RESOURCE_GROUP}/Microsoft\\.KeyVault/vaults/[^/]+/keys/[^/]+$`, "i"),
  secret: new RegExp(`^${ARM_RESOURCE_GROUP}/Microsoft\\.KeyVault/vaults/[^/]+/secrets/[^/]+$`, "i"),
  container: new RegExp(`^${ARM_RESOURCE_GROUP}/Microsoft\\.Storage/storageAccounts/[^/]+/blobServices/default/containers/[^/]+$`, "i"),
};

/** The kind of scope an ARM resource id names, or undefined when it is none this program grants on. */
export function scopeKindOf(scope: string): ScopeKind | undefined {
  return (Object.keys(SCOPE_PATTERNS) as ScopeKind[]).find((kind) => SCOPE_PATTERNS[kind].test(scope));
}

/** The GUID of a vault's key-manager role definition: derived from the vault id, so every deployment of the stack names the same one. */
export function keyManagerRoleGuid(vaultId: string): string {
  const h = createHash("sha256").update(`viva-partner key manager ${vaultId.toLowerCase()}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The key-manager role definition. Custom roles can be made assignable at resource-group level
 * at the narrowest (role-definitions.md, "AssignableScopes"), so it is defined in and assignable
 * within the vault's resource group; the one assignment is on the vault. Role names are unique
 * per Entra tenant, so the vault's name is part of it.
 */
export function keyManagerRoleDefinitionArgs(vaultId: pulumi.Input<string>, vaultName: pulumi.Input<string>): authorization.RoleDefinitionArgs {
  const resourceGroupId = pulumi.output(vaultId).apply(resourceGroupOf);
  return {
    roleDefinitionId: pulumi.output(vaultId).apply(keyManagerRoleGuid),
    roleName: pulumi.interpolate`${KEY_MANAGER_ROLE.roleName} (${vaultName})`,
    description: KEY_MANAGER_ROLE.description,
    roleType: "CustomRole",
    scope: resourceGroupId,
    assignableScopes: [resourceGroupId],
    permissions: [{ actions: [], notActions: [], dataActions: [...KEY_MANAGER_ROLE.dataActions], notDataActions: [] }],
  };
}

/** `/subscriptions/<s>/resourceGroups/<g>` of an ARM resource id. */
export function resourceGroupOf(resourceId: string): string {
  const match = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(resourceId);
  if (!match) throw new Error(`${resourceId} is not the ARM id of a resource in a resource group`);
  return match[0];
}

/** Full role definition id of a built-in role in the subscription. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: BuiltInRole): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}

/** Who gets which role where. */
export interface RoleGrant {
  /** Resource id the role is limited to: as narrow as the role allows. */
  scope: pulumi.Input<string>;
  /** What kind of resource `scope` is; must match a {@link ROLE_GRANTS} row. */
  scopeKind: ScopeKind;
  principalId: pulumi.Input<string>;
  /**
   * Stated explicitly: a new service principal may not have replicated yet, and Azure then needs the
   * type to accept the assignment.
   */
  principalType: pulumi.Input<PrincipalType>;
  grantee: GranteeKind;
  /** A built-in role, or the key-manager role with the id of its definition. */
  role: BuiltInRole | { keyManager: pulumi.Input<string> };
  subscriptionId: pulumi.Input<string>;
}

/** Declares one role assignment; a (role, grantee, scope) outside {@link ROLE_GRANTS} is a programming error. */
export function grantRole(name: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  const role: GrantedRole = typeof grant.role === "string" ? grant.role : "keyManager";
  if (!ROLE_GRANTS.some((g) => g.role === role && g.grantee === grant.grantee && g.scope === grant.scopeKind)) {
    throw new Error(`${name}: ${role} for ${grant.grantee} on a ${grant.scopeKind} is not one of the grants in components/roles.ts ROLE_GRANTS`);
  }
  return new authorization.RoleAssignment(
    name,
    {
      scope: grant.scope,
      principalId: grant.principalId,
      principalType: grant.principalType,
      roleDefinitionId: typeof grant.role === "string" ? roleDefinitionId(grant.subscriptionId, grant.role) : grant.role.keyManager,
    },
    opts,
  );
}
