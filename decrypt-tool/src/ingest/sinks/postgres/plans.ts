/**
 * The two ways a drop's rows reach their table.
 *
 * - Staged (every users drop, and person report drops of a tenant that already has rows): COPY into
 *   a temporary table, then, under the shared schema lock (exclusive when the table must grow), one
 *   statement applies the contract's rule — the winning-row upsert for person reports, the snapshot
 *   replacement for users.
 * - Direct (the first person report drop of a tenant): no row of the tenant can conflict, so the
 *   rows are copied straight into viva_person_report under the exclusive schema lock. Two rows of
 *   the drop with the same key fail the COPY exactly as they fail the upsert.
 */
import type { Client } from "pg";
import { DropRejectedError, SINK_OBJECTS, type Column, type ColumnType, type DropLoad } from "../sink";
import { KEY_COLUMNS, repeatedKeyReason } from "../sink-rules";
import { sqlState } from "./errors";
import { asText, columnTypeOf, SQL_TYPES } from "./column-types";
import type { CopyPlan } from "./copy-batches";
import { identifierList, quoteIdentifier } from "./identifiers";
import { acquireLock, locks } from "./locks";
import { applyChange, ensureView, isEmpty, planChanges, readColumns, SINK_COLUMNS, TABLES, type TableColumns } from "./schema";

const STAGE = "pg_temp.viva_stage";

/** (job_completed_at, extraction_id) of `alias`, compared byte-wise whatever the database's collation. */
const version = (alias: string): string => `(COALESCE(${alias}.job_completed_at, '-infinity'::timestamptz), ${alias}.extraction_id COLLATE "C")`;

export interface LoadPlan extends CopyPlan {
  /** After the last batch: applies the rows to the drop's table (staged), or finishes the view (direct). */
  complete(): Promise<void>;
}

export interface PlanContext {
  client: Client;
  schema: string;
  drop: DropLoad;
  signal?: AbortSignal;
}

/** True when the tenant has no person report row yet (the direct plan applies); asked in load-drop's probe. */
export async function tenantIsNew({ client, drop }: PlanContext): Promise<boolean> {
  const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${SINK_OBJECTS.personReport} WHERE tenant_id = $1) AS any`, [
    drop.ledger.tenantId,
  ]);
  return !rows[0].any;
}

export function stagedPlan(ctx: PlanContext): LoadPlan {
  const { client, drop } = ctx;
  const stage = new Map<string, ColumnType>();
  const table = TABLES[drop.kind];
  const params = [drop.ledger.tenantId, drop.ledger.extractionId, drop.ledger.jobCompletedAt];
  const stagedColumns = (): Column[] => [...stage].map(([name, type]) => ({ name, type }));

  /**
   * Takes the schema lock — exclusive when the table must grow to hold the staged columns, else
   * shared — and returns whether it must grow. The first table access of the load comes after it.
   */
  const lockSchema = async (): Promise<boolean> => {
    const grow = !isEmpty(planChanges(await readColumns(client, table), stagedColumns()));
    await acquireLock(client, locks.schema(ctx.schema), grow ? "exclusive" : "shared", ctx.signal);
    return grow;
  };

  /** Grows the table (under the exclusive lock) and returns its columns as they now are. */
  const prepareTarget = async (grow: boolean): Promise<TableColumns> => {
    if (grow) {
      await applyChange(client, table, planChanges(await readColumns(client, table), stagedColumns()));
      await ensureView(client);
    }
    return readColumns(client, table);
  };

  /** The SELECT list turning staged values into the target's column types. */
  const selectList = (target: TableColumns): string =>
    [...stage]
      .map(([name, type]) => (target.get(name) === "text" && type !== "text" ? asText(`s.${quoteIdentifier(name)}`, type) : `s.${quoteIdentifier(name)}`))
      .join(", ");

  const insertFromStage = (target: TableColumns): string =>
    `INSERT INTO ${quoteIdentifier(table)} AS t (tenant_id, extraction_id, job_completed_at${stage.size ? ", " + identifierList([...stage.keys()]) : ""})` +
    ` SELECT $1, $2, $3::timestamptz${stage.size ? ", " + selectList(target) : ""} FROM ${STAGE} s`;

  return {
    table: STAGE,
    constants: [],
    tableTypes: (columns) => columns.map((c) => stage.get(c.name)),
    async columnsChanged(columns) {
      if (stage.size === 0) {
        await client.query(`CREATE TEMPORARY TABLE viva_stage (${columns.map((c) => `${quoteIdentifier(c.name)} ${SQL_TYPES[c.type]}`).join(", ")}) ON COMMIT DROP`);
        for (const c of columns) stage.set(c.name, c.type);
        return;
      }
      const actions: string[] = [];
      for (const c of columns) {
        const staged = stage.get(c.name);
        if (staged === undefined) {
          actions.push(`ADD COLUMN ${quoteIdentifier(c.name)} ${SQL_TYPES[c.type]}`);
          stage.set(c.name, c.type);
        } else if (staged !== c.type && staged !== "text") {
          actions.push(`ALTER COLUMN ${quoteIdentifier(c.name)} TYPE text USING ${asText(quoteIdentifier(c.name), staged)}`);
          stage.set(c.name, "text");
        }
      }
      if (actions.length > 0) await client.query(`ALTER TABLE ${STAGE} ${actions.join(", ")}`);
    },
    async complete() {
      if (drop.kind === "personReport" && stage.size === 0) return;
      const grow = await lockSchema();
      if (drop.kind === "users") {
        if (await laterSnapshotExists(ctx)) return; // checked before staging too (load-drop.ts); kept for safety
        const target = await prepareTarget(grow);
        await client.query(`DELETE FROM ${quoteIdentifier(table)} WHERE tenant_id = $1`, [drop.ledger.tenantId]);
        if (stage.size > 0) await applyStage(ctx, insertFromStage(target), params);
        return;
      }
      const target = await prepareTarget(grow);
      const dataColumns = [...target.keys()].filter((c) => !SINK_COLUMNS.personReport.includes(c));
      const sets = ["extraction_id", "job_completed_at", ...dataColumns].map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`);
      // An equal (job_completed_at, extraction_id) is the same extraction loaded again: it replaces.
      await applyStage(
        ctx,
        `${insertFromStage(target)} ON CONFLICT (tenant_id, person_id, metric_date) DO UPDATE SET ${sets.join(", ")} WHERE ${version("t")} <= ${version("EXCLUDED")}`,
        params,
      );
    },
  };
}

