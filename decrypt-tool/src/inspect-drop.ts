// What a drop holds, read without a key: no decryption code is loaded for it (`viva-drop inspect`, `list`).
import { DropError } from "./errors";
import type { DropMetadata } from "./metadata/drop-metadata";
import { isMetadataFile, readDropMetadata } from "./metadata/read-metadata";
import type { DropFile, DropSource } from "./source/drop-source";
import { resolveSource, type SourceOptions } from "./source/index";

/**
 * `signal`: an AbortSignal that stops the call at once. Files and connections are closed, worker threads
 * stopped, and the promise (or iteration) fails with `signal.reason` (an `AbortError` unless the caller
 * aborted with a reason of its own), never a DropError.
 */
export interface Abortable {
  signal?: AbortSignal;
}

/** A drop's metadata and files, read without a key. */
export interface DropSummary {
  location: string;
  metadata: DropMetadata;
  dataFiles: DropFile[];
  /** Total size of the data files. */
  encryptedBytes: number;
}

/** Options for {@link inspectDrop}. */
export interface InspectOptions extends SourceOptions, Abortable {}

/** Reads and validates a drop's metadata; needs no key. A failed run is reported in `metadata.errors`, not thrown. */
export async function inspectDrop(source: string | DropSource, options: InspectOptions = {}): Promise<DropSummary> {
  const { dropSource, files, metadata } = await readDrop(source, options);
  const dataFiles = selectDataFiles(files);
  return { location: dropSource.location, metadata, dataFiles, encryptedBytes: sumSizes(dataFiles) };
}

/** The listing and metadata of a drop; refuses a drop whose data files name one file twice. */
export async function readDrop(source: string | DropSource, options: SourceOptions & Abortable): Promise<{ dropSource: DropSource; files: DropFile[]; metadata: DropMetadata }> {
  const { signal } = options;
  signal?.throwIfAborted();
  const dropSource = resolveSource(source, options);
  const files = await dropSource.listFiles({ signal });
  signal?.throwIfAborted();
  assertDistinctDataFiles(selectDataFiles(files));
  const metadata = await readDropMetadata(dropSource, files);
  signal?.throwIfAborted();
  return { dropSource, files, metadata };
}

/** The data files of a listing: every file outside metadata/ (any depth), hidden files excepted, in path order. */
export function selectDataFiles(files: DropFile[]): DropFile[] {
  return files.filter((f) => !isMetadataFile(f.path) && !f.path.split("/").some((part) => part.startsWith(".")));
}

/** Total size of `files`. */
export function sumSizes(files: DropFile[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

// Two paths to one file (a link to another data file, a hard link): its rows would be read twice.
function assertDistinctDataFiles(dataFiles: DropFile[]): void {
  const seen = new Map<string, string>();
  for (const file of dataFiles) {
    if (file.identity === undefined) continue;
    const first = seen.get(file.identity);
    if (first !== undefined) {
      throw new DropError("SOURCE_UNREADABLE", `${first} and ${file.path} are one file (a link, or a hard link): its rows would be read twice; remove one of them`);
    }
    seen.set(file.identity, file.path);
  }
}
