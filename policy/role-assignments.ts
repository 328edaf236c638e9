import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";
import { ALLOWED_GRANTS, allowedScopes, BUILT_IN_ROLE_IDS, resolveRole, STACK_ROLE, type AllowedGrant, type RoleName } from "./role-grants";
import { classifyScope, type ScopeKind } from "./scopes";
import { isUnknownValueError, unknownValueErrorUnder } from "./unknown-values";

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

/** Reads a property, treating a value unknown during preview as absent. */
function readKnown(props: Record<string, unknown>, key: string): unknown {
  try {
    return props[key];
  } catch (error) {
    if (isUnknownValueError(error)) return undefined;
    throw error;
  }
}

/**
 * Every id a role defined in the stack may be referred to by, lower-cased: the GUID it is created
 * with (`roleDefinitionId` input) or got (`name` output), and the id `npm run plan` gives a resource
 * its mocks have no id for (`<logical name>-id`).
 */
export function stackRoleIds(resources: readonly Pick<PolicyResource, "type" | "name" | "props">[]): Set<string> {
  const ids = new Set<string>();
  for (const resource of resources) {
    if (resource.type !== TYPES.roleDefinition) continue;
    ids.add(`${resource.name}-id`.toLowerCase());
    for (const key of ["roleDefinitionId", "name"]) {
      const value = readKnown(resource.props, key);
      if (typeof value === "string" && value.length > 0) ids.add(value.toLowerCase());
    }
  }
  return ids;
}

/** The stack role a role assignment's roleDefinitionId comes from, when the engine tells (no value read). */
function fromStackRole(assignment: Pick<PolicyResource, "propertyDependencies">): boolean {
  return (assignment.propertyDependencies?.roleDefinitionId ?? []).some((dependency) => dependency.type === TYPES.roleDefinition);
}

/**
 * Checks one role assignment against the table: its role must be one the program grants, at a scope
 * kind the table lists for that role. Throws the SDK's unknown-value error when the role or the scope
 * cannot be known yet (during preview).
 */
export function checkRoleAssignment(
  assignment: Pick<PolicyResource, "props" | "propertyDependencies">,
  roleIds: ReadonlySet<string>,
  report: ReportViolation,
  grants: readonly AllowedGrant[] = ALLOWED_GRANTS,
): void {
  const props = assignment.props;
  const role: RoleName | undefined = fromStackRole(assignment) ? STACK_ROLE : resolveRole(props.roleDefinitionId, roleIds);
  if (role === undefined) {
    const known = Object.keys(BUILT_IN_ROLE_IDS).join(", ");
    reportProperty(report, "roleDefinitionId", `${shown(props.roleDefinitionId)} is no role this program grants (built-in: ${known}; or a custom role defined in this stack)`);
    return;
  }
  const kind = classifyScope(props.scope);
  const allowed = allowedScopes(role, grants);
  if (!allowed.includes(kind)) {
    const where = allowed.map((k) => SCOPE_WORDS[k]).join(" or ");
    reportProperty(report, "scope", `${shown(props.scope)} is ${SCOPE_WORDS[kind]}; this program grants ${role} only on ${where}`);
  }
}

/**
 * Role assignments grant only the roles this program grants, each at the narrowest scope it needs
 * (ALLOWED_GRANTS). A stack policy: a custom role's id is known only from its RoleDefinition in the
 * same stack. Assignments whose role or scope is unknown during preview are checked at `pulumi up`.
 */
export const roleAssignmentsLeastPrivilege: StackValidationPolicy = {
  name: "role-assignments-least-privilege",
  description: "Role assignments grant only the roles this program grants, at the scope kinds it grants them (key, secret, vault, container).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    const roleIds = stackRoleIds(args.resources);
    let deferred: Error | undefined;
    let unknownCount = 0;
    for (const resource of args.resources) {
      if (resource.type !== TYPES.roleAssignment) continue;
      try {
        checkRoleAssignment(resource, roleIds, (message) => report(message, resource.urn));
      } catch (error) {
        if (!isUnknownValueError(error)) throw error;
        deferred ??= unknownValueErrorUnder(error, resource.name);
        unknownCount++;
      }
    }
    // Thrown once every known assignment is checked: the SDK then notes that the policy could not run
    // fully, naming the first assignment it could not check.
    if (deferred) {
      if (unknownCount > 1) deferred.message += ` (and ${unknownCount - 1} more role assignments)`;
      throw deferred;
    }
  },
};
