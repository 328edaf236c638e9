import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DropError, describeError } from "./errors";
import { GUID_PATTERN } from "./guid";

const text = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" });
const url = text.refine((value) => URL.canParse(value), { error: "must be a URL" });
const isoInstant = text.refine((value) => !Number.isNaN(Date.parse(value)), { error: "must be an ISO 8601 date-time" });

/** One customer tenant as the stack exports it (components/program.ts). */
const tenantOutputsSchema = z.object({
  label: z.string({ error: "must be a string" }).nullish(),
  location: text,
  storageAccountName: text,
  container: text,
  containerUrl: url,
  factory: text,
  pipeline: text,
  trigger: text,
  paused: z.boolean({ error: "must be true or false" }),
  usersDataset: z.boolean({ error: "must be true or false" }),
  keyName: text,
  keyId: url,
});

/**
 * What `viva-drop run` and `status` read from `pulumi stack output --json`: the stack outputs contract
 * (both topologies export it). Other outputs may be present and are ignored.
 */
const stackOutputsSchema = z.object({
  subscriptionId: text,
  resourceGroupName: text,
  vaultUri: url,
  appSecretEndDate: isoInstant,
  tenants: z.record(
    z.string().regex(GUID_PATTERN, { error: "must be keyed by tenant GUID" }),
    tenantOutputsSchema,
    { error: "must be an object keyed by tenant GUID" },
  ),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;
export type TenantOutputs = z.infer<typeof tenantOutputsSchema>;

/**
 * Validates parsed stack outputs. `source` names them in messages (the file).
 * @throws DropError USAGE naming the first field that is missing or wrong, e.g.
 *   `outputs.json: tenants.<guid>.factory is missing`.
 */
export function parseStackOutputs(value: unknown, source: string): StackOutputs {
  const result = stackOutputsSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join(".") || "(top level)";
  const why = issue.code === "invalid_type" && valueAt(value, issue.path) === undefined ? "is missing" : issue.message;
  throw new DropError("USAGE", `${source}: ${field} ${why} (expected \`pulumi stack output --json\` of a viva-partner stack)`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((inner, key) => (inner !== null && typeof inner === "object" ? (inner as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** Reads and validates a `pulumi stack output --json` file. */
export async function readStackOutputs(file: string): Promise<StackOutputs> {
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (error) {
    throw new DropError("USAGE", `--stack-outputs ${file}: cannot read it: ${describeError(error)}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new DropError("USAGE", `--stack-outputs ${file}: not JSON (${describeError(error)}); write it with \`pulumi stack output --json > ${file}\``, { cause: error });
  }
  return parseStackOutputs(value, `--stack-outputs ${file}`);
}

/** A tenant's outputs by tenant GUID (any case). @throws DropError USAGE listing the known tenants. */
export function tenantOutputs(outputs: StackOutputs, tenantId: string, source: string): TenantOutputs & { tenantId: string } {
  const id = tenantId.toLowerCase();
  const entry = Object.entries(outputs.tenants).find(([key]) => key.toLowerCase() === id);
  if (entry) return { ...entry[1], tenantId: entry[0].toLowerCase() };
  const known = Object.keys(outputs.tenants);
  const list = known.length === 0 ? "it has no tenants" : `its tenants: ${known.join(", ")}`;
  throw new DropError("USAGE", `--tenant ${tenantId}: not in ${source} (${list})`);
}
