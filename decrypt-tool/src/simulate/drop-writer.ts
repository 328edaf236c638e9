import type { Writable } from "node:stream";

/**
 * Writes one run folder so that a failure leaves nothing behind: files go somewhere invisible or are
 * deleted again on {@link DropWriter.abort}.
 */
export interface DropWriter {
  /** Where the finished drop is: a folder path or a storage URL (without any SAS token). */
  readonly location: string;
  /** Checks the destination and that the run folder does not exist yet. */
  prepare(): Promise<void>;
  /** Writes one file of the drop; `write` streams the content into `destination` and resolves when done. */
  writeFile(path: string, write: (destination: Writable) => Promise<void>): Promise<void>;
  /** Makes the finished drop visible. */
  commit(): Promise<void>;
  /** Removes everything written so far. Never throws. */
  abort(): Promise<void>;
}
