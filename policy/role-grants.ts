import type { ReportViolation } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { classifyScope, type ScopeKind } from "./scopes";

/** Built-in Azure role definition GUIDs (the same in every subscription), by the role's name. */
export const BUILT_IN_ROLE_IDS = {
  "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
} as const;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLE_IDS;

/** A role defined by an azure-native RoleDefinition in the same stack (the deployer's key manager). */
export const STACK_ROLE = "a custom role defined in this stack";

export type RoleName = BuiltInRoleName | typeof STACK_ROLE;

/** One role this program grants, the kind of scope it grants it at, and to whom (for people). */
export interface AllowedGrant {
  role: RoleName;
  scope: ScopeKind;
  grantee: string;
}

/**
 * Every (role, scope kind) pair the program may grant; anything else is a violation. This table is
 * the whole rule: change it here when the program's grants change.
 */
export const ALLOWED_GRANTS: readonly AllowedGrant[] = [
  { role: STACK_ROLE, scope: "vault", grantee: "the deployer: manages tenant keys without using them (custom key-manager role)" },
  { role: "Key Vault Crypto User", scope: "key", grantee: "the partner app (Graph Data Connect) and the readers, on each tenant key" },
  { role: "Key Vault Secrets User", scope: "secret", grantee: "each factory's identity, on the app secret" },
  { role: "Storage Blob Data Contributor", scope: "container", grantee: "the partner app (the copy's sink) and readers that delete drops, on each tenant container" },
  { role: "Storage Blob Data Reader", scope: "container", grantee: "the readers, on each tenant container" },
];

/** The scope kinds the table allows for a role (empty for a role it never grants). */
export function allowedScopes(role: RoleName, grants: readonly AllowedGrant[] = ALLOWED_GRANTS): ScopeKind[] {
  return [...new Set(grants.filter((g) => g.role === role).map((g) => g.scope))];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The GUID a role definition id ends in (`…/roleDefinitions/<guid>` or a bare GUID), lower-cased. */
export function roleGuid(roleDefinitionId: string): string | undefined {
  const last = roleDefinitionId.replace(/\/+$/, "").split("/").pop() ?? "";
  return GUID.test(last) ? last.toLowerCase() : undefined;
}

/** The built-in role a role definition id names (by its GUID), or undefined for any other role. */
export function builtInRole(roleDefinitionId: unknown): BuiltInRoleName | undefined {
  if (typeof roleDefinitionId !== "string") return undefined;
  const guid = roleGuid(roleDefinitionId);
  return (Object.keys(BUILT_IN_ROLE_IDS) as BuiltInRoleName[]).find((name) => BUILT_IN_ROLE_IDS[name] === guid);
}

/**
 * The role a role definition id names: a built-in role by its GUID, or a role of this stack when
 * the id (or its GUID) is one of `stackRoleIds`. Undefined for any other role.
 */
export function resolveRole(roleDefinitionId: unknown, stackRoleIds: ReadonlySet<string>): RoleName | undefined {
  if (typeof roleDefinitionId !== "string") return undefined;
  const builtIn = builtInRole(roleDefinitionId);
  if (builtIn) return builtIn;
  const guid = roleGuid(roleDefinitionId);
  if (stackRoleIds.has(roleDefinitionId.toLowerCase()) || (guid !== undefined && stackRoleIds.has(guid))) return STACK_ROLE;
  return undefined;
}

/** How a scope kind reads in a message. */
const SCOPE_WORDS: Record<ScopeKind, string> = {
  key: "a key",
  secret: "a secret",
  vault: "a vault",
  container: "a blob container",
  account: "a storage account",
  resourceGroup: "a resource group",
  subscription: "a subscription",
  managementGroup: "a management group or the tenant root",
  other: "something that is not an Azure resource id",
  unknown: "a scope the plan cannot know",
};

/** Reports a role assignment whose scope is not a kind the table allows for its role. */
export function checkGrantScope(role: RoleName, scope: unknown, report: ReportViolation, grants: readonly AllowedGrant[] = ALLOWED_GRANTS): void {
  const kind = classifyScope(scope);
  const allowed = allowedScopes(role, grants);
  if (allowed.includes(kind)) return;
  const where = allowed.length > 0 ? allowed.map((k) => SCOPE_WORDS[k]).join(" or ") : "no scope at all";
  reportProperty(report, "scope", `${shown(scope)} is ${SCOPE_WORDS[kind]}; this program grants ${role} only on ${where}`);
}
