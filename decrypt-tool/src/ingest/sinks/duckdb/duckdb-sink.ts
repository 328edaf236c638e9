import { existsSync } from "node:fs";
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBMaterializedResult, DuckDBValue } from "@duckdb/node-api";
import { type Column, type ColumnType, type DropData, type DropKind, type DropLoad, DropRejectedError, firstRead, isDropRows, type NdjsonChunk, type LedgerRow, type LoadOutcome, type RowBatch, type Sink, SINK_OBJECTS, SinkError } from "../sink";
import { invalidValueReason, KEY_COLUMNS, nextOrAbort, repeatedKeyReason } from "../sink-rules";
import { ChunkAppender, type ColumnSource } from "./chunk-writer";
import { MemoryFolder } from "./memory-files";
import { FALLBACK, loadNdjson } from "./ndjson-load";
import { nonFiniteSql } from "./read-json-sql";
import { type HeldDatabase, openDatabase, shortDuckDbError } from "./open-database";
import { asText, columnTypeOf, CREATE_TABLES, createViewSql, dropOrder, DUCKDB_TYPES, ident, TABLE_OF } from "./sql";

/** Options of {@link DuckDbSink}. */
export interface DuckDbSinkOptions {
  /** Only ledger() works; the file is opened READ_ONLY (see openDatabase) and nothing is created. */
  readOnly?: boolean;
  /** Seconds to wait for a file another process holds (default: VIVA_DROP_DUCKDB_LOCK_WAIT, else 30). */
  lockWaitSeconds?: number;
  /** NDJSON bytes per fast-path statement (ndjson-load.ts CHUNK_BYTES); tests make it small. */
  fastPathChunkBytes?: number;
}

interface TableColumn {
  name: string;
  /** Undefined for the sink's own columns of types ingest never sends (none today). */
  type: ColumnType | undefined;
}

/**
 * The DuckDB sink (see {@link Sink} for what every sink guarantees). One process writes a DuckDB file at a
 * time: the file is opened in prepare() and held until close(), so a second ingest waits for it (see
 * openDatabase) and then finds the first one's drops loaded.
 *
 * A drop is one transaction: its rows are appended straight into the target table (DuckDB's appender,
 * data chunks written column by column), then the keys it shares with rows already there are resolved by
 * the winning-row rule with two hash joins (resolveConflicts), then its ledger row; a crash before COMMIT
 * leaves none of it.
 */
export class DuckDbSink implements Sink {
  readonly description: string;
  private held: HeldDatabase | undefined;
  /** The in-memory folder of the NDJSON fast path (null: this platform has none). */
  private memory: MemoryFolder | null | undefined;
  private instance: DuckDBInstance | undefined;
  private conn: DuckDBConnection | undefined;

  constructor(
    private readonly path: string,
    private readonly options: DuckDbSinkOptions = {},
  ) {
    this.description = path;
  }

  async prepare(signal?: AbortSignal): Promise<void> {
    if (this.options.readOnly) throw new SinkError(this.description, "opened read-only: prepare() creates tables");
    await this.open(signal);
    for (const statement of CREATE_TABLES) await this.run(statement);
    const person = await this.columnsOf("personReport");
    const users = await this.columnsOf("users");
    if (!(await this.exists(SINK_OBJECTS.personReportUsers))) await this.run(createViewSql(person.map((c) => c.name), users.map((c) => c.name)));
  }

  async ledger(tenantId: string): Promise<Map<string, LedgerRow>> {
    if (this.options.readOnly) {
      // Read-only: no file and no ledger table yet are both an empty ledger; nothing is created.
      if (!this.conn && !existsSync(this.path)) return new Map();
      await this.open();
      const table = await this.rowObjects("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1", [SINK_OBJECTS.drops]);
      if (table.length === 0) return new Map();
    }
    const rows = await this.rowObjects(`SELECT * FROM ${SINK_OBJECTS.drops} WHERE tenant_id = $1 ORDER BY run_folder`, [tenantId]);
    return new Map(rows.map((row) => [String(row.run_folder), toLedgerRow(row)]));
  }

