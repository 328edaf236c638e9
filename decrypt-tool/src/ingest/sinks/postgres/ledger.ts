/** The ledger table viva_drops: reading a tenant's rows, writing a loaded drop, recording outcomes. */
import type { Client } from "pg";
import { SINK_OBJECTS, type DropLoad, type DropStatus, type LedgerRow } from "../sink";

const TABLE = SINK_OBJECTS.drops;

const COLUMNS = [
  "tenant_id",
  "run_folder",
  "dataset",
  "extraction_id",
  "status",
  "rows",
  "reason",
  "request_start",
  "request_end",
  "job_completed_at",
  "loaded_at",
  "files_fingerprint",
] as const;

interface LedgerRecord {
  tenant_id: string;
  run_folder: string;
  dataset: string;
  extraction_id: string;
  status: DropStatus;
  rows: string;
  reason: string | null;
  request_start: Date | null;
  request_end: Date | null;
  job_completed_at: Date | null;
  loaded_at: Date;
  files_fingerprint: string;
}

function fromRecord(r: LedgerRecord): LedgerRow {
  return {
    tenantId: r.tenant_id,
    runFolder: r.run_folder,
    dataset: r.dataset,
    extractionId: r.extraction_id,
    status: r.status,
    rows: Number(r.rows),
    reason: r.reason,
    requestStart: r.request_start,
    requestEnd: r.request_end,
    jobCompletedAt: r.job_completed_at,
    loadedAt: r.loaded_at,
    filesFingerprint: r.files_fingerprint,
  };
}

/** Whether the ledger table exists in the sink's schema (the first schema of search_path). */
export async function ledgerExists(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [TABLE]);
  return rows[0].found;
}

export async function readLedger(client: Client, tenantId: string): Promise<Map<string, LedgerRow>> {
  const { rows } = await client.query<LedgerRecord>(`SELECT ${COLUMNS.join(", ")} FROM ${TABLE} WHERE tenant_id = $1 ORDER BY run_folder`, [tenantId]);
  return new Map(rows.map((r) => [r.run_folder, fromRecord(r)]));
}

export async function ledgerStatus(client: Client, tenantId: string, runFolder: string): Promise<DropStatus | undefined> {
  const { rows } = await client.query<{ status: DropStatus }>(`SELECT status FROM ${TABLE} WHERE tenant_id = $1 AND run_folder = $2`, [tenantId, runFolder]);
  return rows[0]?.status;
}

const UPSERT = `INSERT INTO ${TABLE} (${COLUMNS.join(", ")}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, clock_timestamp()), $12)
  ON CONFLICT (tenant_id, run_folder) DO UPDATE SET ${COLUMNS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`;

/** Writes (or replaces) the drop's `loaded` row, inside the load's transaction. */
export async function writeLoaded(client: Client, drop: DropLoad, rows: number): Promise<void> {
  const l = drop.ledger;
  await client.query(UPSERT, [l.tenantId, l.runFolder, l.dataset, l.extractionId, "loaded", rows, null, l.requestStart, l.requestEnd, l.jobCompletedAt, null, l.filesFingerprint]);
}

/** Records a failed or rejected drop; a `loaded` row stays as it is. */
export async function writeOutcome(client: Client, row: LedgerRow): Promise<void> {
  await client.query(`${UPSERT} WHERE ${TABLE}.status <> 'loaded'`, [
    row.tenantId,
    row.runFolder,
    row.dataset,
    row.extractionId,
    row.status,
    row.rows,
    row.reason,
    row.requestStart,
    row.requestEnd,
    row.jobCompletedAt,
    row.loadedAt,
    row.filesFingerprint,
  ]);
}
