/**
 * One drop, one transaction: the drop's lock, the ledger check under it, the tenant's lock, the
 * rows (see plans.ts), the `loaded` ledger row, COMMIT. Anything failing — the batches, the server,
 * the signal — rolls the whole transaction back, so none of the drop is ever visible half-loaded.
 */
import type { Client } from "pg";
import { type DropData, type DropLoad, DropRejectedError, firstRead, isDropRows, type LoadOutcome, type RowBatch } from "../sink";
import { earlierRowWithKey } from "../repeated-key";
import { nextOrAbort, repeatedKeyReason } from "../sink-rules";
import { copyBatches, DROP_KEY } from "./copy-batches";
import { RepeatedKeyError, rejectionFor } from "./errors";
import { ledgerStatus, writeLoaded } from "./ledger";
import { acquireLock, locks } from "./locks";
import { directPlan, laterSnapshotExists, stagedPlan, tenantIsNew, type PlanContext } from "./plans";
import { TABLES } from "./schema";

export async function loadDrop(client: Client, schema: string, drop: DropLoad, data: DropData, signal?: AbortSignal): Promise<LoadOutcome> {
  try {
    return await loadInTransaction(client, schema, drop, firstRead(data), signal);
  } catch (error) {
    // The COPY straight into the table stopped at the row that repeats an earlier key: find that earlier
    // row (after the ROLLBACK, so no lock is held while the drop is read again).
    if (error instanceof RepeatedKeyError && error.row !== undefined && isDropRows(data)) {
      const first = await earlierRowWithKey(data, drop.kind, error.row, signal);
      if (first !== undefined) throw new DropRejectedError(repeatedKeyReason(drop.kind, first, error.row));
    }
    throw error;
  }
}

async function loadInTransaction(client: Client, schema: string, drop: DropLoad, batches: AsyncIterable<RowBatch>, signal?: AbortSignal): Promise<LoadOutcome> {
  signal?.throwIfAborted();
  const { tenantId, runFolder } = drop.ledger;
  await client.query("BEGIN");
  try {
    await acquireLock(client, locks.drop(schema, tenantId, runFolder), "exclusive", signal);
    if ((await ledgerStatus(client, tenantId, runFolder)) === "loaded") {
      await client.query("ROLLBACK");
      return { status: "alreadyLoaded" };
    }
    await acquireLock(client, locks.tenant(schema, TABLES[drop.kind], tenantId), "exclusive", signal);
    const ctx: PlanContext = { client, schema, drop, signal };
    let rows: number;
    if (drop.kind === "users" && (await probe(client, () => laterSnapshotExists(ctx)))) {
      // An older users drop: read to the end (verified like any drop), nothing written.
      rows = await countRows(batches, signal);
    } else {
      const plan = drop.kind === "personReport" && (await probe(client, () => tenantIsNew(ctx))) ? await directPlan(ctx) : stagedPlan(ctx);
      rows = await copyBatches(client, drop.kind, plan, batches, signal);
      try {
        await plan.complete();
      } catch (error) {
        throw rejectionFor(error, { firstRow: 1, key: DROP_KEY[drop.kind] }) ?? error;
      }
    }
    await writeLoaded(client, drop, rows);
    signal?.throwIfAborted();
    await client.query("COMMIT");
    return { status: "loaded", rows };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Asks a question in a savepoint that is rolled back, which releases the table lock the question took: a
 * load must never hold a lock on the sink's tables while it waits for the schema lock (see locks.ts), or it
 * could wait on a session that waits, in ALTER TABLE, on it. The tenant's lock keeps the answer true.
 */
async function probe<T>(client: Client, question: () => Promise<T>): Promise<T> {
  await client.query("SAVEPOINT viva_probe");
  const answer = await question();
  await client.query("ROLLBACK TO SAVEPOINT viva_probe");
  return answer;
}

async function countRows(batches: AsyncIterable<RowBatch>, signal: AbortSignal | undefined): Promise<number> {
  const iterator = batches[Symbol.asyncIterator]();
  let rows = 0;
  for (let next = await nextOrAbort(iterator, signal); !next.done; next = await nextOrAbort(iterator, signal)) rows += next.value.rows.length;
  return rows;
}