/** True when the tenant's users snapshot is later than the drop (which then writes nothing). */
export async function laterSnapshotExists({ client, drop }: PlanContext): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM ${quoteIdentifier(SINK_OBJECTS.users)} t WHERE t.tenant_id = $1 AND ${version("t")} > (COALESCE($3::timestamptz, '-infinity'::timestamptz), $2::text COLLATE "C") LIMIT 1`,
    [drop.ledger.tenantId, drop.ledger.extractionId, drop.ledger.jobCompletedAt],
  );
  return rows.length > 0;
}

/**
 * Runs the statement that applies the stage. Two staged rows with the same key make it fail (ON CONFLICT
 * cannot update a row twice; the users key is violated): the stage is still there after the savepoint, so
 * the first row that repeats an earlier one, and that row, are found in it (the stage holds the drop's rows
 * in COPY order: a fresh temporary table that is only appended to).
 */
async function applyStage({ client, drop }: PlanContext, sql: string, params: unknown[]): Promise<void> {
  await client.query("SAVEPOINT viva_apply");
  try {
    await client.query(sql, params);
  } catch (error) {
    const state = sqlState(error);
    if (state !== "21000" && state !== "23505") throw error;
    await client.query("ROLLBACK TO SAVEPOINT viva_apply");
    const key = identifierList(KEY_COLUMNS[drop.kind]);
    const { rows } = await client.query<{ first: string; row: string }>(
      `WITH s AS (SELECT row_number() OVER (ORDER BY ctid) AS n, ${key} FROM ${STAGE}),
            k AS (SELECT n, min(n) OVER (PARTITION BY ${key}) AS first, row_number() OVER (PARTITION BY ${key} ORDER BY n) AS r FROM s)
       SELECT first, n AS row FROM k WHERE r = 2 ORDER BY n LIMIT 1`,
    );
    if (rows.length === 0) throw error;
    throw new DropRejectedError(repeatedKeyReason(drop.kind, Number(rows[0].first), Number(rows[0].row)));
  }
  await client.query("RELEASE SAVEPOINT viva_apply");
}

/** The direct plan; takes the exclusive schema lock for the rest of the transaction. */
export async function directPlan(ctx: PlanContext): Promise<LoadPlan> {
  const { client, drop } = ctx;
  const table = SINK_OBJECTS.personReport;
  await acquireLock(client, locks.schema(ctx.schema), "exclusive", ctx.signal);
  let changed = false;
  let existing = await readColumns(client, table);
  const l = drop.ledger;
  return {
    table: quoteIdentifier(table),
    constants: [
      { name: "tenant_id", type: "text", value: l.tenantId },
      { name: "extraction_id", type: "text", value: l.extractionId },
      { name: "job_completed_at", type: "timestamp", value: l.jobCompletedAt },
    ],
    tableTypes: (columns) => columns.map((c) => columnTypeOf(existing.get(c.name) ?? "")),
    async columnsChanged(columns) {
      const change = planChanges(existing, columns);
      if (isEmpty(change)) return;
      await applyChange(client, table, change);
      existing = await readColumns(client, table);
      changed = true;
    },
    async complete() {
      if (changed) await ensureView(client);
    },
  };
}
