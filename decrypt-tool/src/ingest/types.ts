import type { SourceOptions } from "../source/index";

/** Options of {@link ingestDrops}. */
export interface IngestOptions extends SourceOptions {
  /** Stops the run: the drop being loaded is rolled back, nothing after it is read. */
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /** Delete each drop's files (blob or local) once its transaction has committed; never a failed or rejected drop. */
  deleteAfterLoad?: boolean;
  /** Only these run folders of a tenant container (e.g. [runId, `${runId}-users`]). */
  runFolders?: string[];
}

/** Where a run is, for a progress display. */
export interface IngestProgress {
  /** 1-based number of the drop being read, of `drops` found. */
  drop: number;
  drops: number;
  tenantId: string;
  runFolder: string;
  /** Rows of this drop read so far. */
  rows: number;
  /** Decrypted (uncompressed) bytes of this drop so far, and its encrypted bytes read and in total. */
  decryptedBytes: number;
  encryptedBytes: number;
  totalEncryptedBytes: number;
}

/** What happened to one drop in a run. */
export interface IngestedDrop {
  tenantId: string;
  runFolder: string;
  /** Metadata TableName (or the dataset the run folder implies). */
  dataset: string;
  status: "loaded" | "alreadyLoaded" | "failed" | "rejected";
  /** Rows loaded by this run (0 unless `loaded`). */
  rows: number;
  /** Why a drop was not loaded (failed, rejected). */
  reason?: string;
  /** Failed or rejected in an earlier run and its files have not changed since: not read again. */
  unchanged?: boolean;
  /** With deleteAfterLoad: whether the drop's files were deleted, and why not. */
  deleted?: boolean;
  deleteError?: string;
}

/** The result of {@link ingestDrops}. */
export interface IngestSummary {
  drops: IngestedDrop[];
  loaded: number;
  alreadyLoaded: number;
  failed: number;
  rejected: number;
  /** Rows loaded by this run. */
  rows: number;
  seconds: number;
}
