import { DuckDBInstance } from "@duckdb/node-api";
import { describeError } from "../../../errors";
import { SinkError } from "../sink";

/** How long to wait for another process to release the database file (DuckDB has one writer at a time). */
export const DEFAULT_LOCK_WAIT_SECONDS = 30;
const RETRY_MS = 250;

/**
 * Settings of every ingest database. memory_limit bounds DuckDB's buffers (what does not fit spills to
 * DuckDB's own temp folder beside the database, which DuckDB removes again). It must hold a drop's
 * transaction-local row group (up to 122,880 rows of the table's width: ~40 MB for a 70-column person
 * report); at 48 MB the conflict joins of a 400 MB drop failed to pin their blocks. DuckDB's allocator
 * otherwise keeps up to 128 MB of freed memory, so it is told to hand it back early. Measured (appending
 * 145,000 and 380,000 rows of 70 columns): DuckDB's part of the process stays flat with the row count.
 */
const SETTINGS: Record<string, string> = { memory_limit: "128MB", allocator_flush_threshold: "8MB", allocator_background_threads: "true" };

/**
 * Set on each connection (the ICU extension that TimeZone needs loads only once the database is open):
 * TIMESTAMPTZ → text casts (a column widened to text) then read the same on every machine.
 */
export const CONNECTION_SETTINGS = ["SET TimeZone = 'UTC'"];

/**
 * Opens (creating when missing) the DuckDB file at `path` for writing. While another process holds it,
 * waits up to `lockWaitSeconds` (default: VIVA_DROP_DUCKDB_LOCK_WAIT seconds, else 30), then fails with
 * one line naming that process.
 */
export async function openDatabase(path: string, signal?: AbortSignal, lockWaitSeconds = lockWaitFromEnvironment()): Promise<DuckDBInstance> {
  const deadline = Date.now() + lockWaitSeconds * 1000;
  for (;;) {
    try {
      return await DuckDBInstance.create(path, SETTINGS);
    } catch (error) {
      const holder = lockHolder(error);
      if (holder === undefined) throw new SinkError(path, `cannot open the DuckDB database: ${shortDuckDbError(error)}`, { cause: error });
      if (Date.now() >= deadline) {
        throw new SinkError(path, `the database is in use by another process (${holder}): another ingest or a DuckDB session holds it; waited ${lockWaitSeconds} s`, { cause: error });
      }
    }
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    signal?.throwIfAborted();
  }
}

function lockWaitFromEnvironment(): number {
  const value = Number(process.env.VIVA_DROP_DUCKDB_LOCK_WAIT);
  return process.env.VIVA_DROP_DUCKDB_LOCK_WAIT !== undefined && Number.isFinite(value) && value >= 0 ? value : DEFAULT_LOCK_WAIT_SECONDS;
}

// "Could not set lock on file …: Conflicting lock is held in /usr/bin/node (PID 1234) by user root."
function lockHolder(error: unknown): string | undefined {
  const message = describeError(error);
  if (!/Could not set lock on file/i.test(message)) return undefined;
  const pid = /\(PID (\d+)\)/.exec(message);
  return pid ? `PID ${pid[1]}` : "another process";
}

/** A DuckDB error on one line, without the documentation links DuckDB appends. */
export function shortDuckDbError(error: unknown): string {
  return describeError(error)
    .replace(/\s*See also https?:\/\/\S+/g, "")
    .replace(/\s*Possible solutions:.*$/i, "")
    .trim();
}
