/**
 * The DuckDB sink: the shared sink contract (single writer: a second sink on the same file waits for it),
 * then what is DuckDB's own.
 */
import { rmSync } from "node:fs";
import path from "node:path";
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
      const conn = await held.instance.connect();
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
    async cleanup() {
      for (const s of sinks) await s.sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeSinkContract("DuckDB", makeDuckDbSink, { writers: "one" });
