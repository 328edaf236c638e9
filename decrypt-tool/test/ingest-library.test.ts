import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IngestProgress, ingestDrops, isDropError } from "../src/index";
import { createIngestProgress } from "../src/cli/ingest-progress";
import { RowBatcher } from "../src/ingest/row-batches";
import { openSink, parseSinkTarget } from "../src/ingest/sinks/index";
import { isNumberText, parseMetricDate, typeOf } from "../src/ingest/value-types";
import { rejectionOf } from "./support/collect";
import { fakeTerminal } from "./support/fake-terminal";
import { person, personRows, TENANT, writeDrop } from "./support/ingest-drops";
import { SINK_HARNESSES } from "./support/sinks";
import { makeKeyPair, makeTempDir, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;

beforeAll(() => {
  keys = makeKeyPair();
  root = makeTempDir("viva-ingest-lib-");
  for (let week = 1; week <= 3; week++) {
    writeDrop(root, TENANT, `week-${week}`, keys.publicKeyPem, {
      completedAt: `2024-03-${10 + week}T06:00:00Z`,
      rows: personRows(Array.from({ length: 1500 }, (_, i) => i + week * 10_000), ["2024-03-04"], () => String(week)),
    });
  }
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  for (const harness of SINK_HARNESSES) await harness.stop();
});

describe.each(SINK_HARNESSES)("ingestDrops (library) into $name", (harness) => {
  it("reports progress drop by drop and returns the summary", async () => {
    const db = await harness.create();
    try {
      const seen: IngestProgress[] = [];
      const summary = await ingestDrops(path.join(root, TENANT), db.target, { privateKeyPem: keys.privateKeyPem }, { onProgress: (p) => seen.push(p) });
      expect(summary).toMatchObject({ loaded: 3, alreadyLoaded: 0, failed: 0, rejected: 0, rows: 4500 });
      expect([...new Set(seen.map((p) => `${p.drop}/${p.drops} ${p.runFolder}`))]).toEqual(["1/3 week-1", "2/3 week-2", "3/3 week-3"]);
      const last = seen.filter((p) => p.drop === 3).at(-1)!;
      expect(last).toMatchObject({ tenantId: TENANT, rows: 1500 });
      expect(last.encryptedBytes).toBe(last.totalEncryptedBytes);
      expect(last.decryptedBytes).toBeGreaterThan(last.encryptedBytes);
      // what `viva-drop status --sink` reads: the ledger, through a read-only sink
      const reader = await openSink(parseSinkTarget(db.target)!, { readOnly: true });
      try {
        expect([...(await reader.ledger(TENANT)).values()].map((r) => [r.runFolder, r.status, r.rows])).toEqual([
          ["week-1", "loaded", 1500],
          ["week-2", "loaded", 1500],
          ["week-3", "loaded", 1500],
        ]);
        await expect(reader.prepare()).rejects.toThrow(/opened read-only/);
      } finally {
        await reader.close();
      }
    } finally {
      await db.drop();
    }
  });

  it("stops on abort: the drop being loaded is rolled back, the ones before stay loaded", async () => {
    const db = await harness.create();
    try {
      const controller = new AbortController();
      const reason = new Error("stop now");
      const error = await rejectionOf(() =>
        ingestDrops(path.join(root, TENANT), db.target, { privateKeyPem: keys.privateKeyPem }, {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.drop === 2 && p.rows > 0) controller.abort(reason);
          },
        }),
      );
      expect(error).toBe(reason);
      const ledger = await db.query("SELECT run_folder FROM viva_drops");
      expect(ledger).toEqual([{ run_folder: "week-1" }]);
      expect(await db.query("SELECT DISTINCT \"Collaboration hours\" AS h FROM viva_person_report")).toEqual([{ h: 1 }]);
      const again = await ingestDrops(path.join(root, TENANT), db.target, { privateKeyPem: keys.privateKeyPem });
      expect(again).toMatchObject({ loaded: 2, alreadyLoaded: 1 });
    } finally {
      await db.drop();
    }
  });

  it("does nothing with a signal aborted before it starts, or a sink it cannot name", async () => {
    const db = await harness.create();
    try {
      const aborted = await rejectionOf(() => ingestDrops(path.join(root, TENANT), db.target, { privateKeyPem: keys.privateKeyPem }, { signal: AbortSignal.abort() }));
      expect(aborted.name).toBe("AbortError");
      expect(await db.hasTables()).toBe(false);
      const badSink = await rejectionOf(() => ingestDrops(path.join(root, TENANT), "mysql://db/viva", { privateKeyPem: keys.privateKeyPem }));
      expect(isDropError(badSink, "USAGE")).toBe(true);
      expect(badSink.message).toBe('sink "mysql://db/viva": expected a DuckDB file (*.duckdb or duckdb:<path>) or a PostgreSQL URL (postgres://…)');
      const noKey = await rejectionOf(() => ingestDrops(path.join(root, TENANT), db.target, {}));
      expect(isDropError(noKey, "USAGE")).toBe(true);
    } finally {
      await db.drop();
    }
  });
});

