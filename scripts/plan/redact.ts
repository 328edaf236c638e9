/** The marker Pulumi puts on serialized secret values (`@pulumi/pulumi/runtime/rpc` specialSigKey/specialSecretSig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Shown instead of a secret value. */
export const REDACTED = "[secret]";

/** The input in which Pulumi passes a dynamic resource's serialized provider (code, kept in the state). */
export const SERIALIZED_PROVIDER_KEY = "__provider";

/** How the plan shows a serialized provider: its size, which is what lands in the state for every such resource. */
export function describeSerializedProvider(text: string): string {
  return `[serialized provider: ${Buffer.byteLength(text, "utf8")} bytes]`;
}

/** The size in bytes a {@link describeSerializedProvider} text stands for, or undefined for any other value. */
export function serializedProviderBytes(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^\[serialized provider: (\d+) bytes\]$/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

/** Inputs for printing: secrets replaced by {@link REDACTED}; a dynamic provider's serialized code by its size. */
export function redact(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    out[k] = k === SERIALIZED_PROVIDER_KEY && typeof v === "string" ? describeSerializedProvider(v) : redactValue(v);
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
