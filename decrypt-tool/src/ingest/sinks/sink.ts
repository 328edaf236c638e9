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
 */
export interface RowBatch {
  /** The columns of `rows`, in order. May grow (new columns at the end) or widen between batches. */
  readonly columns: readonly Column[];
  /** One array per row, aligned with `columns`. */
  readonly rows: readonly (readonly unknown[])[];
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
 * - `viva_person_report`: primary key (tenant_id, person_id, metric_date); columns tenant_id,
 *   person_id, metric_date, extraction_id, job_completed_at, then the data columns. When a key
 *   arrives again, the row whose drop has the later (job_completed_at, extraction_id) wins — compared
 *   as a pair so that ingesting drops in any order gives the same table. The losing drop's row is not
 *   written; a winning row replaces the whole old row (columns it lacks become null).
 * - `viva_users`: tenant_id, extraction_id, job_completed_at, then the User_v1 columns. A users drop
 *   replaces all of its tenant's rows only when its (job_completed_at, extraction_id) is later than
 *   that of the rows there; an older users drop loads nothing but is still recorded `loaded`.
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
   * when the drop is already `loaded` it returns `alreadyLoaded` without reading `batches`. Any error
   * thrown by `batches` (decryption, verification) or by the database, and an abort of `signal`, rolls
   * everything back and is rethrown unchanged; no row of the drop is then visible.
   */
  loadDrop(drop: DropLoad, batches: AsyncIterable<RowBatch>, signal?: AbortSignal): Promise<LoadOutcome>;
  /**
   * Records a `failed` or `rejected` drop, replacing an earlier ledger row of the same drop unless
   * that row is `loaded` (a loaded drop is never downgraded). Its own transaction.
   */
  recordOutcome(row: LedgerRow): Promise<void>;
  /** Ends the connection. Safe to call twice. */
  close(): Promise<void>;
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