describe("column types", () => {
  it("reads metric text as numbers, and only full date-times with a zone as timestamps", () => {
    expect(["126.004", "-1", "0", ".5", "2.", "2.5e-3", "1E10"].map(isNumberText)).toEqual([true, true, true, true, true, true, true]);
    expect(["", "-", ".", "1.2.3", " 1", "1 ", "0x10", "NaN", "Infinity", "1e400", "12a"].map(isNumberText)).toEqual(Array(11).fill(false));
    expect([true, 3, "3", "2024-03-04T00:00:00Z", "2024-03-04T05:00:00+02:00", "2024-03-04", "2024-13-04T00:00:00Z", "Sales", [1], { a: 1 }, null].map(typeOf)).toEqual([
      "boolean",
      "double",
      "double",
      "timestamp",
      "timestamp",
      "text",
      "text",
      "text",
      "json",
      "json",
      undefined,
    ]);
    expect(parseMetricDate("2024-03-04")?.toISOString()).toBe("2024-03-04T00:00:00.000Z");
    expect(parseMetricDate("2024-03-04T00:00:00")?.toISOString()).toBe("2024-03-04T00:00:00.000Z");
    expect(parseMetricDate("2024-03-04T01:00:00+01:00")?.toISOString()).toBe("2024-03-04T00:00:00.000Z");
    expect(parseMetricDate("last week")).toBeUndefined();
  });

  it("maps the keys, widens a column within a batch from its original text, and sends no column that is always null", () => {
    const batcher = new RowBatcher("personReport");
    batcher.add({ PersonId: person(1).toUpperCase(), MetricDate: "2024-03-04T00:00:00Z", Level: "5", Empty: null, Tags: ["a"] });
    batcher.add({ PersonId: person(2), MetricDate: "2024-03-04", Level: "5a", Empty: null, Tags: null, Active: true });
    const batch = batcher.finish()!;
    expect(batch.columns).toEqual([
      { name: "person_id", type: "text" },
      { name: "metric_date", type: "timestamp" },
      { name: "Level", type: "text" },
      { name: "Tags", type: "json" },
      { name: "Active", type: "boolean" },
    ]);
    expect(batch.rows).toEqual([
      [person(1), new Date("2024-03-04T00:00:00Z"), "5", '["a"]', null],
      [person(2), new Date("2024-03-04T00:00:00Z"), "5a", null, true],
    ]);
    expect(batcher.finish()).toBeUndefined();
  });
});

describe.each(SINK_HARNESSES)("deleteAfterLoad on a local folder, into $name", (harness) => {
  it("removes a loaded drop's run folder once committed, and never a rejected one", async () => {
    const source = makeTempDir("viva-ingest-delete-");
    const db = await harness.create();
    try {
      writeDrop(source, TENANT, "good", keys.publicKeyPem, { rows: personRows([1, 2], ["2024-03-04"], () => "1") });
      writeDrop(source, TENANT, "bad", keys.publicKeyPem, { rows: personRows([3], ["2024-03-04"], () => "1"), metadata: { NumberOfRowsExtracted: 7 } });
      const summary = await ingestDrops(path.join(source, TENANT), db.target, { privateKeyPem: keys.privateKeyPem }, { deleteAfterLoad: true });
      expect(summary.drops.map((d) => [d.runFolder, d.status, d.deleted])).toEqual([
        ["bad", "rejected", undefined],
        ["good", "loaded", true],
      ]);
      expect(existsSync(path.join(source, TENANT, "good"))).toBe(false);
      expect(existsSync(path.join(source, TENANT, "bad", "metadata", "JobMetadata", "Metadata.json"))).toBe(true);
    } finally {
      await db.drop();
      rmSync(source, { recursive: true, force: true });
    }
  });
});

describe("ingest progress on a terminal", () => {
  it("shows drop n of m, the run folder, rows and MB/s of decrypted data", () => {
    const { stream, chunks } = fakeTerminal(true, 120);
    let clock = 1_000_000;
    const progress = createIngestProgress(false, stream, () => clock);
    const at = (rows: number, decryptedBytes: number): IngestProgress => ({ drop: 2, drops: 5, tenantId: TENANT, runFolder: "2024-03-25-run", rows, decryptedBytes, encryptedBytes: decryptedBytes / 8, totalEncryptedBytes: 10e6 });
    progress.update(at(0, 0));
    clock += 2_000;
    progress.update(at(12_345, 50e6));
    progress.stop();
    expect(chunks.join("")).toMatch(/drop 2 of 5 .* 2024-03-25-run \| 12,345 rows \| 25\.0 MB\/s/);
    const drawn = chunks.length;
    const quiet = createIngestProgress(true, stream);
    quiet.update(at(1, 1));
    quiet.stop();
    expect(chunks.length).toBe(drawn);
  });
});
