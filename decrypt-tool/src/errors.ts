/**
 * Typed errors for everything that can go wrong while reading a drop.
 * Every error carries a stable `code` (for programs) and the process exit code the CLI uses.
 */

/** Process exit codes of the `viva-drop` command. */
export const EXIT_CODES = {
  /** Success. */
  OK: 0,
  /** A bug or an unexpected failure (please report it). */
  UNEXPECTED: 1,
  /** Bad command line: unknown option, missing argument, conflicting options. */
  USAGE: 2,
  /** The drop or source is missing, unreadable or malformed, or the service reported a failed run. */
  BAD_DROP: 3,
  /** The file key could not be unwrapped: key missing, no access, wrong key, unknown key text. */
  KEY: 4,
  /** Decryption or verification failed: wrong key, tampering, truncation, bad JSON, wrong row count. */
  VERIFY: 5,
  /** The output could not be written: the requested output file, or stdout. */
  OUTPUT: 6,
  /** `run`: the pipeline run failed, was cancelled, or did not finish within the timeout. */
  PIPELINE_RUN: 7,
  /** `status`: at least one tenant needs action. */
  NEEDS_ACTION: 8,
} as const;

/** Stable error codes and the exit code each one maps to. */
export const DROP_ERROR_EXIT_CODES = {
  USAGE: EXIT_CODES.USAGE,
  SOURCE_NOT_FOUND: EXIT_CODES.BAD_DROP,
  SOURCE_UNREADABLE: EXIT_CODES.BAD_DROP,
  METADATA_MISSING: EXIT_CODES.BAD_DROP,
  METADATA_INVALID: EXIT_CODES.BAD_DROP,
  RUN_FAILED: EXIT_CODES.BAD_DROP,
  DATA_MISSING: EXIT_CODES.BAD_DROP,
  KEY_UNAVAILABLE: EXIT_CODES.KEY,
  KEY_PADDING_UNSUPPORTED: EXIT_CODES.KEY,
  KEY_UNWRAP_FAILED: EXIT_CODES.KEY,
  KEY_TEXT_INVALID: EXIT_CODES.KEY,
  DECRYPT_FAILED: EXIT_CODES.VERIFY,
  DATA_CORRUPT: EXIT_CODES.VERIFY,
  JSON_INVALID: EXIT_CODES.VERIFY,
  ROW_COUNT_MISMATCH: EXIT_CODES.VERIFY,
  OUTPUT_FAILED: EXIT_CODES.OUTPUT,
  PIPELINE_UNAVAILABLE: EXIT_CODES.BAD_DROP,
  PIPELINE_RUN_FAILED: EXIT_CODES.PIPELINE_RUN,
  /** `run --ingest`: ingest rejected the run's drop (decryption or verification failed; the reason says which). */
  DROP_REJECTED: EXIT_CODES.VERIFY,
} as const;

/** A stable, documented error code. */
export type DropErrorCode = keyof typeof DROP_ERROR_EXIT_CODES;

/** An expected failure reading a drop: `message` is one human line, `code` is stable. */
export class DropError extends Error {
  readonly code: DropErrorCode;
  readonly exitCode: number;

  constructor(code: DropErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DropError";
    this.code = code;
    this.exitCode = DROP_ERROR_EXIT_CODES[code];
  }
}

/** True when `error` is a {@link DropError}, optionally with the given code. */
export function isDropError(error: unknown, code?: DropErrorCode): error is DropError {
  return error instanceof DropError && (code === undefined || error.code === code);
}

/**
 * How a library message names one of the library's options (or functions): in backticks, `privateKeyPem`.
 * The CLI prints the matching flag instead (--private-key), so each message is written once, in library terms.
 */
export function libraryTerm(name: string): string {
  return `\`${name}\``;
}

/** The message of any thrown value, on one line. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}
