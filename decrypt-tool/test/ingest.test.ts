import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdDuckDbFile } from "./support/duckdb-holder";
import { assertBuilt, CLI_BIN, runCli } from "./support/run-cli";
import { copyRuns, OTHER_TENANT, person, personRows, TENANT, userRows, writeDrop, writePem } from "./support/ingest-drops";
import { duckDbHarness, SINK_HARNESSES, type TestDatabase } from "./support/sinks";
import { makeKeyPair, makeTempDir, toNdjson, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;
let pem: string;

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  root = makeTempDir("viva-ingest-test-");
  pem = writePem(root, keys.privateKeyPem);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const WEEK1 = ["2024-03-04", "2024-03-11"];
const WEEK2 = ["2024-03-11", "2024-03-18"];

/** A fresh folder holding tenant folders (inside `root`, removed with it). */
function account(): string {
  return mkdtempSync(path.join(root, "account-"));
}

/** The DuckDB fast path's in-memory folders (/dev/shm/viva-drop-ingest-<pid>-…) of processes that no longer run. */
function leftMemoryFolders(): string[] {
  return readdirSync("/dev/shm").filter((name) => {
    const pid = /^viva-drop-ingest-(\d+)-/.exec(name)?.[1];
    if (pid === undefined) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs ingest with an empty TMPDIR of its own and checks it stayed empty: no temp files on any exit path. */
async function ingest(source: string, db: TestDatabase, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const tmp = makeTempDir("viva-ingest-tmp-");
  try {
    const result = await runCli(["ingest", source, "--sink", db.target, "--private-key", pem, "--json", ...extra], { TMPDIR: tmp, ...env });
    expect(readdirSync(tmp)).toEqual([]);
    expect(leftMemoryFolders()).toEqual([]);
    return { ...result, summary: result.stdout ? (JSON.parse(result.stdout) as Summary) : undefined };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface Summary {
  drops: { tenantId: string; runFolder: string; dataset: string; status: string; rows: number; reason?: string; unchanged?: boolean; deleted?: boolean }[];
  loaded: number;
  alreadyLoaded: number;
  failed: number;
  rejected: number;
  rows: number;
}

const statuses = (summary: Summary | undefined) => Object.fromEntries(summary!.drops.map((d) => [d.runFolder, d.status]));

afterAll(async () => {
  for (const harness of SINK_HARNESSES) await harness.stop();
});

describe.each(SINK_HARNESSES)("viva-drop ingest into $name", (harness) => {
  it("gives identical tables whichever order two overlapping weeks arrive in, the later JobCompletionTime winning", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "2024-03-18-run", keys.publicKeyPem, { completedAt: "2024-03-18T06:00:00Z", rows: personRows([1, 2, 3], WEEK1, (p) => `${p}.5`) });
    writeDrop(source, TENANT, "2024-03-25-run", keys.publicKeyPem, { completedAt: "2024-03-25T06:00:00Z", rows: personRows([2, 3, 4], WEEK2, (p) => `${p * 10}.25`) });

    const inOrder = await harness.create();
    const newerFirst = await harness.create();
    try {
      const both = await ingest(tenant, inOrder);
      expect(both.stderr).toBe("");
      expect(both.code).toBe(0);
      expect(both.summary).toMatchObject({ loaded: 2, alreadyLoaded: 0, rows: 12 });
      expect(both.summary!.drops.map((d) => d.runFolder)).toEqual(["2024-03-18-run", "2024-03-25-run"]);

      // The newer week alone first, then the older one arrives.
      const partial = path.join(account(), TENANT);
      copyRuns(tenant, partial, ["2024-03-25-run"]);
      expect((await ingest(partial, newerFirst)).code).toBe(0);
      copyRuns(tenant, partial, ["2024-03-18-run"]);
      const second = await ingest(partial, newerFirst);
      expect(statuses(second.summary)).toEqual({ "2024-03-18-run": "loaded", "2024-03-25-run": "alreadyLoaded" });

      expect(await newerFirst.tables()).toEqual(await inOrder.tables());
      const rows = await inOrder.query("SELECT person_id, metric_date, \"Collaboration hours\" AS hours, \"IsActive\" AS active, \"Organization\" AS org FROM viva_person_report ORDER BY 1, 2");
      // 4 people: 1 only in week 1, 4 only in week 2; the shared date 2024-03-11 of people 2 and 3 comes from week 2.
      expect(rows).toHaveLength(10);
      const at = (p: number, d: string) => rows.find((r) => r.person_id === person(p) && (r.metric_date as Date).toISOString() === `${d}T00:00:00.000Z`);
      expect(at(2, "2024-03-11")).toMatchObject({ hours: 20.25, active: true, org: "org-2" });
      expect(at(2, "2024-03-04")).toMatchObject({ hours: 2.5 });
      expect(at(1, "2024-03-11")).toMatchObject({ hours: 1.5 });
      expect(at(4, "2024-03-18")).toMatchObject({ hours: 40.25 });
      expect(await inOrder.columnTypes("viva_person_report")).toEqual([
        ["tenant_id", "text"],
        ["person_id", "text"],
        ["metric_date", "timestamp"],
        ["extraction_id", "text"],
        ["job_completed_at", "timestamp"],
        ["IsActive", "boolean"],
        ["Collaboration hours", "double"],
        ["Organization", "text"],
      ]);

      const again = await ingest(tenant, inOrder);
      expect(again.code).toBe(0);
      expect(again.summary).toMatchObject({ loaded: 0, alreadyLoaded: 2, rows: 0 });
    } finally {
      await inOrder.drop();
      await newerFirst.drop();
    }
  });

  it("joins person report rows to the latest users snapshot of the same tenant", async () => {
    const source = account();
    writeDrop(source, TENANT, "run1", keys.publicKeyPem, { completedAt: "2024-03-18T06:00:00Z", rows: personRows([1, 2, 3], WEEK1, () => "7") });
    writeDrop(source, TENANT, "run1-users", keys.publicKeyPem, { completedAt: "2024-03-18T06:05:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows([1, 2], (p) => `dept-${p}`) });
    // Another tenant with the same person ids must not match these users.
    writeDrop(source, OTHER_TENANT, "run1", keys.publicKeyPem, { completedAt: "2024-03-18T06:00:00Z", rows: personRows([1], WEEK1, () => "3") });
    const db = await harness.create();
    try {
      const first = await ingest(source, db);
      expect(first.code).toBe(0);
      expect(first.summary).toMatchObject({ loaded: 3 });
      const joined = await db.query(
        "SELECT tenant_id, person_id, user_id, user_mail, user_department, \"user_accountEnabled\" AS enabled FROM viva_person_report_users WHERE metric_date = '2024-03-04' ORDER BY 1, 2",
      );
      expect(joined).toEqual([
        { tenant_id: OTHER_TENANT, person_id: person(1), user_id: null, user_mail: null, user_department: null, enabled: null },
        { tenant_id: TENANT, person_id: person(1), user_id: person(1), user_mail: "user1@contoso.example", user_department: "dept-1", enabled: true },
        { tenant_id: TENANT, person_id: person(2), user_id: person(2), user_mail: "user2@contoso.example", user_department: "dept-2", enabled: true },
        { tenant_id: TENANT, person_id: person(3), user_id: null, user_mail: null, user_department: null, enabled: null },
      ]);
      const phones = await db.query(`SELECT CAST("businessPhones" AS VARCHAR) AS phones FROM viva_users WHERE id = '${person(1)}'`);
      expect(phones.map((r) => JSON.parse(String(r.phones)))).toEqual([["+1 555 011"]]);

      // A newer snapshot replaces the tenant's users; an older one arriving later loads nothing.
      writeDrop(source, TENANT, "run2-users", keys.publicKeyPem, { completedAt: "2024-03-25T06:05:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows([2, 3], (p) => `new-${p}`) });
      writeDrop(source, TENANT, "run0-users", keys.publicKeyPem, { completedAt: "2024-03-11T06:05:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows([1, 2, 3], () => "stale") });
      const second = await ingest(source, db);
      expect(second.code).toBe(0);
      expect(statuses(second.summary)).toMatchObject({ "run0-users": "loaded", "run2-users": "loaded" });
      const users = await db.query("SELECT id, department FROM viva_users ORDER BY id");
      expect(users).toEqual([
        { id: person(2), department: "new-2" },
        { id: person(3), department: "new-3" },
      ]);
      const ledger = await db.query("SELECT run_folder, status, rows FROM viva_drops WHERE run_folder LIKE '%users' ORDER BY run_folder");
      expect(ledger.map((r) => [r.run_folder, r.status, Number(r.rows)])).toEqual([
        ["run0-users", "loaded", 3],
        ["run1-users", "loaded", 2],
        ["run2-users", "loaded", 2],
      ]);
    } finally {
      await db.drop();
    }
  });

  it("records a failed and a rejected drop among good ones, loads the others, exits 5, and retries only when the files change", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "a-good", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows([1, 2], WEEK1, () => "1") });
    writeDrop(source, TENANT, "b-failed", keys.publicKeyPem, {
      completedAt: "2024-03-12T06:00:00Z",
      metadata: { Errors: "Consent request expired", DecryptionKeyDetails: undefined, NumberOfRowsExtracted: 0 },
    });
    rmSync(path.join(tenant, "b-failed", "data"), { recursive: true, force: true });
    // 9 rows of people 50-52, but the metadata claims 10: rejected after every row was read.
    const rejectedRows = personRows([50, 51, 52], ["2024-03-04", "2024-03-05", "2024-03-06"], () => "9");
    writeDrop(source, TENANT, "c-rejected", keys.publicKeyPem, { completedAt: "2024-03-13T06:00:00Z", rows: rejectedRows, metadata: { NumberOfRowsExtracted: 10 } });
    writeDrop(source, TENANT, "d-good", keys.publicKeyPem, { completedAt: "2024-03-14T06:00:00Z", rows: personRows([3], WEEK2, () => "2") });
    const db = await harness.create();
    try {
      const first = await ingest(tenant, db);
      expect(first.code).toBe(5);
      expect(first.stderr).toBe("");
      expect(first.summary!.drops).toEqual([
        { tenantId: TENANT, runFolder: "a-good", dataset: "VivaInsightsDataset_PersonReport_v1", status: "loaded", rows: 4 },
        { tenantId: TENANT, runFolder: "b-failed", dataset: "VivaInsightsDataset_PersonReport_v1", status: "failed", rows: 0, reason: "the service reported a failed run: Consent request expired" },
        {
          tenantId: TENANT,
          runFolder: "c-rejected",
          dataset: "VivaInsightsDataset_PersonReport_v1",
          status: "rejected",
          rows: 0,
          reason: "the data has 9 rows but NumberOfRowsExtracted is 10",
        },
        { tenantId: TENANT, runFolder: "d-good", dataset: "VivaInsightsDataset_PersonReport_v1", status: "loaded", rows: 2 },
      ]);
      const visible = await db.query(`SELECT count(*) AS n FROM viva_person_report WHERE person_id IN ('${person(50)}', '${person(51)}', '${person(52)}')`);
      expect(Number(visible[0].n)).toBe(0);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(6);
      const ledger = await db.query("SELECT run_folder, status, rows, reason FROM viva_drops ORDER BY run_folder");
      expect(ledger.map((r) => [r.run_folder, r.status, Number(r.rows), r.reason])).toEqual([
        ["a-good", "loaded", 4, null],
        ["b-failed", "failed", 0, "the service reported a failed run: Consent request expired"],
        ["c-rejected", "rejected", 0, "the data has 9 rows but NumberOfRowsExtracted is 10"],
        ["d-good", "loaded", 2, null],
      ]);

      const unchanged = await ingest(tenant, db);
      expect(unchanged.code).toBe(5);
      expect(unchanged.summary!.drops.map((d) => [d.runFolder, d.status, d.unchanged ?? false])).toEqual([
        ["a-good", "alreadyLoaded", false],
        ["b-failed", "failed", true],
        ["c-rejected", "rejected", true],
        ["d-good", "alreadyLoaded", false],
      ]);

      // The service re-delivers both, fixed: the changed files are read again.
      rmSync(path.join(tenant, "b-failed"), { recursive: true });
      writeDrop(source, TENANT, "b-failed", keys.publicKeyPem, { completedAt: "2024-03-12T06:00:00Z", rows: personRows([5], WEEK1, () => "5") });
      writeDrop(source, TENANT, "c-rejected", keys.publicKeyPem, { completedAt: "2024-03-13T06:00:00Z", rows: rejectedRows });
      const fixed = await ingest(tenant, db);
      expect(fixed.code).toBe(0);
      expect(statuses(fixed.summary)).toEqual({ "a-good": "alreadyLoaded", "b-failed": "loaded", "c-rejected": "loaded", "d-good": "alreadyLoaded" });
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(6 + 2 + 9);
    } finally {
      await db.drop();
    }
  });

  it("rejects tampered data, a row without PersonId and another tenant's drop, naming the cause", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    const tampered = writeDrop(source, TENANT, "tampered", keys.publicKeyPem, { rows: personRows([1, 2, 3, 4], WEEK1, () => "1") });
    const part = path.join(tampered, "data", "part-00000.json.gz.enc");
    const bytes = readFileSync(part);
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    writeFileSync(part, bytes);
    writeDrop(source, TENANT, "no-person", keys.publicKeyPem, { rows: [{ MetricDate: "2024-03-04T00:00:00Z", "Collaboration hours": "1" }] });
    writeDrop(source, TENANT, "wrong-tenant", keys.publicKeyPem, { rows: personRows([1], WEEK1, () => "1"), metadata: { TenantId: OTHER_TENANT } });
    writeDrop(source, TENANT, "long-column", keys.publicKeyPem, { rows: personRows([1], WEEK1, () => "1", { ["x".repeat(64)]: "1" }) });
    const db = await harness.create();
    try {
      const run = await ingest(tenant, db);
      expect(run.code).toBe(5);
      const reasons = Object.fromEntries(run.summary!.drops.map((d) => [d.runFolder, [d.status, d.reason]]));
      expect(reasons["tampered"][0]).toBe("rejected");
      expect(reasons["tampered"][1]).toMatch(/part-00000\.json\.gz\.enc (is altered: gzip checksum mismatch|does not decrypt|is corrupt|is truncated)/);
      expect(reasons["no-person"]).toEqual(["rejected", "row 1 has no PersonId"]);
      expect(reasons["wrong-tenant"]).toEqual(["rejected", `TenantId ${OTHER_TENANT} in the metadata is not the tenant of the container (${TENANT})`]);
      expect(reasons["long-column"]).toEqual(["rejected", `column "${"x".repeat(64)}" has a name longer than 63 bytes, which the database cannot hold`]);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it("adds a column a later drop brings (null in older rows) and widens a column to text when values stop being numbers", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows([1], WEEK1, () => "4", { Level: "5" }) });
    writeDrop(source, TENANT, "w2", keys.publicKeyPem, {
      completedAt: "2024-03-18T06:00:00Z",
      rows: personRows([2], ["2024-03-25"], () => "6", { Level: "5a", "Focus hours": "2.5", Tags: ["a", "b"] }),
    });
    const db = await harness.create();
    try {
      expect((await ingest(tenant, db)).code).toBe(0);
      expect((await db.columnTypes("viva_person_report")).slice(6)).toEqual([
        ["Collaboration hours", "double"],
        ["Organization", "text"],
        ["Level", "text"],
        ["Focus hours", "double"],
        ["Tags", "json"],
      ]);
      const rows = await db.query("SELECT person_id, \"Level\" AS level, \"Focus hours\" AS focus, CAST(\"Tags\" AS VARCHAR) AS tags FROM viva_person_report ORDER BY person_id, metric_date");
      // JSON compared as values: each database prints JSON text its own way.
      expect(rows.map((r) => ({ ...r, tags: r.tags === null ? null : JSON.parse(String(r.tags)) }))).toEqual([
        { person_id: person(1), level: "5", focus: null, tags: null },
        { person_id: person(1), level: "5", focus: null, tags: null },
        { person_id: person(2), level: "5a", focus: 2.5, tags: ["a", "b"] },
      ]);
      const view = await db.columnTypes("viva_person_report_users");
      expect(view.map(([name]) => name)).toEqual(expect.arrayContaining(["Focus hours", "Tags", "user_id"]));
    } finally {
      await db.drop();
    }
  });

  it("rejects a drop in which two rows have the same PersonId and MetricDate, naming both rows", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    const rows = personRows([1, 2, 3], WEEK1, () => "1");
    rows.push({ ...rows[2], "Collaboration hours": "9" }); // row 7 repeats row 3 (person 2, first week)
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows([5], WEEK1, () => "1") });
    writeDrop(source, TENANT, "w2-dup", keys.publicKeyPem, { completedAt: "2024-03-12T06:00:00Z", rows });
    const db = await harness.create();
    try {
      const run = await ingest(tenant, db);
      expect(run.code).toBe(5);
      expect(run.summary!.drops.map((d) => [d.runFolder, d.status, d.reason])).toEqual([
        ["w1", "loaded", undefined],
        ["w2-dup", "rejected", "rows 3 and 7 of the drop have the same (person_id, metric_date)"],
      ]);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(2);
    } finally {
      await db.drop();
    }
  });

  it("creates no column for a drop in which it is null in every row; the first drop with a value creates it with that value's type", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows([1], WEEK1, () => "1", { "Focus hours": null }) });
    const db = await harness.create();
    try {
      expect((await ingest(tenant, db)).code).toBe(0);
      expect((await db.columnTypes("viva_person_report")).map(([name]) => name)).not.toContain("Focus hours");
      writeDrop(source, TENANT, "w2", keys.publicKeyPem, { completedAt: "2024-03-18T06:00:00Z", rows: personRows([2], WEEK2, () => "1", { "Focus hours": "2.5" }) });
      writeDrop(source, TENANT, "w3", keys.publicKeyPem, { completedAt: "2024-03-25T06:00:00Z", rows: personRows([3], ["2024-03-25"], () => "1", { "Focus hours": null }) });
      expect((await ingest(tenant, db)).code).toBe(0);
      expect((await db.columnTypes("viva_person_report")).find(([name]) => name === "Focus hours")).toEqual(["Focus hours", "double"]);
      const focus = await db.query(`SELECT person_id, "Focus hours" AS f FROM viva_person_report ORDER BY person_id, metric_date`);
      expect(focus.map((r) => [r.person_id, r.f])).toEqual([
        [person(1), null],
        [person(1), null],
        [person(2), 2.5],
        [person(2), 2.5],
        [person(3), null],
      ]);
    } finally {
      await db.drop();
    }
  });

  it("never loads a drop twice when two ingests start at once", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    for (let week = 0; week < 4; week++) {
      writeDrop(source, TENANT, `week-${week}`, keys.publicKeyPem, { completedAt: `2024-03-${10 + week}T06:00:00Z`, rows: personRows([1, 2, 3, 4, 5, 6], WEEK1, () => String(week)) });
    }
    const db = await harness.create();
    try {
      const [a, b] = await Promise.all([ingest(tenant, db), ingest(tenant, db)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      for (let week = 0; week < 4; week++) {
        const outcomes = [statuses(a.summary)[`week-${week}`], statuses(b.summary)[`week-${week}`]].sort();
        expect(outcomes).toEqual(["alreadyLoaded", "loaded"]);
      }
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_drops"))[0].n)).toBe(4);
      expect(await db.query("SELECT DISTINCT \"Collaboration hours\" AS hours FROM viva_person_report")).toEqual([{ hours: 3 }]);
    } finally {
      await db.drop();
    }
  });

  it("exits 2, 3 or 4 with one line for bad input, before the database is opened", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { rows: personRows([1], WEEK1, () => "1") });
    const db = await harness.create();
    try {
      const cases: [string[], number, RegExp][] = [
        [["ingest", tenant, "--sink", "tables.sqlite", "--private-key", pem], 2, /^viva-drop: .*: --sink "tables.sqlite": expected a DuckDB file \(\*\.duckdb or duckdb:<path>\) or a PostgreSQL URL \(postgres:\/\/…\)\n$/],
        [["ingest", tenant, "--private-key", pem], 2, /^viva-drop: required option '--sink <target>' not specified\n$/],
        [["ingest", tenant, "--sink", db.target], 2, /^viva-drop: .*: a key is needed: --key-vault <vault URL> or --private-key <PEM file>\n$/],
        [["ingest", path.join(source, "nowhere"), "--sink", db.target, "--private-key", pem], 3, /^viva-drop: .*nowhere: no such folder\n$/],
        [["ingest", path.join(tenant, "w1"), "--sink", db.target, "--private-key", pem], 3, /is neither a tenant container .* nor a storage account or folder holding tenant containers\n$/],
        [["ingest", tenant, "--sink", pem.replace(/\.pem$/, ".duckdb"), "--private-key", path.join(source, "missing.pem")], 4, /cannot read private key file .*missing\.pem/],
      ];
      for (const [args, code, message] of cases) {
        const result = await runCli(args);
        expect(result.stderr, args.join(" ")).toMatch(message);
        expect(result.stderr.split("\n").filter(Boolean), args.join(" ")).toHaveLength(1);
        expect(result.code, args.join(" ")).toBe(code);
        expect(result.stdout).toBe("");
      }
    } finally {
      await db.drop();
    }
  });
});

