import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { describeError } from "../../../errors";
import { SinkError } from "../sink";

/** How long to wait for another process to release the database file (DuckDB has one writer at a time). */
export const DEFAULT_LOCK_WAIT_SECONDS = 30;
const RETRY_MS = 250;

/**
 * Settings of every ingest database.
 * - memory_limit bounds DuckDB's buffers. A drop's transaction-local rows stay in memory until a row group
 *   (122,880 rows) is full and written to the file: ~80 MB for a 70-column person report, which is why the
 *   limit cannot be much lower.
 * - temp_directory '' : nothing is ever spilled to a temp folder. Spilled blocks would be decrypted rows in a
 *   file beside the database; a query that does not fit fails instead (the load then takes the row path or
 *   reports the error).
 * - write_buffer_row_group_count 1: a bulk insert writes each full row group out at once instead of
 *   buffering five of them.
 * - enable_external_file_cache false: the NDJSON fast path reads a new file under a reused path
 *   (/proc/self/fd/N); a cache keyed by path could hand it the previous chunk's bytes.
 * - DuckDB's allocator otherwise keeps up to 128 MB of freed memory, so it is told to hand it back early.
 */
const SETTINGS: Record<string, string> = {
  memory_limit: "160MB",
  temp_directory: "",
  write_buffer_row_group_count: "1",
  enable_external_file_cache: "false",
  allocator_flush_threshold: "8MB",
  allocator_bulk_deallocation_flush_threshold: "32MB",
  allocator_background_threads: "true",
};

/**
 * Rows per row group written to the file. DuckDB keeps a transaction's new rows in memory until a row group
 * is full and then writes it to the file: with its default (122,880 rows) that is ~100 MB of a 70-column
 * person report before the first write, which the memory limit cannot hold next to the JSON reader's
 * buffers. 16,384 rows (~13 MB) keep that part near 40 MB; queries do not notice.
 */
const ROW_GROUP_SIZE = 16_384;

/** The file's name inside the instance (the instance itself is an empty in-memory database). */
const CATALOG = "viva";

/**
 * Set on each connection (the ICU extension that TimeZone needs loads only once the database is open):
 * TIMESTAMPTZ → text casts (a column widened to text) then read the same on every machine.
 */
export const CONNECTION_SETTINGS = ["SET TimeZone = 'UTC'", `USE ${CATALOG}`];

export interface OpenOptions {
  /** READ_ONLY: no writer lock (other readers may open the file too), nothing created. */
  readOnly?: boolean;
  signal?: AbortSignal;
  /** Seconds to wait while another process (or another sink in this one) holds the file. */
  lockWaitSeconds?: number;
}

/**
 * Files this process has open, by canonical path. DuckDB's lock on the file is a POSIX lock, which never
 * conflicts within one process: two instances of the same process could both write the file. So the same
 * rule is kept here, in-process: one writer, or any number of readers.
 */
const openHere = new Map<string, { writer: boolean; readers: number }>();

/** The file as this process holds it; release() gives it back (once). */
export interface HeldDatabase {
  instance: DuckDBInstance;
  /** A connection whose default database is the file (CONNECTION_SETTINGS applied). */
  connect(): Promise<DuckDBConnection>;
  release(): void;
}

/**
 * Opens the DuckDB file at `file` — for writing (created when missing) or read-only. While another process
 * (or another sink of this process) holds it, waits up to `lockWaitSeconds` (default:
 * VIVA_DROP_DUCKDB_LOCK_WAIT seconds, else 30), then fails with one line naming that process.
 */
export async function openDatabase(file: string, options: OpenOptions = {}): Promise<HeldDatabase> {
  const { readOnly = false, signal } = options;
  const lockWaitSeconds = options.lockWaitSeconds ?? lockWaitFromEnvironment();
  const key = canonicalPath(file);
  const deadline = Date.now() + lockWaitSeconds * 1000;
  for (;;) {
    let holder: string | undefined;
    if (claim(key, readOnly)) {
      try {
        const instance = await attach(file, readOnly);
        let released = false;
        return {
          instance,
          connect: async () => {
            const conn = await instance.connect();
            try {
              for (const setting of CONNECTION_SETTINGS) await conn.run(setting);
            } catch (error) {
              conn.closeSync();
              throw error;
            }
            return conn;
          },
          release: () => {
            if (released) return;
            released = true;
            unclaim(key, readOnly);
          },
        };
      } catch (error) {
        unclaim(key, readOnly);
        holder = lockHolder(error);
        if (holder === undefined) throw new SinkError(file, `cannot open the DuckDB database: ${shortDuckDbError(error)}`, { cause: error });
      }
    } else {
      holder = `PID ${process.pid}, this process`;
    }
    if (Date.now() >= deadline) {
      throw new SinkError(file, `the database is in use by another process (${holder}): another ingest or a DuckDB session holds it; waited ${lockWaitSeconds} s`);
    }
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    signal?.throwIfAborted();
  }
}

// The file is attached to an in-memory instance: ATTACH takes the row group size (and takes the file's lock).
async function attach(file: string, readOnly: boolean): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(":memory:", SETTINGS);
  try {
    const conn = await instance.connect();
    try {
      await conn.run(`ATTACH '${file.replace(/'/g, "''")}' AS ${CATALOG} (${readOnly ? "READ_ONLY, " : ""}ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`);
    } finally {
      conn.closeSync();
    }
    return instance;
  } catch (error) {
    instance.closeSync();
    throw error;
  }
}

function claim(key: string, readOnly: boolean): boolean {
  const held = openHere.get(key);
  if (!held) {
    openHere.set(key, { writer: !readOnly, readers: readOnly ? 1 : 0 });
    return true;
  }
  if (held.writer || !readOnly) return false;
  held.readers++;
  return true;
}

function unclaim(key: string, readOnly: boolean): void {
  const held = openHere.get(key);
  if (!held) return;
  if (readOnly) held.readers--;
  else held.writer = false;
  if (!held.writer && held.readers <= 0) openHere.delete(key);
}

// The same file under every name it is reached by (the file itself may not exist yet).
function canonicalPath(file: string): string {
  const resolved = path.resolve(file);
  try {
    return existsSync(resolved) ? realpathSync(resolved) : path.join(realpathSync(path.dirname(resolved)), path.basename(resolved));
  } catch {
    return resolved;
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

/** A DuckDB error on one line, without the documentation links and hints DuckDB appends. */
export function shortDuckDbError(error: unknown): string {
  return describeError(error)
    .replace(/\s*See also https?:\/\/\S+/g, "")
    .replace(/\s*Possible solutions:.*$/i, "")
    .replace(/\s*Database is launched in in-memory mode.*$/i, "")
    .trim();
}
