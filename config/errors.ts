import { NAMESPACE } from "./schema";

/** A config problem: one field, one rule. The message is what the user sees. */
export class ConfigError extends Error {
  constructor(
    /** Path below the namespace, e.g. `tenants[1].keyExpiresOn`. */
    readonly field: string,
    /** The rule the value breaks. */
    readonly rule: string,
  ) {
    super(`${NAMESPACE}:${field}: ${rule}`);
    this.name = "ConfigError";
  }
}
