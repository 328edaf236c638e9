import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { UNREADABLE_SECRET } from "../../config";

/** A problem with the config file itself (missing, not YAML, no config map). */
export class ConfigFileError extends Error {}

/**
 * Reads a Pulumi stack file (`config:` map of `project:key` → value) into the flat string map Pulumi
 * hands a program: scalars as text, lists and objects as JSON, secure values (also nested ones) as
 * a placeholder.
 */
export function readStackConfigFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigFileError(`${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new ConfigFileError(`${path}: "config" must be a map of settings`);
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (isSecure(value)) flat[key] = UNREADABLE_SECRET;
    else flat[key] = typeof value === "object" && value !== null ? JSON.stringify(withoutSecureValues(value)) : String(value);
  }
  return flat;
}

/** A copy with every nested `{ secure: … }` (e.g. `pulumi config set --secret --path`) replaced by the placeholder. */
function withoutSecureValues(value: unknown): unknown {
  if (isSecure(value)) return UNREADABLE_SECRET;
  if (Array.isArray(value)) return value.map(withoutSecureValues);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecureValues(v)]));
  return value;
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
