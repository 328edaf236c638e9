/** The marker Pulumi puts on serialized secret values (`@pulumi/pulumi/runtime/rpc` specialSigKey/specialSecretSig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Shown instead of a secret value. */
export const REDACTED = "[secret]";

/** Inputs for printing: secrets replaced by {@link REDACTED}; dynamic providers' serialized code dropped. */
export function redact(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (k === "__provider") continue;
    out[k] = redactValue(v);
  }
  return out;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return REDACTED;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}
