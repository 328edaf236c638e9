import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";
import { BUILT_IN_ROLE_IDS, builtInRole, checkGrantScope, resolveRole, STACK_ROLE } from "./role-grants";
import { isUnknownValueError, unknownValueErrorUnder } from "./unknown-values";

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

/** True when the engine reports that the assignment's roleDefinitionId comes from a RoleDefinition. */
function fromStackRole(assignment: Pick<PolicyResource, "propertyDependencies">): boolean {
  return (assignment.propertyDependencies?.roleDefinitionId ?? []).some((dependency) => dependency.type === TYPES.roleDefinition);
}

/**
 * Checks one role assignment of a role that is not built in: it must be a role defined in this
 * stack, at a scope kind ALLOWED_GRANTS lists for such roles. Throws the SDK's unknown-value error
 * when the role or the scope cannot be known yet (during preview).
 */
export function checkStackRoleAssignment(assignment: Pick<PolicyResource, "props" | "propertyDependencies">, roleIds: ReadonlySet<string>, report: (message: string) => void): void {
  const props = assignment.props;
  if (!fromStackRole(assignment)) {
    if (builtInRole(props.roleDefinitionId)) return; // role-assignments-least-privilege checks it
    if (resolveRole(props.roleDefinitionId, roleIds) !== STACK_ROLE) {
      const known = Object.keys(BUILT_IN_ROLE_IDS).join(", ");
      reportProperty(report, "roleDefinitionId", `${shown(props.roleDefinitionId)} is no role this program grants (built-in: ${known}; or a custom role defined in this stack)`);
      return;
    }
  }
  checkGrantScope(STACK_ROLE, props.scope, report);
}

/**
 * Every role assignment's role is a built-in role this program grants or a custom role defined in
 * the same stack, the latter only at the scope kinds ALLOWED_GRANTS lists for it. A stack policy:
 * a custom role's id is known only from its RoleDefinition. Assignments whose role or scope is
 * unknown during preview are checked at `pulumi up`.
 */
export const roleAssignmentsKnownRoles: StackValidationPolicy = {
  name: "role-assignments-known-roles",
  description: "Role assignments grant only built-in roles this program grants or a custom role defined in this stack (the latter only on the vault).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    const roleIds = stackRoleIds(args.resources);
    let deferred: Error | undefined;
    let unknownCount = 0;
    for (const resource of args.resources) {
      if (resource.type !== TYPES.roleAssignment) continue;
      try {
        checkStackRoleAssignment(resource, roleIds, (message) => report(message, resource.urn));
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
