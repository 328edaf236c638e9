/**
 * The DuckDB sink: the shared sink contract (single writer: a second sink on the same file waits for it),
 * then what is DuckDB's own.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckDbSink } from "../../src/ingest/sinks/duckdb/duckdb-sink";
import { openDatabase } from "../../src/ingest/sinks/duckdb/open-database";
import type { Sink } from "../../src/ingest/sinks/sink";
import { makeTempDir } from "../support/test-drop";
import { describeSinkContract, type SinkUnderTest } from "./sink-contract";

/**
 * A DuckDB file in a fresh folder. query() runs on the connection of a sink of this test that holds the
 * file (a second instance of the same file in one process is what the sink itself refuses), or on a
 * read-only open of the file when none does.
 */
export async function makeDuckDbSink(): Promise<SinkUnderTest & { file: string }> {
  const dir = makeTempDir("viva-duckdb-sink-");
  const file = path.join(dir, "viva.duckdb");
  const sinks: { sink: DuckDbSink; closed: boolean }[] = [];
  const open = (lockWaitSeconds = 20): Sink => {
    const entry = { sink: new DuckDbSink(file, { lockWaitSeconds }), closed: false };
    const close = entry.sink.close.bind(entry.sink);
    entry.sink.close = async () => {
      entry.closed = true;
      await close();
    };
    sinks.push(entry);
    return entry.sink;
  };
  const sink = open();
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const holder = sinks.find((s) => !s.closed && s.sink.isOpen());
    if (holder) return holder.sink.rowObjects(sql);
    const held = await openDatabase(file, { readOnly: true });
    try {
      const conn = await held.connect();
      try {
        return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
      } finally {
        conn.closeSync();
      }
    } finally {
      held.instance.closeSync();
      held.release();
    }
  };
  return {
    file,
    sink,
    query,
    reopen: async () => open(),
    reopenWaiting: async (seconds) => open(seconds),
    openReadOnly: async (seconds = 20) => {
      const entry = { sink: new DuckDbSink(file, { readOnly: true, lockWaitSeconds: seconds }), closed: false };
      sinks.push(entry);
      return entry.sink;
    },
    hasTables: async () => existsSync(file),
    async cleanup() {
      for (const s of sinks) await s.sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeSinkContract("DuckDB", makeDuckDbSink, { writers: "one" });

describe("DuckDB sink specifics", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const scratch = (): string => {
    const dir = makeTempDir("viva-duckdb-specific-");
    dirs.push(dir);
    return dir;
  };

  it("read-only: a DuckDB file without the ledger table is an empty ledger, and stays without it", async () => {
    const file = path.join(scratch(), "other.duckdb");
    const held = await openDatabase(file);
    const conn = await held.connect();
    await conn.run("CREATE TABLE notes (x INTEGER)");
    conn.closeSync();
    held.instance.closeSync();
    held.release();
    const reader = new DuckDbSink(file, { readOnly: true });
    expect(await reader.ledger("4d2c1a3e-0000-4000-8000-00000000000a")).toEqual(new Map());
    await reader.close();
    const check = await openDatabase(file, { readOnly: true });
    const c = await check.connect();
    expect((await c.runAndReadAll("SELECT table_name FROM duckdb_tables() ORDER BY 1")).getRowsJS()).toEqual([["notes"]]);
    c.closeSync();
    check.instance.closeSync();
    check.release();
  });

  it("read-only: while another process writes the file, ledger() waits, then fails with one line naming that process", async () => {
    const file = path.join(scratch(), "held.duckdb");
    const holder = spawn(
      process.execPath,
      ["-e", `require(${JSON.stringify(require.resolve("@duckdb/node-api"))}).DuckDBInstance.create(${JSON.stringify(file)}).then(() => { console.log("held"); setInterval(() => {}, 1000); })`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
      const reader = new DuckDbSink(file, { readOnly: true, lockWaitSeconds: 1 });
      const error = await reader.ledger("4d2c1a3e-0000-4000-8000-00000000000a").then(() => undefined, (e: unknown) => e as Error);
      expect(error?.name).toBe("SinkError");
      expect(error!.message).toBe(`${file}: the database is in use by another process (PID ${holder.pid}): another ingest or a DuckDB session holds it; waited 1 s`);
      await reader.close();
    } finally {
      holder.kill("SIGKILL");
    }
  });
});
