import { type DuckDBAppender, DuckDBDataChunk, DuckDBTimestampTZValue, type DuckDBType, DuckDBTypeId, type DuckDBValue, type DuckDBVector } from "@duckdb/node-api";
import type { RowBatch } from "../sink";

/** Where each column of the target table takes its values from, for one batch. */
export type ColumnSource = { batchIndex: number } | { constant: unknown } | null;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/**
 * Appends `batch` through `appender` as data chunks in the table's column order (`sources[i]` feeds
 * column i; null = NULL). Values are written straight into each column's vector: one copy per column and
 * chunk for numbers and booleans, one call per string.
 */
export function appendBatch(appender: DuckDBAppender, types: readonly DuckDBType[], sources: readonly ColumnSource[], batch: RowBatch): void {
  const rows = batch.rows;
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows.length - start);
    const chunk = DuckDBDataChunk.create(types, count);
    for (let column = 0; column < types.length; column++) {
      const vector = chunk.getColumnVector(column) as DuckDBVector<DuckDBValue>;
      fillVector(vector, types[column].typeId, sources[column], rows, start, count);
      vector.flush();
    }
    appender.appendDataChunk(chunk);
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
