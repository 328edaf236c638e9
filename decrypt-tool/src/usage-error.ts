import type { z } from "zod";
import { DropError } from "./errors";

/**
 * USAGE error for the first problem zod found in `input`, named by its flag: `--parts "0": must be at least 1`.
 * `flags` maps option names to flags; a string or number value is shown.
 */
export function usageErrorFrom(error: z.ZodError, input: object, flags: Record<string, string>): DropError {
  const issue = error.issues[0];
  const field = String(issue.path[0] ?? "");
  const value = (input as Record<string, unknown>)[field];
  const shown = typeof value === "string" || typeof value === "number" ? ` ${JSON.stringify(value)}` : "";
  return new DropError("USAGE", `${flags[field] ?? field}${shown}: ${issue.message}`);
}
