/**
 * The DuckDB sink: the shared sink contract (single writer: a second sink on the same file waits for it),
 * then what is DuckDB's own.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckDbSink } from "../../src/ingest/sinks/duckdb/duckdb-sink";
import { openDatabase } from "../../src/ingest/sinks/duckdb/open-database";
import { typedColumns } from "../../src/ingest/ndjson-chunks";
import { RowBatcher } from "../../src/ingest/row-batches";
import { type DropLoad, DropRejectedError, type DropRows, type NdjsonChunk, type RowBatch, type Sink } from "../../src/ingest/sinks/sink";
import { holdDuckDbFile } from "../support/duckdb-holder";
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
    const holder = await holdDuckDbFile(file);
    try {
      const reader = new DuckDbSink(file, { readOnly: true, lockWaitSeconds: 1 });
      const error = await reader.ledger("4d2c1a3e-0000-4000-8000-00000000000a").then(() => undefined, (e: unknown) => e as Error);
      expect(error?.name).toBe("SinkError");
      expect(error!.message).toBe(`${file}: the database is in use by another process (PID ${holder.pid}): another ingest or a DuckDB session holds it; waited 1 s`);
      await reader.close();
    } finally {
      holder.stop();
    }
  });
});

describe("DuckDB sink: the NDJSON fast path", () => {
  const TENANT = "4d2c1a3e-0000-4000-8000-00000000000a";
  const person = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const dirs: string[] = [];
  const sinks: DuckDbSink[] = [];
  afterAll(async () => {
    for (const sink of sinks) await sink.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  /** A fresh database; chunks of ~4 KB, so every drop here takes several statements. */
  async function database(): Promise<{ sink: DuckDbSink; file: string }> {
    const dir = makeTempDir("viva-duckdb-fast-");
    dirs.push(dir);
    const file = path.join(dir, "viva.duckdb");
    const sink = new DuckDbSink(file, { fastPathChunkBytes: 4096 });
    sinks.push(sink);
    await sink.prepare();
    return { sink, file };
  }
  const memoryFolders = (): string[] => readdirSync("/dev/shm").filter((name) => name.startsWith(`viva-drop-ingest-${process.pid}-`));

  function drop(runFolder: string, extractionId: string, completed: string): DropLoad {
    return {
      kind: "personReport",
      ledger: { tenantId: TENANT, runFolder, dataset: "VivaInsightsDataset_PersonReport_v1", extractionId, requestStart: null, requestEnd: null, jobCompletedAt: new Date(completed), filesFingerprint: "f" },
    };
  }

  /**
   * `rows` as the engine hands them over: batches() through RowBatcher, ndjson() as validated-NDJSON chunks of
   * 700 bytes with their keys and, on the first (the first 20 rows), the types the engine gives them. Counts
   * the reads of each.
   */
  function dropRows(rows: Record<string, unknown>[], options: { failAfterChunks?: number } = {}) {
    const reads = { batches: 0, ndjson: 0 };
    const lines = rows.map((r) => Buffer.from(`${JSON.stringify(r)}\n`));
    return {
      reads,
      rows: {
        async *batches(): AsyncGenerator<RowBatch> {
          reads.batches++;
          const batcher = new RowBatcher("personReport");
          for (const row of rows) {
            const b = batcher.add(row);
            if (b) yield b;
          }
          const last = batcher.finish();
          if (last) yield last;
        },
        async *ndjson(): AsyncGenerator<NdjsonChunk> {
          reads.ndjson++;
          const head = Buffer.concat(lines.slice(0, 20));
          yield { bytes: head, rows: Math.min(20, lines.length), columns: [...new Set(rows.slice(0, 20).flatMap((r) => Object.keys(r)))], firstColumns: typedColumns(head, "personReport") };
          let chunks = 1;
          for (let i = 20; i < lines.length; ) {
            if (options.failAfterChunks !== undefined && chunks >= options.failAfterChunks) throw new Error("gzip checksum mismatch in part-00000");
            let bytes = 0;
            const from = i;
            while (i < lines.length && bytes < 700) bytes += lines[i++].length;
            chunks++;
            yield { bytes: Buffer.concat(lines.slice(from, i)), rows: i - from, columns: [...new Set(rows.slice(from, i).flatMap((r) => Object.keys(r)))] };
          }
        },
      } satisfies DropRows,
    };
  }

  const rowsOf = (from: number, to: number, extra: (n: number) => Record<string, unknown> = () => ({})): Record<string, unknown>[] =>
    Array.from({ length: to - from }, (_, i) => {
      const n = from + i;
      return { PersonId: person(n).toUpperCase(), MetricDate: n % 2 ? "2024-03-04" : "2024-03-11T00:00:00Z", "Collaboration hours": `${n}.25`, IsActive: n % 3 === 0, Organization: `org-${n % 4}`, Empty: null, ...extra(n) };
    });

  async function tableOf(sink: DuckDbSink): Promise<unknown[]> {
    return sink.rowObjects("SELECT * EXCLUDE (metric_date, job_completed_at), epoch_ms(metric_date) AS md FROM viva_person_report ORDER BY person_id, md");
  }

  /** The same drops loaded by the row path only (batches, no ndjson). */
  async function rowPathTable(drops: [DropLoad, Record<string, unknown>[]][]): Promise<unknown[]> {
    const { sink } = await database();
    for (const [d, rows] of drops) await sink.loadDrop(d, { batches: dropRows(rows).rows.batches });
    const columns = (await sink.columnsOf("personReport")).map((c) => [c.name, c.type]);
    return [columns, await tableOf(sink)];
  }

  it("loads person report drops without reading their batches, into exactly the tables the row path gives (the later drop winning)", async () => {
    const { sink } = await database();
    const first = rowsOf(0, 60);
    const second = rowsOf(30, 90, (n) => ({ "Focus hours": `${n % 7}` }));
    const a = dropRows(first);
    const b = dropRows(second);
    expect(await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), a.rows)).toEqual({ status: "loaded", rows: 60 });
    expect(await sink.loadDrop(drop("w2", "e2", "2024-03-19T00:00:00Z"), b.rows)).toEqual({ status: "loaded", rows: 60 });
    expect([a.reads, b.reads]).toEqual([{ batches: 0, ndjson: 1 }, { batches: 0, ndjson: 1 }]);
    const columns = (await sink.columnsOf("personReport")).map((c) => [c.name, c.type]);
    expect([columns, await tableOf(sink)]).toEqual(await rowPathTable([[drop("w1", "e1", "2024-03-12T00:00:00Z"), first], [drop("w2", "e2", "2024-03-19T00:00:00Z"), second]]));
    expect(columns.map(([name]) => name)).not.toContain("Empty"); // null in every row: no column, as on the row path
    for (const folder of memoryFolders()) expect(readdirSync(path.join("/dev/shm", folder))).toEqual([]); // files have no name
  });

  const fallbacks: [string, (rows: Record<string, unknown>[]) => Record<string, unknown>[]][] = [
    ["a later value that is not a number in a number column", (rows) => rows.map((r, i) => (i === 45 ? { ...r, "Collaboration hours": "n/a" } : r))],
    ["a later value with spaces around a number", (rows) => rows.map((r, i) => (i === 45 ? { ...r, "Collaboration hours": " 5" } : r))],
    ["a later value DuckDB reads as a number but the engine does not (nan)", (rows) => rows.map((r, i) => (i === 45 ? { ...r, "Collaboration hours": "nan" } : r))],
    ["a JSON true in a number column", (rows) => rows.map((r, i) => (i === 45 ? { ...r, "Collaboration hours": true } : r))],
    ["a key the first rows lack, with a value", (rows) => rows.map((r, i) => (i === 45 ? { ...r, "Late column": "x" } : r))],
    ["a timestamp-looking attribute after text (still text)", (rows) => rows.map((r, i) => (i === 45 ? { ...r, Organization: 5 } : r))],
  ];
  for (const [what, change] of fallbacks) {
    it(`goes back to the row path, with the row path's table, for ${what}`, async () => {
      const { sink } = await database();
      const rows = change(rowsOf(0, 60));
      const r = dropRows(rows);
      expect(await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows)).toEqual({ status: "loaded", rows: 60 });
      expect(r.reads).toEqual({ batches: 1, ndjson: 1 });
      const columns = (await sink.columnsOf("personReport")).map((c) => [c.name, c.type]);
      expect([columns, await tableOf(sink)]).toEqual(await rowPathTable([[drop("w1", "e1", "2024-03-12T00:00:00Z"), rows]]));
    });
  }

  it("keys null in every row of the drop create no column and keep the fast path", async () => {
    const { sink } = await database();
    const r = dropRows(rowsOf(0, 60, (n) => (n > 40 ? { "Late and empty": null } : {})));
    await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows);
    expect(r.reads).toEqual({ batches: 0, ndjson: 1 });
    expect((await sink.columnsOf("personReport")).map((c) => c.name)).not.toContain("Late and empty");
  });

  it("leaves a drop to the row path when the table has one of its columns with another type", async () => {
    const { sink } = await database();
    await sink.loadDrop(drop("w0", "e0", "2024-03-05T00:00:00Z"), { batches: dropRows(rowsOf(100, 101, () => ({ "Collaboration hours": "lots" }))).rows.batches });
    const r = dropRows(rowsOf(0, 60));
    await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows);
    expect(r.reads).toEqual({ batches: 1, ndjson: 1 });
    expect((await sink.rowObjects(`SELECT "Collaboration hours" AS h FROM viva_person_report WHERE person_id = '${person(3)}'`))[0].h).toBe("3.25");
  });

  it("rejects two rows with the same key through the row path, naming both rows", async () => {
    const { sink } = await database();
    const rows = rowsOf(0, 60);
    rows.push({ ...rows[33] });
    const r = dropRows(rows);
    const error = await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows).then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(DropRejectedError);
    expect(error!.message).toBe("rows 34 and 61 of the drop have the same (person_id, metric_date)");
    expect(await sink.ledger(TENANT)).toEqual(new Map());
  });

  it("an error of the chunks (the drop's own) comes back unchanged, without a second read; nothing is visible, no file is left", async () => {
    const { sink } = await database();
    const r = dropRows(rowsOf(0, 60), { failAfterChunks: 3 });
    await expect(sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows)).rejects.toThrow("gzip checksum mismatch in part-00000");
    expect(r.reads).toEqual({ batches: 0, ndjson: 1 });
    expect(await sink.rowObjects("SELECT count(*)::INTEGER AS n FROM viva_person_report")).toEqual([{ n: 0 }]);
    for (const folder of memoryFolders()) expect(readdirSync(path.join("/dev/shm", folder))).toEqual([]);
    // still usable
    expect(await sink.loadDrop(drop("w2", "e2", "2024-03-19T00:00:00Z"), dropRows(rowsOf(0, 30)).rows)).toEqual({ status: "loaded", rows: 30 });
  });

  it("an abort stops it with the signal's reason; nothing is visible", async () => {
    const { sink } = await database();
    const controller = new AbortController();
    const reason = new Error("stopped by the user");
    const r = dropRows(rowsOf(0, 60));
    const chunks = r.rows.ndjson;
    r.rows.ndjson = async function* () {
      let n = 0;
      for await (const chunk of chunks()) {
        if (++n === 3) controller.abort(reason);
        yield chunk;
      }
    };
    await expect(sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), r.rows, controller.signal)).rejects.toBe(reason);
    expect(r.reads.batches).toBe(0);
    expect(await sink.rowObjects("SELECT count(*)::INTEGER AS n FROM viva_person_report")).toEqual([{ n: 0 }]);
  });

  it("removes its memory folder on close, and an ingest removes the folder a killed one left", async () => {
    const stale = path.join("/dev/shm", "viva-drop-ingest-999999999-stale");
    mkdirSync(stale, { mode: 0o700 });
    const { sink } = await database();
    const before = memoryFolders();
    await sink.loadDrop(drop("w1", "e1", "2024-03-12T00:00:00Z"), dropRows(rowsOf(0, 30)).rows);
    expect(existsSync(stale)).toBe(false);
    const own = memoryFolders().filter((name) => !before.includes(name));
    expect(own).toHaveLength(1);
    await sink.close();
    expect(existsSync(path.join("/dev/shm", own[0]))).toBe(false);
  });
});
