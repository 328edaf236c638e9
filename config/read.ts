import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "./schema";
import { ConfigError } from "./validate";

/** Settings that are YAML lists: Pulumi hands them to the program as JSON text. */
const LIST_SETTINGS: Record<string, string> = {
  tenants: "must be a YAML list of tenant objects ({ id, ... })",
  regions: "must be a YAML list of Azure regions ([westeurope, northeurope])",
  readers: "must be a YAML list of reader objects ({ principalId, principalType?, deletesDrops? })",
};

/**
 * The stack's `viva-partner:*` settings as plain values: the lists (`tenants`, `regions`,
 * `readers`) parsed from their JSON form, every other key as the string Pulumi stores. Reads the
 * whole namespace so misspelled keys are reported.
 */
export function readRawConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = Object.hasOwn(LIST_SETTINGS, key) ? parseList(key, value) : value;
  }
  return raw;
}

function parseList(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(key, LIST_SETTINGS[key]);
  }
}
