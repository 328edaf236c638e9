import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "./schema";
import { ConfigError } from "./validate";

/**
 * The stack's `viva-partner:*` settings as plain values: `tenants` and `readers` parsed from their
 * JSON form, every other key as the string Pulumi stores. Reads the whole namespace so misspelled keys are reported.
 */
export function readRawConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = key in STRUCTURED_KEYS ? parseList(key, value) : value;
  }
  return raw;
}

/** Settings that are YAML lists (Pulumi hands them over as JSON text), with what each must hold. */
const STRUCTURED_KEYS: Record<string, string> = {
  tenants: "a YAML list of tenant objects ({ id, ... })",
  readers: "a YAML list of reader objects ({ principalId, principalType?, deletesDrops? })",
};

function parseList(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(key, `must be ${STRUCTURED_KEYS[key]}`);
  }
}
