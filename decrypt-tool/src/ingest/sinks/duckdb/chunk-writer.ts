import { type DuckDBAppender, DuckDBDataChunk, DuckDBTimestampTZValue, type DuckDBType, DuckDBTypeId, type DuckDBValue, type DuckDBVector } from "@duckdb/node-api";
import type { RowBatch } from "../sink";

/** Where each column of the target table takes its values from, for one batch. */
export type ColumnSource = { batchIndex: number } | { constant: unknown } | null;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
/**
 * The appender buffers rows until it is flushed (by default every 204,800 rows, over 100 MB for a wide
 * person report); flushing this often keeps that buffer small and moves the rows into the transaction's
 * storage, which DuckDB writes out as row groups fill.
 */
const FLUSH_ROWS = 4 * CHUNK_ROWS;

/**
 * Appends batches through one appender as data chunks in the table's column order (`sources[i]` feeds
 * column i; null = NULL). Values are written straight into each column's vector: one copy per column and
 * chunk for numbers and booleans, one call per string. One chunk is reused: a chunk's native memory is
 * freed only when V8 collects its wrapper, and V8 does not see that memory.
 */
export class ChunkAppender {
  private readonly types: DuckDBType[];
  private chunk: DuckDBDataChunk | undefined;
  private unflushed = 0;

  constructor(private readonly appender: DuckDBAppender) {
    this.types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
  }

  append(sources: readonly ColumnSource[], batch: RowBatch): void {
    const rows = batch.rows;
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows.length - start);
      if (this.chunk) this.chunk.reset();
      else this.chunk = DuckDBDataChunk.create(this.types);
      const chunk = this.chunk;
      chunk.rowCount = count;
      for (let column = 0; column < this.types.length; column++) {
        const vector = chunk.getColumnVector(column) as DuckDBVector<DuckDBValue>;
        fillVector(vector, this.types[column].typeId, sources[column], rows, start, count);
        vector.flush();
      }
      this.appender.appendDataChunk(chunk);
      this.unflushed += count;
      if (this.unflushed >= FLUSH_ROWS) {
        this.appender.flushSync();
        this.unflushed = 0;
      }
    }
  }

  /** Flushes and closes the appender. */
  close(): void {
    this.appender.closeSync();
  }
}

function fillVector(vector: DuckDBVector<DuckDBValue>, typeId: DuckDBTypeId, source: ColumnSource, rows: RowBatch["rows"], start: number, count: number): void {
  if (source === null) {
    for (let i = 0; i < count; i++) vector.setItem(i, null);
    return;
  }
  if ("constant" in source) {
    const value = toDuckDb(source.constant, typeId);
    for (let i = 0; i < count; i++) vector.setItem(i, value as DuckDBValue);
    return;
  }
  const at = source.batchIndex;
  if (typeId === DuckDBTypeId.TIMESTAMP_TZ) {
    for (let i = 0; i < count; i++) vector.setItem(i, toDuckDb(rows[start + i][at], typeId) as DuckDBValue);
    return;
  }
  // double, boolean, varchar and json take the batch's JS values as they are.
  for (let i = 0; i < count; i++) vector.setItem(i, (rows[start + i][at] ?? null) as DuckDBValue);
}

function toDuckDb(value: unknown, typeId: DuckDBTypeId): unknown {
  if (value === null || value === undefined) return null;
  if (typeId === DuckDBTypeId.TIMESTAMP_TZ) return new DuckDBTimestampTZValue(BigInt((value as Date).getTime()) * 1000n);
  return value;
}
