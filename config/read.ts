import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "./schema";
import { ConfigError } from "./validate";

/**
 * The stack's `viva-partner:*` settings as plain values: `tenants` parsed from its JSON form, every
 * other key as the string Pulumi stores. Reads the whole namespace so misspelled keys are reported.
 */
export function readRawConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = key === "tenants" ? parseTenants(value) : value;
  }
  return raw;
}

function parseTenants(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError("tenants", "must be a YAML list of tenant objects ({ id, keyExpiresOn, ... })");
  }
}
