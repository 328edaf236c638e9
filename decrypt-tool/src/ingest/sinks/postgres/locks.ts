/**
 * Transaction-level advisory locks. Keys are a stable 64-bit hash of what is locked, so every ingest
 * process (any version, any machine) computes the same key. Two rules keep loads from ever waiting on
 * each other in a cycle: locks are taken in one order — drop, then tenant, then schema — and no load
 * holds a lock on viva_person_report or viva_users (which ALTER TABLE, under the exclusive schema
 * lock, waits for) while it waits for the schema lock.
 *
 * Waiting polls pg_try_advisory_xact_lock instead of blocking in pg_advisory_xact_lock, so an abort
 * is honoured while another ingest holds the lock.
 */
import { createHash } from "node:crypto";
import type { Client } from "pg";

/** A signed 64-bit key (as decimal text, PostgreSQL's bigint) for the parts named. */
export function lockKey(...parts: string[]): string {
  return createHash("sha256").update(["viva-drop", ...parts].join("\0")).digest().readBigInt64BE(0).toString();
}

export const locks = {
  /** One drop: only one ingest loads it. */
  drop: (schema: string, tenantId: string, runFolder: string) => lockKey(schema, "drop", tenantId, runFolder),
  /** One tenant's rows of one table: loads of the same tenant apply one after the other. */
  tenant: (schema: string, table: string, tenantId: string) => lockKey(schema, "tenant", table, tenantId),
  /** The tables' columns and the view: exclusive to change them, shared to rely on them. */
  schema: (schema: string) => lockKey(schema, "schema"),
};

const FIRST_WAIT_MS = 20;
const LONGEST_WAIT_MS = 500;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Takes the lock for the rest of the current transaction, waiting while another session holds it. */
export async function acquireLock(client: Client, key: string, mode: "exclusive" | "shared", signal?: AbortSignal): Promise<void> {
  const fn = mode === "exclusive" ? "pg_try_advisory_xact_lock" : "pg_try_advisory_xact_lock_shared";
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
    signal?.throwIfAborted();
    const { rows } = await client.query<{ ok: boolean }>(`SELECT ${fn}($1::bigint) AS ok`, [key]);
    if (rows[0].ok) return;
    await sleep(wait, signal);
  }
}
