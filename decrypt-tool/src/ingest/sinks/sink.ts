/**
 * The contract between the ingest engine (which finds drops, decrypts them and turns rows into typed
 * batches) and a database sink (which owns every SQL statement). Both sinks — DuckDB and PostgreSQL —
 * implement {@link Sink} with the same tables and the same meaning, so the engine never branches on
 * the database.
 */

/** Every object a sink creates, by role. Names are the same in every sink. */
export const SINK_OBJECTS = {
  /** The ledger: one row per drop seen. */
  drops: "viva_drops",
  /** PersonReport rows, one per (tenant_id, person_id, metric_date). */
  personReport: "viva_person_report",
  /** The latest User_v1 snapshot per tenant. */
  users: "viva_users",
  /** View: person report rows left-joined to viva_users on (tenant_id, person_id = id). */
  personReportUsers: "viva_person_report_users",
} as const;

/** What happened to a drop. */
export type DropStatus = "loaded" | "failed" | "rejected";

/** Which table a drop's rows go to. */
export type DropKind = "personReport" | "users";

/** One row of `viva_drops`. Primary key: (tenantId, runFolder). */
export interface LedgerRow {
  /** Lower-case tenant GUID (the container's name). */
  tenantId: string;
  /** The run folder inside the tenant's container. */
  runFolder: string;
  /** Metadata TableName, e.g. `VivaInsightsDataset_PersonReport_v1` or `BasicDataSet_v0.User_v1`. */
  dataset: string;
  /** ExtractionResultId, else CopyActivityId. */
  extractionId: string;
  status: DropStatus;
  /** Rows loaded; 0 when failed or rejected. */
  rows: number;
  /** Why the drop was not loaded; null when loaded. One line, never row content. */
  reason: string | null;
  requestStart: Date | null;
  requestEnd: Date | null;
  jobCompletedAt: Date | null;
  /** When this ledger row was written (loaded, or recorded as failed or rejected). */
  loadedAt: Date;
  /**
   * Digest of the drop's file listing (paths, sizes and, where the source has them, ETags or
   * modification times). A failed or rejected drop is retried only when this changes.
   */
  filesFingerprint: string;
}

/**
 * Column types, chosen by the engine. Within one {@link Sink.loadDrop} call a column's type only ever
 * widens (toward "text"); a sink widens an existing table column when a batch needs it and never
 * narrows or drops one.
 *   double    — JS number (finite)            DuckDB DOUBLE     PostgreSQL double precision
 *   boolean   — JS boolean                    DuckDB BOOLEAN    PostgreSQL boolean
 *   timestamp — JS Date (a UTC instant)       DuckDB TIMESTAMPTZ PostgreSQL timestamptz
 *   json      — string holding JSON text      DuckDB JSON       PostgreSQL jsonb
 *   text      — string                        DuckDB VARCHAR    PostgreSQL text
 * Every value may also be null (missing in the row, or JSON null).
 */
export type ColumnType = "double" | "boolean" | "timestamp" | "json" | "text";

/** A data column under its original name from the drop (e.g. "Collaboration hours"). */
export interface Column {
  name: string;
  type: ColumnType;
}

/**
 * A batch of rows of one drop, column-aligned. For person report drops the engine has already mapped
 * PersonId → `person_id` (text, lower-case GUID) and MetricDate → `metric_date` (timestamp); they are
 * the first two columns of every batch. For users drops `id` is the first column. The sink adds
 * tenant_id, extraction_id and job_completed_at from the {@link DropLoad} itself.
 *
 * A column enters the batches with its first non-null value (its type is unknown before): a column that is
 * null in every row of a drop is not sent, so no sink creates it — the first drop with a value does, with
 * the type of its values (a column's type only ever widens, so guessing one would be for good). A column a
 * batch does send is created with its declared type even when all its values in the batch are null.
 */
export interface RowBatch {
  /** The columns of `rows`, in order. May grow (new columns at the end) or widen between batches. */
  readonly columns: readonly Column[];
  /** One array per row, aligned with `columns`. */
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * A drop's rows, readable again from the start as often as a sink needs (the engine re-opens the drop's
 * files for each read): to fall back from a fast path, or to find the rows behind a rejection.
 */