  async loadDrop(drop: DropLoad, data: DropData, signal?: AbortSignal): Promise<LoadOutcome> {
    this.writable();
    if (isDropRows(data) && data.ndjson && drop.kind === "personReport" && fastPathEnabled()) {
      this.memory ??= MemoryFolder.create() ?? null;
      if (this.memory) {
        const folder = this.memory;
        const chunks = data.ndjson;
        await this.run(`SET threads = ${FAST_PATH_THREADS}`);
        try {
          const outcome = await this.inTransaction(drop, signal, (writer) => writer.writeNdjson(folder, chunks(), signal, this.options.fastPathChunkBytes));
          if (outcome !== FALLBACK) return outcome;
        } finally {
          await this.run("RESET threads");
        }
      }
    }
    const outcome = await this.inTransaction(drop, signal, (writer) => writer.write(firstRead(data), signal));
    if (outcome === FALLBACK) throw new Error("the row path never falls back");
    return outcome;
  }

  /**
   * One drop in one transaction: the ledger check, `write`, the ledger row, the view, COMMIT. `write`
   * answering FALLBACK rolls it all back (the caller then loads the drop the other way).
   */
  private async inTransaction(drop: DropLoad, signal: AbortSignal | undefined, write: (writer: DropWriter) => Promise<number | typeof FALLBACK>): Promise<LoadOutcome | typeof FALLBACK> {
    const conn = this.connection();
    const interrupt = (): void => conn.interrupt();
    signal?.addEventListener("abort", interrupt, { once: true });
    await this.run("BEGIN TRANSACTION");
    try {
      signal?.throwIfAborted();
      const recorded = await this.rowObjects(`SELECT status FROM ${SINK_OBJECTS.drops} WHERE tenant_id = $1 AND run_folder = $2`, [drop.ledger.tenantId, drop.ledger.runFolder]);
      if (recorded[0]?.status === "loaded") {
        await this.run("ROLLBACK");
        return { status: "alreadyLoaded" };
      }
      const writer = new DropWriter(this, drop);
      const rows = await write(writer);
      if (rows === FALLBACK) {
        await this.rollbackQuietly();
        return FALLBACK;
      }
      await this.upsertLedger({ ...drop.ledger, status: "loaded", rows, reason: null, loadedAt: new Date() });
      if (writer.schemaChanged) await this.recreateView();
      signal?.throwIfAborted();
      await this.run("COMMIT");
      return { status: "loaded", rows };
    } catch (error) {
      await this.rollbackQuietly();
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener("abort", interrupt);
    }
  }

