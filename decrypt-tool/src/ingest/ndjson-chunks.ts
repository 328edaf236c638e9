/**
 * A drop's rows as validated NDJSON chunks for a sink's fast path (DropRows.ndjson): the drop's bytes as
 * `verify` checks them, each chunk with the exact keys of its rows, and — on the first chunk, which holds
 * the drop's first FIRST_ROWS rows — the columns and types the engine's typing gives those rows.
 */
import type { NdjsonBatch, OpenedDrop } from "../drop";
import { RowBatcher } from "./row-batches";
import type { Column, DropKind, NdjsonChunk } from "./sinks/sink";
import type { IngestProgress } from "./types";

/** Rows typed for the first chunk's firstColumns. */
export const FIRST_ROWS = 2048;

const NEWLINE = 0x0a;

type ReportProgress = (progress: Omit<IngestProgress, "drop" | "drops" | "tenantId" | "runFolder">) => void;

export async function* ndjsonChunks(opened: OpenedDrop, kind: DropKind, report: ReportProgress, signal: AbortSignal | undefined): AsyncGenerator<NdjsonChunk> {
  const batches = opened.ndjsonBatches({
    signal,
    onProgress: (p) => report({ rows: p.rows, decryptedBytes: p.decryptedBytes, encryptedBytes: p.encryptedBytes, totalEncryptedBytes: p.totalEncryptedBytes }),
  });
  let head: NdjsonBatch[] | undefined = [];
  let headRows = 0;
  for await (const batch of batches) {
    if (!head) {
      yield batch;
      continue;
    }
    head.push(batch);
    headRows += batch.rows;
    if (headRows >= FIRST_ROWS) {
      yield firstChunk(head, kind);
      head = undefined;
    }
  }
  if (head && head.length > 0) yield firstChunk(head, kind);
}

/** The first batches as one chunk, with the types of their rows' columns. */
function firstChunk(batches: NdjsonBatch[], kind: DropKind): NdjsonChunk {
  const bytes = batches.length === 1 ? batches[0].bytes : Buffer.concat(batches.map((b) => b.bytes));
  const columns = [...new Set(batches.flatMap((b) => b.columns))];
  const rows = batches.reduce((sum, b) => sum + b.rows, 0);
  return { bytes, rows, columns, firstColumns: typedColumns(bytes, kind) };
}

/**
 * The columns RowBatcher gives the rows of `bytes` (whole validated lines), or undefined when it refuses
 * them: the row path then meets the same refusal and reports it.
 */
export function typedColumns(bytes: Buffer, kind: DropKind): readonly Column[] | undefined {
  const batcher = new RowBatcher(kind);
  let columns: readonly Column[] | undefined;
  try {
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = bytes.length;
      const batch = batcher.add(JSON.parse(bytes.toString("utf8", start, end)) as Record<string, unknown>);
      if (batch) columns = batch.columns;
      start = end + 1;
    }
    columns = batcher.finish()?.columns ?? columns;
  } catch {
    return undefined;
  }
  return columns;
}
