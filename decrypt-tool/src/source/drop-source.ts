import type { Readable } from "node:stream";

/** One file of a drop. */
export interface DropFile {
  /** Posix path relative to the drop root, e.g. `metadata/JobMetadata/Metadata.json`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /**
   * Set by sources where two paths can name the same file (local folders: links): equal for the same file.
   * A drop whose data files repeat an identity is refused, since its rows would be read twice.
   */
  identity?: string;
  /** What changes when the file is rewritten, where the source has it: a blob's ETag, a local file's modification time. */
  version?: string;
}

/** Options for reading a source. */
export interface SourceReadOptions {
  /** Stops the listing or read: the promise (or stream) fails with the signal's reason. */
  signal?: AbortSignal;
}

/** Read-only access to the files of a drop, wherever it is stored. */
export interface DropSource {
  /** What the user named: a folder path or a storage URL. Used in messages. */
  readonly location: string;
  /** Every file under the root, sorted by path. */
  listFiles(options?: SourceReadOptions): Promise<DropFile[]>;
  /** A stream of one file's bytes. Rejects with `SOURCE_NOT_FOUND` when it does not exist. */
  openRead(path: string, options?: SourceReadOptions): Promise<Readable>;
}
