import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./resource-types";
import { builtInRole, checkGrantScope } from "./role-grants";

/**
 * A role assignment of a built-in role grants it only at a scope kind ALLOWED_GRANTS lists for it.
 * A resource policy, so a grant that is too broad is stopped before it is created. Assignments of
 * any other role are the stack policy `role-assignments-known-roles`'s to check.
 */
export const roleAssignmentsLeastPrivilege: ResourceValidationPolicy = {
  name: "role-assignments-least-privilege",
  description: "Role assignments of built-in roles grant them only at the scope kinds this program grants them (key, secret, vault, container).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, report) => {
    if (args.type !== TYPES.roleAssignment) return;
    const role = builtInRole(args.props.roleDefinitionId);
    if (role) checkGrantScope(role, args.props.scope, report);
  },
};
