import { randomBytes } from "node:crypto";
import { createWriteStream, unlinkSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DropError, describeError } from "../errors";
import { runOnExit } from "./exit-cleanup";

/**
 * Streams `data` into `file` atomically: into a temp file (mode 0600, decrypted rows are personal data) next
 * to it, renamed over `file` only when everything succeeded. On failure, on any terminating signal (Ctrl-C,
 * the terminal closing, a supervisor's SIGTERM, a broken pipe) and on a crash the temp file is removed, so
 * `file` is either complete or untouched. `shown` is how messages name the file (default: `file`).
 */
export async function writeFileAtomically(file: string, data: Readable, shown: string = file): Promise<void> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.partial`);
  const release = runOnExit({ run: () => removeQuietly(temp), endOnBrokenPipe: true });
  try {
    const out = createWriteStream(temp, { flags: "wx", mode: 0o600 });
    await pipeline(data, out).catch((error: unknown) => {
      throw error instanceof DropError ? error : outputError(shown, error);
    });
    await rename(temp, target).catch((error: unknown) => {
      throw outputError(shown, error);
    });
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    release();
  }
}

function outputError(file: string, error: unknown): DropError {
  return new DropError("OUTPUT_FAILED", `cannot write ${file}: ${describeError(error)}`, { cause: error });
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
