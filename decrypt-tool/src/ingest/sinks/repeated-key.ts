/**
 * Finding the earlier row whose key a given row repeats, for a sink that only learns the later row from
 * its database (PostgreSQL's COPY stops at the first row that violates the key). Reads the drop again,
 * twice, up to that row: once to learn its key, once to find the first row with it. Memory does not grow
 * with the drop; only the rare rejection pays the reads.
 */
import type { DropKind, DropRows, RowBatch } from "./sink";
import { nextOrAbort } from "./sink-rules";

/** The key of row `at` of a batch, comparable as text (person_id and metric_date's instant; users: id). */
function keyOf(kind: DropKind, batch: RowBatch, at: number): string {
  const row = batch.rows[at];
  return kind === "users" ? String(row[0]) : `${String(row[0])}\u0000${(row[1] as Date).getTime()}`;
}

/** Walks the drop's rows (1-based numbers) until `visit` returns false or row `last` has been seen. */
async function walk(rows: DropRows, last: number, signal: AbortSignal | undefined, visit: (batch: RowBatch, at: number, row: number) => boolean): Promise<void> {
  const iterator = rows.batches()[Symbol.asyncIterator]();
  let row = 0;
  try {
    for (;;) {
      const next = await nextOrAbort(iterator, signal);
      if (next.done) return;
      for (let at = 0; at < next.value.rows.length; at++) {
        row++;
        if (!visit(next.value, at, row) || row >= last) return;
      }
    }
  } finally {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** The first row before `row` with the same key as `row`, or undefined when there is none. */
export async function earlierRowWithKey(rows: DropRows, kind: DropKind, row: number, signal?: AbortSignal): Promise<number | undefined> {
  let key: string | undefined;
  await walk(rows, row, signal, (batch, at, n) => {
    if (n === row) key = keyOf(kind, batch, at);
    return true;
  });
  if (key === undefined) return undefined;
  let first: number | undefined;
  await walk(rows, row - 1, signal, (batch, at, n) => {
    if (keyOf(kind, batch, at) !== key) return true;
    first = n;
    return false;
  });
  return first;
}
