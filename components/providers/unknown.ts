/**
 * The placeholder Pulumi passes to dynamic providers (in `check` and `diff`) for input values that
 * are not yet known during a preview; the same constant as `@pulumi/pulumi/runtime/rpc` unknownValue.
 * Kept here as a literal so serialized provider code needs no Pulumi module.
 */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` is, or contains, a value Pulumi does not know yet. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_INPUT) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