describe("viva-drop ingest into a DuckDB file", () => {
  it("exits 6 with one line for a sink file it cannot create or open, creating nothing", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { rows: personRows([1], WEEK1, () => "1") });
    const cases: [string, RegExp][] = [
      [path.join(source, "no-folder", "x.duckdb"), /^viva-drop: .*x\.duckdb: no folder .*no-folder\n$/],
      [`duckdb:${source}`, /^viva-drop: .*: is a folder; give a database file name \(\*\.duckdb\)\n$/],
    ];
    const notDuckDb = path.join(source, "notes.duckdb");
    writeFileSync(notDuckDb, "not a database, just text that is long enough to have a header".repeat(100));
    cases.push([notDuckDb, /^viva-drop: .*notes\.duckdb: cannot open the DuckDB database: .+\n$/]);
    for (const [sink, message] of cases) {
      const result = await runCli(["ingest", tenant, "--sink", sink, "--private-key", pem]);
      expect(result.stderr, sink).toMatch(message);
      expect(result.code, sink).toBe(6);
    }
    expect(readdirSync(source).sort()).toEqual([TENANT, "notes.duckdb"]);
  });

  it("gives the same tables through DuckDB's NDJSON fast path as through the row path", async () => {
    const source = account();
    const tenant = path.join(source, TENANT);
    const many = Array.from({ length: 400 }, (_, i) => i + 1);
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows(many, WEEK1, (p) => `${p}.125`, { Level: "5", "Focus hours": null }) });
    writeDrop(source, TENANT, "w2", keys.publicKeyPem, {
      completedAt: "2024-03-18T06:00:00Z",
      rows: personRows(many.slice(100), WEEK2, (p) => String(p * 3), { Level: "5a", "Focus hours": "2.5", Note: "escaped \t tab" }),
    });
    writeDrop(source, TENANT, "w2-users", keys.publicKeyPem, { completedAt: "2024-03-18T06:05:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows(many.slice(0, 50), (p) => `dept-${p}`) });
    const fast = await duckDbHarness.create();
    const rows = await duckDbHarness.create();
    try {
      expect((await ingest(tenant, fast)).code).toBe(0);
      expect((await ingest(tenant, rows, [], { VIVA_DROP_DUCKDB_READ_JSON: "off" })).code).toBe(0);
      const [a, b] = [await fast.tables(), await rows.tables()];
      expect(a.viva_person_report.rows).toHaveLength(400 * 2 + 300);
      expect(a).toEqual(b);
      expect(await fast.columnTypes("viva_person_report")).toEqual(await rows.columnTypes("viva_person_report"));
    } finally {
      await fast.drop();
      await rows.drop();
    }
  });

  it("fails with one line naming the process that holds the database, after waiting the bounded time", async () => {
    const source = account();
    writeDrop(source, TENANT, "w1", keys.publicKeyPem, { rows: personRows([1], WEEK1, () => "1") });
    const dir = makeTempDir("viva-ingest-lock-");
    const file = path.join(dir, "held.duckdb");
    const holder = await holdDuckDbFile(file);
    try {
      const result = await runCli(["ingest", path.join(source, TENANT), "--sink", file, "--private-key", pem], { VIVA_DROP_DUCKDB_LOCK_WAIT: "1" });
      expect(result.code).toBe(6);
      expect(result.stderr).toBe(
        `viva-drop: ${file}: the database is in use by another process (PID ${holder.pid}): another ingest or a DuckDB session holds it; waited 1 s\n`,
      );
    } finally {
      holder.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(SINK_HARNESSES)("viva-drop ingest into $name stopped mid-load", (harness) => {
  /** Three drops, the middle one large enough (~30 MB of rows) that the process is still streaming it when stopped. */
  function threeDrops(): { tenant: string; largeBytes: number } {
    const source = account();
    writeDrop(source, TENANT, "1-small", keys.publicKeyPem, { completedAt: "2024-03-11T06:00:00Z", rows: personRows([1, 2], WEEK1, () => "1") });
    const metrics = Array.from({ length: 24 }, (_, i) => `Metric ${i} hours`);
    const large = Array.from({ length: 30_000 }, (_, i) => ({
      PersonId: person(i % 3000),
      MetricDate: `2024-${String(1 + Math.floor(i / 3000)).padStart(2, "0")}-01T00:00:00Z`,
      ...Object.fromEntries(metrics.map((m, k) => [m, String(Math.abs(Math.sin(i * 31 + k)) * 100)])),
    }));
    const dir = writeDrop(source, TENANT, "2-large", keys.publicKeyPem, { completedAt: "2024-03-12T06:00:00Z", parts: [toNdjson(large)] });
    const largeBytes = readdirSync(path.join(dir, "data")).reduce((sum, f) => sum + statSync(path.join(dir, "data", f)).size, 0);
    writeDrop(source, TENANT, "3-small", keys.publicKeyPem, { completedAt: "2024-03-13T06:00:00Z", rows: personRows([2, 3], WEEK2, () => "3") });
    return { tenant: path.join(source, TENANT), largeBytes };
  }

  /** Starts ingest and sends `signal` once it has read a third of the large drop's encrypted bytes. */
  async function stopMidLoad(tenant: string, largeBytes: number, target: string, tmp: string, signal: NodeJS.Signals) {
    const child = spawn(process.execPath, [CLI_BIN, "ingest", tenant, "--sink", target, "--private-key", pem], { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, sig) => resolve({ code, signal: sig })));
    // rchar: bytes the process has read so far, from any file.
    const readBytes = (): number => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${child.pid}/io`, "utf8"))?.[1] ?? 0);
    const baseline = await waitForValue(() => (readBytes() > 0 ? readBytes() : undefined));
    await waitForValue(() => (readBytes() > baseline + largeBytes / 3 ? true : undefined));
    // Where DuckDB loads the drop's NDJSON itself (the fast path), its in-memory folder exists now.
    const fastPath = readdirSync("/dev/shm").some((name) => name.startsWith(`viva-drop-ingest-${child.pid}-`));
    child.kill(signal);
    return { ...(await exited), stderr, fastPath, pid: child.pid! };
  }

  it("killed with SIGKILL: none of the drop in progress is visible, and the next run gives exactly the tables of a clean run", async () => {
    const { tenant, largeBytes } = threeDrops();
    const clean = await harness.create();
    const crashed = await harness.create();
    const tmp = makeTempDir("viva-ingest-tmp-");
    try {
      expect((await ingest(tenant, clean)).code).toBe(0);
      const killed = await stopMidLoad(tenant, largeBytes, crashed.target, tmp, "SIGKILL");
      expect(killed.signal).toBe("SIGKILL");
      // DuckDB was loading the drop through its NDJSON fast path when killed; its folder (which never holds a named file) is left
      expect(killed.fastPath).toBe(harness.name === "DuckDB");
      const left = readdirSync("/dev/shm").filter((name) => name.startsWith(`viva-drop-ingest-${killed.pid}-`));
      expect(left).toHaveLength(killed.fastPath ? 1 : 0);
      for (const folder of left) expect(readdirSync(path.join("/dev/shm", folder))).toEqual([]);

      const afterKill = await crashed.tables();
      expect(afterKill.viva_drops.rows.map((r) => JSON.parse(r).run_folder)).toEqual(["1-small"]);
      expect(afterKill.viva_person_report.rows).toHaveLength(4);

      const rerun = await ingest(tenant, crashed); // also checks that the killed process's folder is gone (swept)
      expect(rerun.code).toBe(0);
      expect(statuses(rerun.summary)).toEqual({ "1-small": "alreadyLoaded", "2-large": "loaded", "3-small": "loaded" });
      expect(await crashed.tables()).toEqual(await clean.tables());
      if (crashed.folder) expect(readdirSync(crashed.folder)).toEqual([path.basename(crashed.target)]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      await clean.drop();
      await crashed.drop();
    }
  });

  it("interrupted with SIGINT: rolls the drop back, says so in one line and exits 130", async () => {
    const { tenant, largeBytes } = threeDrops();
    const db = await harness.create();
    const tmp = makeTempDir("viva-ingest-tmp-");
    try {
      const stopped = await stopMidLoad(tenant, largeBytes, db.target, tmp, "SIGINT");
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toBe(`viva-drop: ${tenant}: interrupted by SIGINT; the drop being loaded was rolled back, drops loaded before it stay loaded\n`);
      expect(leftMemoryFolders()).toEqual([]);
      expect((await db.query("SELECT run_folder FROM viva_drops")).map((r) => r.run_folder)).toEqual(["1-small"]);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(4);
      if (db.folder) expect(readdirSync(db.folder)).toEqual([path.basename(db.target)]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      await db.drop();
    }
  });
});

async function waitForValue<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = probe();
    } catch {
      value = undefined;
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
