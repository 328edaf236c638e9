import * as policySdk from "@pulumi/policy";

/**
 * What @pulumi/policy exports at run time but does not type: the error thrown when a policy reads a
 * value that is unknown during preview, and the proxy that throws it.
 */
interface UnknownValueError extends Error {
  unknownTypeSentinel: string;
  /** Path of the property that was read. */
  props: string[];
}
interface UnknownValueSupport {
  UnknownValueError: new (unknownTypeSentinel: string, props: string[]) => UnknownValueError;
  unknownCheckingProxy: <T extends object>(props: T) => T;
}
const sdk = policySdk as unknown as UnknownValueSupport;
if (typeof sdk.UnknownValueError !== "function" || typeof sdk.unknownCheckingProxy !== "function") {
  throw new Error("@pulumi/policy no longer exports UnknownValueError and unknownCheckingProxy: policy/unknown-values.ts needs updating");
}

/** The sentinel Pulumi uses for a string it cannot know yet (the same for outputs and policy inputs). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when a policy stopped because it read a value that is unknown during preview. */
export function isUnknownValueError(error: unknown): error is UnknownValueError {
  return error instanceof sdk.UnknownValueError;
}

/** The same error with the property path prefixed (e.g. by the resource a stack policy was reading). */
export function unknownValueErrorUnder(error: UnknownValueError, prefix: string): UnknownValueError {
  return new sdk.UnknownValueError(error.unknownTypeSentinel, [prefix, ...error.props]);
}

/** Wraps props so that reading an unknown value throws, as the policy server does. */
export function unknownCheckingProxy<T extends object>(props: T): T {
  return sdk.unknownCheckingProxy(props);
}

/** What a plan prints for a value it cannot know: Pulumi's unknown marker, as an object or as the string. */
export function isUnknownMarker(value: unknown): boolean {
  if (value === UNKNOWN_STRING) return true;
  return typeof value === "object" && value !== null && (value as Record<string, unknown>).__pulumiUnknown === true;
}