export interface DropRows {
  /** The drop's rows as typed batches, from the first row. */
  batches(): AsyncIterable<RowBatch>;
  /**
   * The same rows as NDJSON, for a sink that lets its database parse them (optional). A sink that uses it
   * must produce exactly the tables batches() would produce, and must go back to batches() — in a fresh
   * transaction — whenever it cannot be sure (see {@link NdjsonChunk}). Errors thrown by the chunks are the
   * drop's (decryption, verification) and are rethrown unchanged, as for batches().
   */
  ndjson?(): AsyncIterable<NdjsonChunk>;
}

/** What {@link Sink.loadDrop} reads a drop from: its batches once, or {@link DropRows} to read again. */
export type DropData = AsyncIterable<RowBatch> | DropRows;

/** The batches to read first. */
export function firstRead(data: DropData): AsyncIterable<RowBatch> {
  return isDropRows(data) ? data.batches() : data;
}

export function isDropRows(data: DropData): data is DropRows {
  return typeof (data as DropRows).batches === "function";
}

/**
 * Whole lines of NDJSON, each non-blank line one JSON object, verified as `verify` verifies a drop: every
 * line valid JSON in valid UTF-8, and — by the time the last chunk has been handed out — the gzip checksums
 * and the row count against the metadata.
 */
export interface NdjsonChunk {
  bytes: Buffer;
  /** Rows (non-blank lines) in `bytes`. */
  rows: number;
  /** Every top-level key of those rows, exactly, in first-seen order. */
  columns: readonly string[];
  /**
   * On the first chunk only: the columns, in order and with types, that batches() gives the drop's first
   * rows (up to a few thousand) — a guess at the whole drop's columns that later rows may contradict.
   */
  firstColumns?: readonly Column[];
}

/** A drop about to be loaded: its ledger row (without the outcome) and which table it feeds. */
export interface DropLoad {
  kind: DropKind;
  ledger: Omit<LedgerRow, "status" | "rows" | "reason" | "loadedAt">;
}

/** What {@link Sink.loadDrop} did. */
export type LoadOutcome =
  /** Committed: the rows and the `loaded` ledger row. */
  | { status: "loaded"; rows: number }
  /** Another ingest loaded this drop first (seen under the sink's lock); nothing was read or written. */
  | { status: "alreadyLoaded" };

/**
 * A database that ingest writes to. Semantics every sink guarantees:
 *
 * - `viva_person_report`: key (tenant_id, person_id, metric_date) — PostgreSQL's PRIMARY KEY; DuckDB keeps
 *   it unique by the load itself (its index would have to sit in memory). Columns tenant_id, person_id,
 *   metric_date, extraction_id, job_completed_at, then the data columns. When a key arrives again, the
 *   row whose drop has the later (job_completed_at, extraction_id) wins — compared as a pair (a missing
 *   job_completed_at is the earliest; extraction ids byte-wise) so that ingesting drops in any order gives
 *   the same table. When both are equal the drop is the same extraction loaded again, and the drop loaded
 *   later replaces the rows (reloading refreshes them). The losing drop's row is not written; a winning
 *   row replaces the whole old row (columns it lacks become null).
 * - Two rows of one drop with the same key (person_id, metric_date; users: id) reject the drop (Graph
 *   Data Connect never sends them, so such a drop is not what the service made). The reason names the
 *   first row that repeats an earlier one and that earlier row (sink-rules.ts repeatedKeyReason), never
 *   their values.
 * - `viva_users`: tenant_id, extraction_id, job_completed_at, id, then the User_v1 columns; key
 *   (tenant_id, id) (PostgreSQL's PRIMARY KEY, DuckDB's load). A users drop replaces all of its tenant's
 *   rows unless the rows there have a later (job_completed_at, extraction_id) (equal: replaced, as above).
 *   An older users drop is read to the end, so it is verified like any drop, but nothing of it is
 *   written (no rows, no new columns) and its values are not checked against the database; it is
 *   recorded `loaded` with its row count.
 * - A value that becomes text (its column widened, or a narrower value written into a text column)
 *   reads as sink-rules.ts says: numbers as numberAsText ("5", "2.5", "1e-07"), timestamps as ISO 8601
 *   UTC with milliseconds, booleans true/false, JSON as the database prints it.
 * - `viva_person_report_users`: every person report column plus every viva_users column except its
 *   tenant_id, extraction_id and job_completed_at, each users column prefixed `user_` (user_id,
 *   user_mail, …), left-joined on tenant_id and person_id = id. It always shows every current
 *   column: a sink that adds a column recreates the view in the same transaction.
 * - Columns never disappear; a drop bringing a new column adds it (null in older rows). A column name
 *   the database cannot hold as given (PostgreSQL truncates identifiers at 63 bytes) rejects the drop
 *   with a reason naming the column, rather than silently merging two columns.
 */
