/**
 * The NDJSON fast path of the DuckDB sink: DuckDB parses and types a person report drop itself.
 *
 * The drop's validated NDJSON (DropRows.ndjson) is cut into chunks of ~CHUNK_BYTES, each written to an
 * unlinked in-memory file (memory-files.ts) and loaded by one `INSERT … SELECT … FROM read_json(…)`
 * (read-json-sql.ts) inside the drop's transaction. While DuckDB loads one chunk on its thread, this one
 * decrypts and validates the next: at most two chunks exist at a time. One statement per chunk keeps
 * DuckDB's reader from holding the whole input (it keeps what it read for the statement's lifetime).
 *
 * The column types come from the drop's first rows as the engine types them (NdjsonChunk.firstColumns);
 * every key of every chunk is known exactly (NdjsonChunk.columns), so no key can be ignored unnoticed. Any
 * doubt — a type the fast path does not load, a table column of another type, a key the first rows did not
 * type that has a value, a value that is not what the first rows' type says, a statement that fails for any
 * reason, a row count that differs, two rows with the same key — answers FALLBACK: the caller rolls the
 * transaction back and loads the drop through the row path, which gives the table every rule describes
 * (and the exact rejection, if there is one). Errors of the chunks themselves (decryption, verification)
 * and an abort are thrown, as on the row path.
 */
import type { DuckDBMaterializedResult } from "@duckdb/node-api";
import type { Column, NdjsonChunk } from "../sink";
import { nextOrAbort } from "../sink-rules";
import type { MemoryFile, MemoryFolder } from "./memory-files";
import { FAST_TYPES, needsExactChecks, readJsonPlan } from "./read-json-sql";

/** Bytes of NDJSON per statement (and per in-memory file). */
export const CHUNK_BYTES = 16_000_000;

export const FALLBACK = Symbol("use the row path");

/** What the fast path needs from the drop's writer (duckdb-sink.ts DropWriter). */
export interface FastPathTarget {
  table: string;
  /** The table's data columns now (after the sink's own five), with their types (undefined: not one ingest makes). */
  dataColumns(): readonly { name: string; type: Column["type"] | undefined }[];
  /** Adds these columns to the table (in the drop's transaction). */
  addColumns(columns: readonly Column[]): Promise<void>;
  /** Runs one statement of the fast path. */
  run(sql: string, values: (string | null)[]): Promise<DuckDBMaterializedResult>;
  /** True when a number column of the drop's rows holds NaN or ±Infinity. */
  hasNonFinite(columns: readonly Column[]): Promise<boolean>;
  /** True when the drop's rows (loaded so far) repeat a key. */
  hasRepeatedKeys(): Promise<boolean>;
  /** The sink's constants for the drop: tenant_id, extraction_id, job_completed_at (ISO). */
  constants: [string, string, string | null];
}

interface Submitted {
  file: MemoryFile;
  done: Promise<{ ok: true; rows: number } | { ok: false }>;
}

/** Loads the drop's chunks, or answers FALLBACK (nothing then needs to be undone beyond the transaction). */
export async function loadNdjson(
  target: FastPathTarget,
  folder: MemoryFolder,
  chunks: AsyncIterable<NdjsonChunk>,
  signal: AbortSignal | undefined,
  chunkBytes = CHUNK_BYTES,
): Promise<number | typeof FALLBACK> {
  const iterator = chunks[Symbol.asyncIterator]();
  const files: MemoryFile[] = [];
  let pending: Submitted | undefined;
  let finished = false;
  try {
    const first = await nextOrAbort(iterator, signal);
    if (first.done) return FALLBACK;
    const columns = fastColumns(first.value.firstColumns, target.dataColumns());
    if (!columns) return FALLBACK;
    await target.addColumns(columns.filter((c) => !target.dataColumns().some((t) => t.name === c.name)));
    const typed = new Set(["PersonId", "MetricDate", ...columns.map((c) => c.name)]);

    let loaded = 0;
    let current: { file: MemoryFile; nullOnly: Set<string>; exact: boolean } | undefined;
    // Waits for the statement before, then starts this file's (DuckDB works on it while the next chunk is made).
    const submit = async (): Promise<boolean> => {
      if (!current) return true;
      const { file, nullOnly, exact } = current;
      current = undefined;
      if (!(await settle())) return false;
      const sql = readJsonPlan(target.table, columns, [...nullOnly]).insertSql(file.path, exact);
      pending = {
        file,
        done: target.run(sql, target.constants).then(
          (result) => ({ ok: true as const, rows: result.rowsChanged }),
          () => ({ ok: false as const }),
        ),
      };
      return true;
    };
    // The statement before: done, and it loaded exactly its file's rows.
    const settle = async (): Promise<boolean> => {
      if (!pending) return true;
      const { file, done } = pending;
      pending = undefined;
      const outcome = await done;
      file.close();
      signal?.throwIfAborted();
      if (!outcome.ok || outcome.rows !== file.rows) return false;
      loaded += file.rows;
      return true;
    };

    for (let next: IteratorResult<NdjsonChunk> = first; !next.done; next = await nextOrAbort(iterator, signal)) {
      const chunk = next.value;
      if (!current) {
        const file = folder.createFile();
        files.push(file);
        current = { file, nullOnly: new Set(), exact: false };
      }
      for (const key of chunk.columns) if (!typed.has(key)) current.nullOnly.add(key);
      if (!current.exact && needsExactChecks(chunk.bytes)) current.exact = true;
      current.file.write(chunk.bytes);
      current.file.rows += chunk.rows;
      if (current.file.bytes >= chunkBytes && !(await submit())) return FALLBACK;
    }
    finished = true;
    if (!(await submit()) || !(await settle())) return FALLBACK;
    if ((await target.hasNonFinite(columns)) || (await target.hasRepeatedKeys())) return FALLBACK;
    return loaded;
  } finally {
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    // A statement still running reads its file: it must end (it is interrupted on abort) before the file closes.
    if (pending) await pending.done;
    for (const file of files) file.close();
  }
}

/**
 * The drop's data columns for the fast path — the first rows' columns without person_id and metric_date —
 * or undefined when it cannot load them exactly: no first rows typed, a type it does not load, a column the
 * table has with another type or under another letter case.
 */
export function fastColumns(firstColumns: readonly Column[] | undefined, table: readonly { name: string; type: Column["type"] | undefined }[]): Column[] | undefined {
  if (!firstColumns || firstColumns[0]?.name !== "person_id" || firstColumns[1]?.name !== "metric_date") return undefined;
  const columns = firstColumns.slice(2);
  for (const column of columns) {
    if (!FAST_TYPES.has(column.type)) return undefined;
    const existing = table.find((t) => t.name.toLowerCase() === column.name.toLowerCase());
    if (existing && (existing.name !== column.name || existing.type !== column.type)) return undefined;
  }
  return [...columns];
}
