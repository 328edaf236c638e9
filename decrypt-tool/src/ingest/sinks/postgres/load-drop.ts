/**
 * One drop, one transaction: the drop's lock, the ledger check under it, the tenant's lock, the
 * rows (see plans.ts), the `loaded` ledger row, COMMIT. Anything failing — the batches, the server,
 * the signal — rolls the whole transaction back, so none of the drop is ever visible half-loaded.
 */
import type { Client } from "pg";
import type { DropLoad, LoadOutcome, RowBatch } from "../sink";
import { copyBatches, DROP_KEY } from "./copy-batches";
import { rejectionFor } from "./errors";
import { ledgerStatus, writeLoaded } from "./ledger";
import { acquireLock, locks } from "./locks";
import { directPlan, stagedPlan, tenantIsNew, type PlanContext } from "./plans";
import { TABLES } from "./schema";

export async function loadDrop(
  client: Client,
  schema: string,
  drop: DropLoad,
  batches: AsyncIterable<RowBatch>,
  signal?: AbortSignal,
): Promise<LoadOutcome> {
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
    const plan = drop.kind === "personReport" && (await tenantIsNew(ctx)) ? await directPlan(ctx) : stagedPlan(ctx);
    const rows = await copyBatches(client, drop.kind, plan, batches, signal);
    try {
      await plan.complete();
    } catch (error) {
      throw rejectionFor(error, { firstRow: 1, key: DROP_KEY[drop.kind] }) ?? error;
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