export interface Sink {
  /** What the user named, for messages (passwords redacted). */
  readonly description: string;
  /**
   * Creates the tables and the view when missing. Idempotent; safe when another ingest runs it at
   * the same time.
   */
  prepare(signal?: AbortSignal): Promise<void>;
  /** The ledger rows of one tenant, keyed by run folder. */
  ledger(tenantId: string): Promise<Map<string, LedgerRow>>;
  /**
   * Loads one drop in one transaction: every batch, the upsert into the drop's table and its `loaded`
   * ledger row (rows = rows in the drop). The sink first takes its per-drop lock and reads the ledger;
   * when the drop is already `loaded` it returns `alreadyLoaded` without reading `rows`. Any error
   * thrown while reading `rows` (decryption, verification) or by the database, and an abort of `signal`,
   * rolls everything back and is rethrown unchanged; no row of the drop is then visible. A drop the
   * database cannot store as the contract says is refused with {@link DropRejectedError}.
   */
  loadDrop(drop: DropLoad, rows: DropData, signal?: AbortSignal): Promise<LoadOutcome>;
  /**
   * Records a `failed` or `rejected` drop, replacing an earlier ledger row of the same drop unless
   * that row is `loaded` (a loaded drop is never downgraded). Its own transaction.
   */
  recordOutcome(row: LedgerRow): Promise<void>;
  /** Ends the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** How a sink is opened (see openSink in sinks/index.ts). */
export interface SinkOptions {
  /**
   * For readers such as `viva-drop status`: only {@link Sink.ledger} and {@link Sink.close} work; prepare(),
   * loadDrop() and recordOutcome() throw SinkError. ledger() needs no prepare(), creates nothing, takes no
   * writer lock, and answers an empty map when the database or its ledger table does not exist yet.
   * - DuckDB opens the file READ_ONLY on the first ledger() and keeps it until close(). A file an ingest is
   *   writing cannot be opened (DuckDB allows one writing process, or any number of reading ones): ledger()
   *   waits for it like a second ingest does (VIVA_DROP_DUCKDB_LOCK_WAIT, 30 s), then fails with one line
   *   naming the process that holds it. While a reader has it open, an ingest waits the same way.
   * - PostgreSQL runs a plain SELECT in a read-only session; it never waits for an ingest (no lock is taken)
   *   and sees the drops committed so far.
   */
  readOnly?: boolean;
}

/**
 * Failures of the sink itself (cannot connect, locked by another writer, a statement failed). The
 * CLI maps them to exit code 6, the code for output that could not be written.
 */
export class SinkError extends Error {
  constructor(
    readonly sink: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${sink}: ${message}`, options);
    this.name = "SinkError";
  }
}

/**
 * Thrown by {@link Sink.loadDrop} when the drop itself cannot be stored as the contract says (a column
 * name the database cannot hold, a value it cannot represent, two rows with the same key). Nothing of
 * the drop was written; the engine records the drop `rejected` with this message as the reason. The
 * message is one line and never holds row content (it names columns and row numbers only).
 */
export class DropRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DropRejectedError";
  }
}