  async recordOutcome(row: LedgerRow): Promise<void> {
    this.writable();
    await this.run("BEGIN TRANSACTION");
    try {
      const recorded = await this.rowObjects(`SELECT status FROM ${SINK_OBJECTS.drops} WHERE tenant_id = $1 AND run_folder = $2`, [row.tenantId, row.runFolder]);
      if (recorded[0]?.status !== "loaded") await this.upsertLedger(row);
      await this.run("COMMIT");
    } catch (error) {
      await this.rollbackQuietly();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.memory?.close();
    this.memory = undefined;
    this.conn?.closeSync();
    this.instance?.closeSync();
    this.held?.release();
    this.conn = undefined;
    this.instance = undefined;
    this.held = undefined;
  }

  /** Whether the file is open (prepare() or a read-only ledger() opened it, close() did not close it yet). */
  isOpen(): boolean {
    return this.conn !== undefined;
  }

  /** Opens the file (for writing, or read-only) and a connection, once. */
  private async open(signal?: AbortSignal): Promise<void> {
    if (this.conn) return;
    const held = await openDatabase(this.path, { signal, readOnly: this.options.readOnly, lockWaitSeconds: this.options.lockWaitSeconds });
    try {
      this.conn = await held.connect();
    } catch (error) {
      this.conn?.closeSync();
      this.conn = undefined;
      held.instance.closeSync();
      held.release();
      throw this.failure("cannot connect", error);
    }
    this.held = held;
    this.instance = held.instance;
  }

  /** Runs one statement; a DuckDB failure becomes a SinkError. */
  async run(sql: string, values?: DuckDBValue[]): Promise<number> {
    try {
      return (await this.connection().run(sql, values)).rowsChanged;
    } catch (error) {
      throw this.failure("a statement failed", error);
    }
  }

  /** Runs one statement and returns its result (errors are DuckDB's own, unwrapped). */
  runForResult(sql: string, values: DuckDBValue[]): Promise<DuckDBMaterializedResult> {
    return this.connection().run(sql, values);
  }

  /** The rows of a query as objects of JS values. */
  async rowObjects(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    try {
      return (await this.connection().runAndReadAll(sql, values)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (error) {
      throw this.failure("a query failed", error);
    }
  }

  /** The table's columns in order, with their ingest types. */
  async columnsOf(kind: DropKind): Promise<TableColumn[]> {
    const rows = await this.rowObjects(
      "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1 ORDER BY column_index",
      [TABLE_OF[kind]],
    );
    return rows.map((row) => ({ name: String(row.column_name), type: columnTypeOf(String(row.data_type)) }));
  }

  async createAppender(table: string): Promise<DuckDBAppender> {
    try {
      return await this.connection().createAppender(table);
    } catch (error) {
      throw this.failure("cannot append", error);
    }
  }

  failure(what: string, error: unknown): SinkError {
    if (error instanceof SinkError) return error;
    return new SinkError(this.description, `${what}: ${shortDuckDbError(error)}`, { cause: error });
  }

  private writable(): void {
    if (this.options.readOnly) throw new SinkError(this.description, "opened read-only: it cannot load or record drops");
  }

  private connection(): DuckDBConnection {
    if (!this.conn) throw new SinkError(this.description, "not prepared (call prepare() first)");
    return this.conn;
  }

  private async exists(name: string): Promise<boolean> {
    const rows = await this.rowObjects("SELECT 1 FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = $1", [name]);
    return rows.length > 0;
  }

  private async recreateView(): Promise<void> {
    const person = await this.columnsOf("personReport");
    const users = await this.columnsOf("users");
    await this.run(createViewSql(person.map((c) => c.name), users.map((c) => c.name)));
  }

  private async upsertLedger(row: LedgerRow): Promise<void> {
    await this.run(
      `INSERT INTO ${SINK_OBJECTS.drops} VALUES ($1, $2, $3, $4, $5, $6, $7, $8::TIMESTAMPTZ, $9::TIMESTAMPTZ, $10::TIMESTAMPTZ, $11::TIMESTAMPTZ, $12)
       ON CONFLICT (tenant_id, run_folder) DO UPDATE SET dataset = excluded.dataset, extraction_id = excluded.extraction_id, status = excluded.status,
         rows = excluded.rows, reason = excluded.reason, request_start = excluded.request_start, request_end = excluded.request_end,
         job_completed_at = excluded.job_completed_at, loaded_at = excluded.loaded_at, files_fingerprint = excluded.files_fingerprint`,
      [
        row.tenantId,
        row.runFolder,
        row.dataset,
        row.extractionId,
        row.status,
        row.rows,
        row.reason,
        iso(row.requestStart),
        iso(row.requestEnd),
        iso(row.jobCompletedAt),
        iso(row.loadedAt),
        row.filesFingerprint,
      ],
    );
  }

  private async rollbackQuietly(): Promise<void> {
    try {
      await this.conn?.run("ROLLBACK");
    } catch {
      // No transaction left to roll back (DuckDB aborts it itself after some errors).
    }
  }
}

/** Writes one drop's batches into its table inside the open transaction. */
class DropWriter {
  schemaChanged = false;
  private columns: TableColumn[] = [];
  private appender: ChunkAppender | undefined;
  private readonly table: string;

  constructor(
    private readonly sink: DuckDbSink,
    private readonly drop: DropLoad,
  ) {
    this.table = TABLE_OF[drop.kind];
  }

  /** Appends every batch and applies the winning-row rule; returns the rows in the drop. */
  async write(batches: AsyncIterable<RowBatch>, signal?: AbortSignal): Promise<number> {
    const { kind } = this.drop;
    this.columns = await this.sink.columnsOf(kind);
    // Rows with a rowid above this one are the drop's (DuckDB numbers a transaction's own rows above all others).
    const [{ last }] = await this.sink.rowObjects(`SELECT coalesce(max(rowid), -1) AS last FROM ${ident(this.table)}`);
    const lastRowid = BigInt(last as bigint | number);
    // An older users drop is read to the end (so it is verified) but not written.
    const writes = kind === "personReport" || (await this.replacesUsers());
    let rows = 0;
    try {
      for (const batches$ = batches[Symbol.asyncIterator](); ; ) {
        const next = await nextOrAbort(batches$, signal);
        if (next.done) break;
        const batch = next.value;
        rows += batch.rows.length;
        if (writes) await this.append(batch, rows - batch.rows.length + 1);
      }
    } finally {
      this.closeAppender();
    }
    if (!writes || rows === 0) return rows;
    await this.refuseRepeatedKeys(lastRowid);
    if (kind === "personReport") await this.resolveConflicts(lastRowid);
    // The tenant's previous snapshot goes only now: ALTER TABLE after a DELETE in one transaction fails to commit in DuckDB.
    else await this.sink.run(`DELETE FROM ${SINK_OBJECTS.users} WHERE tenant_id = $1 AND rowid <= ${lastRowid}`, [this.drop.ledger.tenantId]);
    return rows;
  }

  /**
   * The NDJSON fast path (ndjson-load.ts) for a person report drop; FALLBACK when it cannot load the drop
   * exactly. After it, the same winning-row rule as the row path.
   */
  async writeNdjson(folder: MemoryFolder, chunks: AsyncIterable<NdjsonChunk>, signal?: AbortSignal, chunkBytes?: number): Promise<number | typeof FALLBACK> {
    this.columns = await this.sink.columnsOf("personReport");
    const [{ last }] = await this.sink.rowObjects(`SELECT coalesce(max(rowid), -1) AS last FROM ${ident(this.table)}`);
    const lastRowid = BigInt(last as bigint | number);
    const { tenantId, extractionId, jobCompletedAt } = this.drop.ledger;
    const rows = await loadNdjson(
      {
        table: this.table,
        dataColumns: () => this.columns.slice(5),
        addColumns: async (columns) => {
          for (const column of columns) {
            await this.alter(`ALTER TABLE ${ident(this.table)} ADD COLUMN ${ident(column.name)} ${DUCKDB_TYPES[column.type]}`);
            this.columns.push({ name: column.name, type: column.type });
          }
        },
        run: (sql, values) => this.sink.runForResult(sql, values),
        hasNonFinite: async (columns) => {
          const sql = nonFiniteSql(this.table, columns, `rowid > ${lastRowid}`);
          return sql !== undefined && (await this.sink.rowObjects(sql)).length > 0;
        },
        hasRepeatedKeys: async () =>
          (await this.sink.rowObjects(`SELECT 1 FROM ${ident(this.table)} WHERE rowid > ${lastRowid} GROUP BY person_id, metric_date HAVING count(*) > 1 LIMIT 1`)).length > 0,
        constants: [tenantId, extractionId, iso(jobCompletedAt)],
      },
      folder,
      chunks,
      signal,
      chunkBytes,
    );
    if (rows === FALLBACK || rows === 0) return rows;
    await this.resolveConflicts(lastRowid);
    return rows;
  }

  /**
   * A users drop replaces the tenant's snapshot unless the one there is later ((job_completed_at,
   * extraction_id) compared as a pair; an equal one is replaced: the same extraction loaded again).
   */
  private async replacesUsers(): Promise<boolean> {
    const { tenantId, jobCompletedAt, extractionId } = this.drop.ledger;
    const later = await this.sink.rowObjects(
      `SELECT 1 FROM ${SINK_OBJECTS.users} u WHERE u.tenant_id = $1 AND ${dropOrder("u")} > (coalesce($2::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ), $3) LIMIT 1`,
      [tenantId, iso(jobCompletedAt), extractionId],
    );
    return later.length === 0;
  }

  /**
   * Two rows of the drop with the same key reject it, naming the first row that repeats an earlier one and
   * that earlier row (1-based rows of the drop: the drop's rows are numbered in the order they were appended).
   */
  private async refuseRepeatedKeys(lastRowid: bigint): Promise<void> {
    const t = ident(this.table);
    const key = KEY_COLUMNS[this.drop.kind].join(", ");
    const last = lastRowid.toString();
    const any = await this.sink.rowObjects(`SELECT 1 FROM ${t} WHERE rowid > ${last} GROUP BY ${key} HAVING count(*) > 1 LIMIT 1`);
    if (any.length === 0) return;
    const [pair] = await this.sink.rowObjects(
      `WITH d AS (SELECT rowid AS r, ${key} FROM ${t} WHERE rowid > ${last}),
            n AS (SELECT r - (SELECT min(r) FROM d) + 1 AS row, min(r) OVER w - (SELECT min(r) FROM d) + 1 AS first, row_number() OVER w AS k FROM d WINDOW w AS (PARTITION BY ${key} ORDER BY r))
       SELECT first, row FROM n WHERE k = 2 ORDER BY row LIMIT 1`,
    );
    throw new DropRejectedError(repeatedKeyReason(this.drop.kind, Number(pair.first), Number(pair.row)));
  }

  /** Appends one batch whose first row is row `firstRow` of the drop. */
  private async append(batch: RowBatch, firstRow: number): Promise<void> {
    checkValues(batch, firstRow);
    const direct = await this.fitSchema(batch.columns);
    if (direct) {
      const appender = await this.openAppender();
      try {
        appender.append(this.sources(batch.columns), batch);
      } catch (error) {
        throw this.sink.failure("cannot append", error);
      }
      return;
    }
    await this.appendWithCast(batch);
  }

  /**
   * Adds the batch's new columns and widens table columns the batch needs wider; true when every batch
   * column now has the table column's type (else some are text in the table and not in the batch).
   */
  private async fitSchema(columns: readonly Column[]): Promise<boolean> {
    let direct = true;
    for (const column of columns) {
      const existing = this.columns.find((c) => c.name === column.name);
      if (!existing) {
        await this.alter(`ALTER TABLE ${ident(this.table)} ADD COLUMN ${ident(column.name)} ${DUCKDB_TYPES[column.type]}`);
        this.columns.push({ name: column.name, type: column.type });
      } else if (existing.type !== column.type && existing.type !== "text") {
        // The batch is text, or another type: either way the table column becomes text (its values as asText writes them).
        await this.alter(`ALTER TABLE ${ident(this.table)} ALTER COLUMN ${ident(column.name)} TYPE VARCHAR USING ${asText(ident(column.name), existing.type!)}`);
        existing.type = "text";
        if (column.type !== "text") direct = false;
      } else if (existing.type !== column.type) {
        direct = false;
      }
    }
    return direct;
  }

  private async alter(sql: string): Promise<void> {
    this.closeAppender();
    await this.sink.run(sql);
    this.schemaChanged = true;
  }

  // Batch values whose column is text in the table go through a temporary table and asText, so they read
  // exactly as the values of a column widened by ALTER … TYPE VARCHAR.
  private async appendWithCast(batch: RowBatch): Promise<void> {
    this.closeAppender();
    const staging = "viva_ingest_cast";
    await this.sink.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${batch.columns.map((c) => `${ident(c.name)} ${DUCKDB_TYPES[c.type]}`).join(", ")})`);
    try {
      const appender = new ChunkAppender(await this.sink.createAppender(staging));
      try {
        appender.append(batch.columns.map((_, i) => ({ batchIndex: i })), batch);
        appender.close();
      } catch (error) {
        throw this.sink.failure("cannot append", error);
      }
      const constants = [...this.constants()];
      const byName = new Map(batch.columns.map((c) => [c.name, c]));
      const select = this.columns.map((c) => {
        const constant = constants.findIndex(([name]) => name === c.name);
        if (constant >= 0) return `$${constant + 1}::${DUCKDB_TYPES[c.type!]}`;
        const source = byName.get(c.name);
        if (!source) return "NULL";
        if (source.type === c.type) return ident(c.name);
        return c.type === "text" ? asText(ident(c.name), source.type) : `CAST(${ident(c.name)} AS ${DUCKDB_TYPES[c.type!]})`;
      });
      await this.sink.run(
        `INSERT INTO ${ident(this.table)} (${this.columns.map((c) => ident(c.name)).join(", ")}) SELECT ${select.join(", ")} FROM ${staging}`,
        constants.map(([, value]) => (value instanceof Date ? value.toISOString() : value) as DuckDBValue),
      );
    } finally {
      await this.sink.run(`DROP TABLE IF EXISTS ${staging}`);
    }
  }

  private async openAppender(): Promise<ChunkAppender> {
    this.appender ??= new ChunkAppender(await this.sink.createAppender(this.table));
    return this.appender;
  }

  private closeAppender(): void {
    if (!this.appender) return;
    const appender = this.appender;
    this.appender = undefined;
    try {
      appender.close();
    } catch (error) {
      throw this.sink.failure("cannot append", error);
    }
  }

  // The sink's own columns: the same value in every row of the drop.
  private constants(): Map<string, unknown> {
    const { tenantId, extractionId, jobCompletedAt } = this.drop.ledger;
    return new Map<string, unknown>([
      ["tenant_id", tenantId],
      ["extraction_id", extractionId],
      ["job_completed_at", jobCompletedAt],
    ]);
  }

  private sources(columns: readonly Column[]): ColumnSource[] {
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const constants = this.constants();
    return this.columns.map((c) => {
      if (constants.has(c.name)) return { constant: constants.get(c.name) };
      const at = index.get(c.name);
      return at === undefined ? null : { batchIndex: at };
    });
  }

  /**
   * The winning-row rule for the rows just appended (rowid > lastRowid; no key repeats among them) against
   * the rows already there: a new row loses to an old row of a later drop (old order > new), else the old
   * row goes (old order ≤ new: the same extraction loaded again also replaces). Hash joins on the key over
   * the drop's rows and the tenant's rows in the drop's dates: no index, memory bound by the drop.
   */
  private async resolveConflicts(lastRowid: bigint): Promise<void> {
    const t = ident(this.table);
    const key = (a: string, b: string): string => `${a}.tenant_id = ${b}.tenant_id AND ${a}.person_id = ${b}.person_id AND ${a}.metric_date = ${b}.metric_date`;
    const last = lastRowid.toString();
    // Only the tenant's older rows within the new rows' dates can share a key with them: the joins read
    // those alone, so their memory follows the drop, not the table (nothing may spill: see open-database.ts).
    // As text (exact to the microsecond), to come back as parameters.
    const [window] = await this.sink.rowObjects(`SELECT min(metric_date)::VARCHAR AS first, max(metric_date)::VARCHAR AS last FROM ${t} WHERE rowid > ${last}`);
    if (window.first === null) return;
    const older = (alias: string): string => `${alias}.rowid <= ${last} AND ${alias}.tenant_id = $1 AND ${alias}.metric_date BETWEEN $2::TIMESTAMPTZ AND $3::TIMESTAMPTZ`;
    const values = [this.drop.ledger.tenantId, String(window.first), String(window.last)];
    // The first load of a tenant's weeks (and every bench run) has nothing to compare with: skip the joins.
    const [{ overlapping }] = await this.sink.rowObjects(`SELECT count(*) AS overlapping FROM ${t} o WHERE ${older("o")}`, values);
    if (Number(overlapping) === 0) return;
    await this.sink.run(`DELETE FROM ${t} n WHERE n.rowid > ${last} AND EXISTS (SELECT 1 FROM ${t} o WHERE ${older("o")} AND ${key("o", "n")} AND ${dropOrder("o")} > ${dropOrder("n")})`, values);
    await this.sink.run(`DELETE FROM ${t} o WHERE ${older("o")} AND EXISTS (SELECT 1 FROM ${t} n WHERE n.rowid > ${last} AND ${key("o", "n")} AND ${dropOrder("o")} <= ${dropOrder("n")})`, values);
  }
}

/**
 * DuckDB threads while the fast path loads: its reader's buffers (32 MB each) and the transaction's row group
 * in the making are per thread, and this process's main thread is busy decrypting the next chunk. Measured
 * (BENCHMARKS.md): 2 threads were no faster with 16 MB chunks and ran out of the memory limit with larger ones.
 */
const FAST_PATH_THREADS = 1;

/** The NDJSON fast path is on unless VIVA_DROP_DUCKDB_READ_JSON=off (to compare, or to rule it out). */
function fastPathEnabled(): boolean {
  return process.env.VIVA_DROP_DUCKDB_READ_JSON !== "off";
}

/** Every value fits its column's declared type (the engine's batches always do; a hand-made batch may not). */
function checkValues(batch: RowBatch, firstRow: number): void {
  batch.columns.forEach((column, at) => {
    const fits = VALUE_CHECKS[column.type];
    for (let i = 0; i < batch.rows.length; i++) {
      const value = batch.rows[i][at];
      if (value !== null && value !== undefined && !fits(value)) throw new DropRejectedError(invalidValueReason(column.name, firstRow + i));
    }
  });
}

const VALUE_CHECKS: Record<ColumnType, (value: unknown) => boolean> = {
  double: (v) => typeof v === "number",
  boolean: (v) => typeof v === "boolean",
  timestamp: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  json: (v) => typeof v === "string",
  text: (v) => typeof v === "string",
};

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function toLedgerRow(row: Record<string, unknown>): LedgerRow {
  const date = (value: unknown): Date | null => (value instanceof Date ? value : null);
  return {
    tenantId: String(row.tenant_id),
    runFolder: String(row.run_folder),
    dataset: String(row.dataset),
    extractionId: String(row.extraction_id),
    status: row.status as LedgerRow["status"],
    rows: Number(row.rows),
    reason: row.reason === null ? null : String(row.reason),
    requestStart: date(row.request_start),
    requestEnd: date(row.request_end),
    jobCompletedAt: date(row.job_completed_at),
    loadedAt: date(row.loaded_at) ?? new Date(0),
    filesFingerprint: String(row.files_fingerprint),
  };
}
