import type { Readable } from "node:stream";

/** One file of a drop. */
export interface DropFile {
  /** Posix path relative to the drop root, e.g. `metadata/JobMetadata/Metadata.json`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** What changes when the file is rewritten, where the source has it: a blob's ETag, a local file's modification time. */
  version?: string;
}

/** Read-only access to the files of a drop, wherever it is stored. */
export interface DropSource {
  /** What the user named: a folder path or a storage URL. Used in messages. */
  readonly location: string;
  /** Every file under the root, sorted by path. */
  listFiles(): Promise<DropFile[]>;
  /** A stream of one file's bytes. Rejects with `SOURCE_NOT_FOUND` when it does not exist. */
  openRead(path: string): Promise<Readable>;
}
