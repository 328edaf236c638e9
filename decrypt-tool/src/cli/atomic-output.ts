import { randomBytes } from "node:crypto";
import { createWriteStream, unlinkSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DropError, describeError } from "../errors";

/**
 * Streams `data` into `file` atomically: into a temp file (mode 0600, decrypted rows are personal data) next
 * to it, renamed over `file` only when everything succeeded. On failure or Ctrl-C the temp file is removed,
 * so `file` is either complete or untouched.
 */
export async function writeFileAtomically(file: string, data: Readable): Promise<void> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.partial`);
  const removeTempOnSignal = (signal: NodeJS.Signals): void => {
    removeQuietly(temp);
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", removeTempOnSignal);
  process.once("SIGTERM", removeTempOnSignal);
  try {
    const out = createWriteStream(temp, { flags: "wx", mode: 0o600 });
    await pipeline(data, out).catch((error: unknown) => {
      throw error instanceof DropError ? error : outputError(file, error);
    });
    await rename(temp, target).catch((error: unknown) => {
      throw outputError(file, error);
    });
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    process.removeListener("SIGINT", removeTempOnSignal);
    process.removeListener("SIGTERM", removeTempOnSignal);
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
