/**
 * Streams a drop's batches into COPY: one COPY per run of batches with the same columns (a batch
 * that adds or widens a column ends the COPY, lets the plan alter its table, and starts the next).
 * Waits on the batches, the server and the abort signal at once, so whichever fails first stops the
 * load; the COPY is then torn down and the batches' iterator closed.
 */
import type { Client } from "pg";
import type { Column, DropKind, RowBatch } from "../sink";
import { encodeRows } from "./copy-text";
import { CopyWriter } from "./copy-writer";
import { rejectionFor } from "./errors";
import { checkColumns } from "./schema";

/** Where a load writes its rows: a staging table, or the target table itself. */
export interface CopyPlan {
  /** Prepares the table for a run of batches with `columns` (no COPY is running). */
  columnsChanged(columns: readonly Column[]): Promise<void>;
  /** The COPY statement for a run of batches with `columns`. */
  copySql(columns: readonly Column[]): string;
  /** COPY text put before every row: constant columns, each followed by a tab ("" for none). */
  readonly prefix: string;
}

/** An error thrown by the batches themselves: rethrown unchanged, never mapped. */
export class BatchesFailed {
  constructor(readonly error: unknown) {}
}

/** The key two rows of one drop must not share, for messages. */
export const DROP_KEY: Record<DropKind, string> = { personReport: "(person_id, metric_date)", users: "id" };

function sameColumns(a: readonly Column[] | undefined, b: readonly Column[]): boolean {
  return a === b || (a !== undefined && a.length === b.length && a.every((c, i) => c.name === b[i].name && c.type === b[i].type));
}

/** A promise that rejects with the signal's reason when it aborts, and a way to stop listening. */
function abortion(signal: AbortSignal | undefined): { promise: Promise<never>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

function race<T>(...promises: (Promise<T> | Promise<never> | undefined)[]): Promise<T> {
  return Promise.race(promises.filter((p): p is Promise<T> => p !== undefined));
}

/** Copies every batch; resolves with the number of rows. */
export async function copyBatches(
  client: Client,
  kind: DropKind,
  plan: CopyPlan,
  batches: AsyncIterable<RowBatch>,
  signal?: AbortSignal,
): Promise<number> {
  const aborted = abortion(signal);
  const iterator = batches[Symbol.asyncIterator]();
  let iteratorClosed = false;
  let writer: CopyWriter | undefined;
  let columns: readonly Column[] | undefined;
  let rows = 0;
  let segmentFirstRow = 1;
  const finishSegment = async (): Promise<void> => {
    if (!writer) return;
    await race(writer.finish(), aborted.promise);
    writer = undefined;
  };
  try {
    for (;;) {
      const next = await race(
        iterator.next().catch((e: unknown) => {
          iteratorClosed = true;
          throw new BatchesFailed(e);
        }),
        writer?.failure,
        aborted.promise,
      );
      if (next.done) {
        iteratorClosed = true;
        break;
      }
      const batch = next.value;
      if (!sameColumns(columns, batch.columns)) {
        checkColumns(kind, batch.columns);
        await finishSegment();
        await race(plan.columnsChanged(batch.columns), aborted.promise);
        columns = batch.columns;
        writer = new CopyWriter(client, plan.copySql(columns));
        segmentFirstRow = rows + 1;
      }
      for (const chunk of encodeRows(batch.rows, batch.columns, plan.prefix, rows + 1)) {
        await race(writer!.write(chunk), aborted.promise);
      }
      rows += batch.rows.length;
    }
    await finishSegment();
    return rows;
  } catch (error) {
    if (!iteratorClosed) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (writer) await writer.abort();
    throw rejectionFor(error, { firstRow: segmentFirstRow, key: DROP_KEY[kind] }) ?? error;
  } finally {
    aborted.dispose();
  }
}
