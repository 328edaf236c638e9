import type { z } from "zod";
import { DropError, libraryTerm } from "./errors";

/**
 * USAGE error for the first problem zod found in `input`, naming the option in library terms
 * (`` `parts` 0: must be at least 1 ``; the CLI shows its flag) or, given `flags`, by its flag. A string or
 * number value is shown.
 */
export function usageErrorFrom(error: z.ZodError, input: object, flags: Record<string, string> = {}): DropError {
  const issue = error.issues[0];
  const field = String(issue.path[0] ?? "");
  const value = (input as Record<string, unknown>)[field];
  const shown = typeof value === "string" || typeof value === "number" ? ` ${JSON.stringify(value)}` : "";
  return new DropError("USAGE", `${flags[field] ?? libraryTerm(field)}${shown}: ${issue.message}`);
}
