import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DropError, EXIT_CODES, describeError } from "../errors";

let failure: Error | undefined;
let reported = false;

/**
 * Installs the process-wide handling of stdout and stderr errors (once, before anything is written):
 * - a reader that stops early (`viva-drop … | head`) closes the pipe: not a failure of ours, exit 0;
 * - any other stdout failure (`> /dev/full`: ENOSPC, EIO…) is an output failure, exit 6, reported as one line
 *   by the command that was writing ({@link writeStdout}, {@link pipeToStdout}), or here on exit if no command
 *   was (help text);
 * - stderr failures are ignored: there is nobody left to tell, and the work itself is not affected.
 */
export function guardStdio(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT_CODES.OK);
    failure ??= error;
  });
  process.stderr.on("error", () => undefined);
  process.on("exit", () => {
    if (!failure || reported) return;
    process.stderr.write(`viva-drop: ${stdoutError(failure).message}\n`);
    process.exitCode = EXIT_CODES.OUTPUT;
  });
}

/** Writes `text` to stdout; rejects with OUTPUT_FAILED when it cannot be written. */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? settleFailure(error, resolve, reject) : resolve()));
  });
}

/** Streams `data` to stdout (left open). A reader that closes the pipe early ends it quietly. */
export async function pipeToStdout(data: Readable): Promise<void> {
  try {
    await pipeline(data, process.stdout, { end: false });
  } catch (error) {
    if (error instanceof DropError || !isStdoutError(error)) throw error;
    await new Promise<void>((resolve, reject) => settleFailure(error as Error, resolve, reject));
  }
}

function settleFailure(error: Error, resolve: () => void, reject: (error: DropError) => void): void {
  if ((error as NodeJS.ErrnoException).code === "EPIPE") return resolve();
  reported = true;
  reject(stdoutError(error));
}

function isStdoutError(error: unknown): boolean {
  return error === failure || (typeof error === "object" && error !== null && (error as NodeJS.ErrnoException).syscall === "write");
}

function stdoutError(error: Error): DropError {
  return new DropError("OUTPUT_FAILED", `cannot write to stdout: ${describeError(error)}`, { cause: error });
}
