/**
 * Streams a drop's batches into COPY: one COPY per run of batches with the same columns (a batch
 * that adds or widens a column ends the COPY, lets the plan alter its table, and starts the next),
 * in binary format for the table's column types.
 * Waits on the batches, the server and the abort signal at once, so whichever fails first stops the
 * load; the COPY is then torn down and the batches' iterator closed.
 */
import type { Client } from "pg";
import type { Column, ColumnType, DropKind, RowBatch } from "../sink";
import { BINARY_HEADER, BINARY_TRAILER, binaryRows, type BinaryColumn } from "./copy-binary";
import { copyValue, encodeRows } from "./copy-text";
import { CopyWriter } from "./copy-writer";
import { rejectionFor } from "./errors";
import { identifierList } from "./identifiers";
import { checkColumns } from "./schema";

/** Where a load writes its rows: a staging table, or the target table itself. */
export interface CopyPlan {
  /** The table COPY writes to (SQL). */
  readonly table: string;
  /** Columns with one value for the whole drop, put before every row's own. */
  readonly constants: readonly (BinaryColumn & { value: unknown })[];
  /** Prepares the table for a run of batches with `columns` (no COPY is running). */
  columnsChanged(columns: readonly Column[]): Promise<void>;
  /** The table's type of each of `columns`; undefined for a type the sink never creates. */
  tableTypes(columns: readonly Column[]): (ColumnType | undefined)[];
}

/** One COPY: binary when the sink knows every column's type, else text (the server converts). */
interface Segment {
  writer: CopyWriter;
  columns: readonly BinaryColumn[];
  binary: boolean;
  prefix: string;
}

function startSegment(client: Client, plan: CopyPlan, columns: readonly Column[], onFailure: (error: Error) => void): Segment {
  const types = plan.tableTypes(columns);
  const binary = types.every((t) => t !== undefined);
  const names = [...plan.constants.map((c) => c.name), ...columns.map((c) => c.name)];
  const writer = new CopyWriter(client, `COPY ${plan.table} (${identifierList(names)}) FROM STDIN${binary ? " (FORMAT binary)" : ""}`, onFailure);
  const prefix = binary ? "" : plan.constants.map((c) => `${copyValue(c.value, c.name, 0)}\t`).join("");
  return { writer, binary, prefix, columns: columns.map((c, i) => ({ name: c.name, type: types[i] ?? "text" })) };
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

/**
 * What can stop a load while it waits: the abort signal and a failing COPY. wait(p) settles like p,
 * or rejects as soon as one of them fires. Each wait listens only while it waits, so nothing a wait
 * resolved with (a batch of rows) is kept once the loop has moved on.
 */
class Interrupts {
  private fired: { error: unknown } | undefined;
  private readonly waiting = new Set<(error: unknown) => void>();

  fire(error: unknown): void {
    if (this.fired) return;
    this.fired = { error };
    for (const stop of this.waiting) stop(error);
    this.waiting.clear();
  }

  wait<T>(work: Promise<T>): Promise<T> {
    if (this.fired) {
      work.catch(() => undefined);
      return Promise.reject(this.fired.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(
        (value) => {
          this.waiting.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.waiting.delete(reject);
          reject(error);
        },
      );
    });
  }
}

/** Copies every batch; resolves with the number of rows. */
export async function copyBatches(
  client: Client,
  kind: DropKind,
  plan: CopyPlan,
  batches: AsyncIterable<RowBatch>,
  signal?: AbortSignal,
): Promise<number> {
  const interrupts = new Interrupts();
  const onAbort = (): void => interrupts.fire(signal!.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  const iterator = batches[Symbol.asyncIterator]();
  let iteratorClosed = false;
  let segment: Segment | undefined;
  let columns: readonly Column[] | undefined;
  let rows = 0;
  let segmentFirstRow = 1;
  const finishSegment = async (): Promise<void> => {
    if (!segment) return;
    if (segment.binary) await interrupts.wait(segment.writer.write(BINARY_TRAILER));
    await interrupts.wait(segment.writer.finish());
    segment = undefined;
  };
  try {
    for (;;) {
      const next = await interrupts.wait(
        iterator.next().catch((e: unknown) => {
          iteratorClosed = true;
          throw new BatchesFailed(e);
        }),
      );
      if (next.done) {
        iteratorClosed = true;
        break;
      }
      const batch = next.value;
      if (!sameColumns(columns, batch.columns)) {
        checkColumns(kind, batch.columns);
        await finishSegment();
        await interrupts.wait(plan.columnsChanged(batch.columns));
        columns = batch.columns;
        segment = startSegment(client, plan, columns, (e) => interrupts.fire(e));
        if (segment.binary) await interrupts.wait(segment.writer.write(BINARY_HEADER));
        segmentFirstRow = rows + 1;
      }
      const s = segment!;
      const chunks = s.binary ? binaryRows(batch.rows, s.columns, plan.constants, rows + 1) : encodeRows(batch.rows, s.columns, s.prefix, rows + 1);
      for (const chunk of chunks) await interrupts.wait(s.writer.write(chunk));
      rows += batch.rows.length;
    }
    await finishSegment();
    return rows;
  } catch (error) {
    if (!iteratorClosed) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (segment) await segment.writer.abort();
    throw rejectionFor(error, { firstRow: segmentFirstRow, key: DROP_KEY[kind] }) ?? error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
