import { readFileSync } from "node:fs";
import { z } from "zod";
import type { PlanResource } from "./evaluate";

/** A plan file that cannot be checked: missing, unreadable, not JSON, or not a plan. */
export class PlanFileError extends Error {}

const planSchema = z.array(
  z.object({
    type: z.string().min(1),
    name: z.string().min(1),
    parent: z.string().nullable(),
    inputs: z.record(z.string(), z.unknown()),
  }),
);

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/**
 * `npm run plan -- … > plan.json` (without --silent) puts npm's banner (`> viva-partner@… plan`,
 * `> node …`, a blank line) before the JSON; that banner, and only it, is skipped.
 */
function withoutNpmBanner(text: string): string {
  return text.replace(/^\n*(?:> [^\n]*\n)+\s*(?=\[)/, "");
}

/** Reads a saved `npm run plan` output (a JSON list of `{type, name, parent, inputs}`). */
export function readPlanFile(path: string): PlanResource[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new PlanFileError(`cannot read plan ${path}: ${READ_ERRORS[code] ?? code ?? String(error)}`);
  }
  if (text.trim() === "") throw new PlanFileError(`${path} is empty: expected the JSON that \`npm run plan\` prints`);
  let json: unknown;
  try {
    json = JSON.parse(withoutNpmBanner(text));
  } catch {
    // The parser's message quotes the file's text; a wrong file may hold secrets, so it is not shown.
    throw new PlanFileError(`${path} is not JSON: expected the JSON that \`npm run plan\` prints`);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new PlanFileError(`${path} is not an \`npm run plan\` output: ${at ? `${at.replace(/^\./, "")}: ` : ""}${issue.message}`);
  }
  return parsed.data;
}
