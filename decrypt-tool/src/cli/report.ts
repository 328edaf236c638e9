import { DropError, EXIT_CODES, describeError } from "../errors";
import { redactLocation } from "../source/blob-location";
import { inCliTerms } from "./flag-names";

/**
 * Writes the one-line report of a failure to stderr and sets the process exit code.
 * Format: `viva-drop: <drop>: <cause>`, the drop without a SAS signature, options named by their flags.
 * @returns the exit code.
 */
export function reportFailure(error: unknown, drop: string | undefined, verbose = false): number {
  const isExpected = error instanceof DropError;
  const cause = isExpected ? inCliTerms(error.message) : `unexpected error: ${describeError(error)}`;
  process.stderr.write(`viva-drop: ${drop ? `${redactLocation(drop)}: ` : ""}${cause}\n`);
  if (verbose && !isExpected && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  const exitCode = isExpected ? error.exitCode : EXIT_CODES.UNEXPECTED;
  process.exitCode = exitCode;
  return exitCode;
}

/** Runs a command's work for `drop`, reporting any failure as one line with the right exit code. */
export async function runForDrop(drop: string, verbose: boolean, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    reportFailure(error, drop, verbose);
  }
}

/** A note on stderr (never stdout, which carries data). */
export function note(drop: string, text: string): void {
  process.stderr.write(`viva-drop: ${redactLocation(drop)}: ${text}\n`);
}
