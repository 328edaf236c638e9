/**
 * The sink contract (src/ingest/sinks/sink.ts) as a test suite any sink runs: hand-built RowBatches
 * through the Sink interface only, results read back with plain SQL. The SQL here is the part
 * DuckDB and PostgreSQL share (quoted identifiers, information_schema, CAST, ORDER BY), and values
 * are compared after normalising what drivers differ in (Date or ISO text, JSON text or parsed JSON,
 * bigint or number).
 *
 *   describeSinkContract("PostgreSQL", async () => ({ sink, query, reopen, cleanup }));
 *
 * Concurrency comes in two forms. A sink with many writers (PostgreSQL) lets two sinks on one database
 * work at once and keeps them from loading a drop twice with its locks. A single-writer sink (DuckDB: one
 * process writes a file) makes a second sink wait until the first is closed — then it finds the first
 * one's drops loaded — or, after its wait, fail with one line naming the holder.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DropRejectedError, type Column, type ColumnType, type DropLoad, type DropRows, type LedgerRow, type RowBatch, type Sink } from "../../src/ingest/sinks/sink";
import { numberAsText } from "../../src/ingest/sinks/sink-rules";

export interface SinkUnderTest {
  /** A sink on a fresh, empty database; prepare() not called yet. */
  sink: Sink;
  /**
   * Runs SQL on that database; rows as plain objects keyed by column name, values as JavaScript
   * values: numbers (bigint is fine), strings, booleans, null, timestamps as Date or ISO 8601 text,
   * JSON as text or parsed.
   */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Another sink on the same database (what a second ingest process would open). */
  reopen(): Promise<Sink>;
  /** Single-writer sinks: another sink that waits at most `seconds` for the database. */
  reopenWaiting?(seconds: number): Promise<Sink>;
  /** A read-only sink on the same database (openSink's readOnly), waiting at most `seconds` (single writer). */
  openReadOnly(seconds?: number): Promise<Sink>;
  /** Whether anything of ingest exists in the database (no query that could create it). */
  hasTables(): Promise<boolean>;
  /** Closes everything opened (sinks included) and removes the database. */
  cleanup(): Promise<void>;
}

const TENANT = "4d2c1a3e-0000-4000-8000-00000000000a";
const OTHER_TENANT = "4d2c1a3e-0000-4000-8000-00000000000b";
const REPORT = "VivaInsightsDataset_PersonReport_v1";
const USERS = "BasicDataSet_v0.User_v1";

const person = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const week = (n: number): Date => new Date(Date.UTC(2024, 0, 7 + 7 * n));

type Spec = [name: string, type: ColumnType];
const KEY: Spec[] = [
  ["person_id", "text"],
  ["metric_date", "timestamp"],
];

function batch(specs: Spec[], rows: unknown[][]): RowBatch {
  const columns: Column[] = specs.map(([name, type]) => ({ name, type }));
  return { columns, rows };
}

/** A person report batch: key columns first, then `specs`. */
const report = (specs: Spec[], rows: unknown[][]): RowBatch => batch([...KEY, ...specs], rows);

async function* batchesOf(...items: RowBatch[]): AsyncGenerator<RowBatch> {
  for (const b of items) yield b;
}

/** The same batches as rows the sink can read again from the start (as the engine hands a drop over). */
const rowsOf = (...items: RowBatch[]): DropRows => ({ batches: () => batchesOf(...items) });

/**
 * Two reads of one drop for two loads racing: `first` yields a batch, then waits for release(); `second`
 * would yield the drop at once and records whether anyone read it.
 */
function racingReads(spec: Spec[]) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let secondRead = false;
  return {
    release,
    /** Resolves once `first` has started: its load holds the drop (the lock is taken before batches are read). */
    started,
    secondRead: (): boolean => secondRead,
    first: async function* (): AsyncGenerator<RowBatch> {
      markStarted();
      yield report(spec, [[person(1), week(0), 1]]);
      await gate;
      yield report(spec, [[person(2), week(0), 2]]);
    },
    second: async function* (): AsyncGenerator<RowBatch> {
      secondRead = true;
      yield report(spec, [[person(1), week(0), 1], [person(2), week(0), 2]]);
    },
  };
}

interface DropOptions {
  tenantId?: string;
  jobCompletedAt?: Date | null;
  requestStart?: Date | null;
}

function drop(kind: DropLoad["kind"], runFolder: string, extractionId: string, opts: DropOptions = {}): DropLoad {
  return {
    kind,
    ledger: {
      tenantId: opts.tenantId ?? TENANT,
      runFolder,
      dataset: kind === "users" ? USERS : REPORT,
      extractionId,
      requestStart: opts.requestStart === undefined ? week(-2) : opts.requestStart,
      requestEnd: week(0),
      jobCompletedAt: opts.jobCompletedAt === undefined ? week(0) : opts.jobCompletedAt,
      filesFingerprint: `files-of-${runFolder}`,
    },
  };
}

function outcome(d: DropLoad, status: "failed" | "rejected", reason: string): LedgerRow {
  return { ...d.ledger, status, rows: 0, reason, loadedAt: new Date("2024-03-01T10:00:00Z") };
}

// --- normalising driver differences -------------------------------------------------------------

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v instanceof Date ? v : String(v)).toISOString());
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const isTextType = (t: unknown): boolean => /^(text|varchar|character varying)$/i.test(String(t));

/** A boolean read back (true/false, or text/number from a driver that has no boolean). */
const bool = (v: unknown): boolean | null => (v === null || v === undefined ? null : v === true || v === 1 || v === "true" || v === "t");

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface ContractOptions {
  /** "many": two sinks may write the same database at once; "one": a second sink waits for the first. */
  writers: "many" | "one";
}

export function describeSinkContract(name: string, makeSink: () => Promise<SinkUnderTest>, options: ContractOptions = { writers: "many" }): void {
  const many = options.writers === "many";
  // Tests of the other kind of concurrency are not registered at all (rather than shown as skipped).
  const itMany = (title: string, fn: () => Promise<void>): void => void (many && it(title, fn));
  const itSingle = (title: string, fn: () => Promise<void>): void => void (!many && it(title, fn));
  describe(`sink contract: ${name}`, () => {
    const opened: SinkUnderTest[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.cleanup();
    });

    /** A fresh database with a prepared sink. */
    async function fresh(): Promise<SinkUnderTest> {
      const s = await makeSink();
      opened.push(s);
      await s.sink.prepare();
      return s;
    }

    async function columnsOf(s: SinkUnderTest, table: string): Promise<{ name: string; type: unknown }[]> {
      const rows = await s.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
      return rows.map((r) => ({ name: String(r.column_name), type: r.data_type }));
    }
    const columnNames = async (s: SinkUnderTest, table: string): Promise<string[]> => (await columnsOf(s, table)).map((c) => c.name);

    /** Person report rows of a tenant, as plain comparable values. */
    async function reportRows(s: SinkUnderTest, columns: string[], tenantId = TENANT): Promise<Record<string, unknown>[]> {
      const rows = await s.query(
        `SELECT person_id, metric_date, extraction_id, job_completed_at${columns.map((c) => `, ${q(c)}`).join("")} FROM viva_person_report WHERE tenant_id = '${tenantId}' ORDER BY person_id, metric_date`,
      );
      return rows.map((r) => ({ ...r, metric_date: iso(r.metric_date), job_completed_at: iso(r.job_completed_at) }));
    }
    const count = async (s: SinkUnderTest, table: string): Promise<number> => num((await s.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n)!;

    describe("prepare", () => {
      it("creates the three tables and the view, and running it again changes nothing", async () => {
        const s = await fresh();
        await s.sink.prepare();
        const tables = await s.query(
          "SELECT table_name, table_type FROM information_schema.tables WHERE table_name LIKE 'viva%' ORDER BY table_name",
        );
        expect(tables.map((t) => [t.table_name, String(t.table_type).includes("VIEW") ? "view" : "table"])).toEqual([
          ["viva_drops", "table"],
          ["viva_person_report", "table"],
          ["viva_person_report_users", "view"],
          ["viva_users", "table"],
        ]);
        expect(await columnNames(s, "viva_person_report")).toEqual(["tenant_id", "person_id", "metric_date", "extraction_id", "job_completed_at"]);
        expect((await columnNames(s, "viva_users")).slice(0, 3)).toEqual(["tenant_id", "extraction_id", "job_completed_at"]);
        expect(await s.query("SELECT * FROM viva_person_report_users")).toEqual([]);
      });

      itMany("is safe when two sinks prepare the same database at once", async () => {
        const s = await makeSink();
        opened.push(s);
        const other = await s.reopen();
        await Promise.all([s.sink.prepare(), other.prepare()]);
        expect(await s.sink.ledger(TENANT)).toEqual(new Map());
      });

      itSingle("a second sink waits until the first is closed, then prepares the same database", async () => {
        const s = await fresh();
        const other = await s.reopen();
        let prepared = false;
        const second = other.prepare().then(() => (prepared = true));
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(prepared).toBe(false);
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report([], [[person(1), week(0)]])));
        await s.sink.close();
        await second;
        expect([...(await other.ledger(TENANT)).keys()]).toEqual(["r"]);
      });
    });

    describe("read-only", () => {
      it("on a database ingest never wrote to: ledger() is empty without prepare(), and nothing is created", async () => {
        const s = await makeSink();
        opened.push(s);
        const reader = await s.openReadOnly();
        expect(await reader.ledger(TENANT)).toEqual(new Map());
        await reader.close();
        expect(await s.hasTables()).toBe(false);
      });

      it("reads the ledger another sink wrote, and refuses to prepare, load or record, changing nothing", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
        await s.sink.recordOutcome(outcome(drop("personReport", "bad", "e-bad"), "rejected", "gzip checksum mismatch"));
        const expected = await s.sink.ledger(TENANT);
        if (!many) await s.sink.close(); // one writer or many readers: the reader waits for the writer to close
        const reader = await s.openReadOnly();
        expect(await reader.ledger(TENANT)).toEqual(expected);
        expect(await reader.ledger(OTHER_TENANT)).toEqual(new Map());
        const refusals = [
          () => reader.prepare(),
          () => reader.loadDrop(drop("personReport", "r2", "e2"), batchesOf(report([], [[person(2), week(0)]]))),
          () => reader.recordOutcome(outcome(drop("personReport", "r3", "e3"), "failed", "Errors: x")),
        ];
        for (const refused of refusals) {
          const error = await refused().then(() => undefined, (e: unknown) => e as Error);
          expect(error?.name).toBe("SinkError");
          expect(error!.message).toMatch(/opened read-only/);
        }
        expect(await reader.ledger(TENANT)).toEqual(expected);
        await reader.close();
      });

      itMany("while another sink loads a drop, ledger() answers at once with the drops committed so far", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "done", "e-done"), batchesOf(report([], [[person(1), week(0)]])));
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let started!: () => void;
        const loading = new Promise<void>((resolve) => (started = resolve));
        async function* slow(): AsyncGenerator<RowBatch> {
          yield report([], [[person(2), week(0)]]);
          started();
          await gate;
        }
        const load = s.sink.loadDrop(drop("personReport", "busy", "e-busy"), slow());
        await loading;
        const reader = await s.openReadOnly();
        expect([...(await reader.ledger(TENANT)).keys()]).toEqual(["done"]);
        release();
        await load;
        expect([...(await reader.ledger(TENANT)).keys()]).toEqual(["busy", "done"]);
        await reader.close();
      });

      itSingle("while another sink holds the database, ledger() waits for it, then fails with one line naming the holder", async () => {
        const s = await fresh();
        const reader = await s.openReadOnly(1);
        const error = await reader.ledger(TENANT).then(() => undefined, (e: unknown) => e as Error);
        expect(error?.name).toBe("SinkError");
        expect(error!.message).toBe(`${reader.description}: the database is in use by another process (PID ${process.pid}, this process): another ingest or a DuckDB session holds it; waited 1 s`);
        await reader.close();
        // and a writer waits for a reader the same way
        await s.sink.close();
        const holding = await s.openReadOnly();
        expect(await holding.ledger(TENANT)).toEqual(new Map());
        const writer = await s.reopenWaiting!(1);
        expect((await writer.prepare().then(() => undefined, (e: unknown) => e as Error))?.message).toMatch(/is in use by another process/);
        await holding.close();
        await writer.prepare();
        await writer.close();
      });
    });

    describe("ledger", () => {
      it("is empty for a new tenant and holds every field of a loaded drop", async () => {
        const s = await fresh();
        expect(await s.sink.ledger(TENANT)).toEqual(new Map());
        const d = drop("personReport", "2024-01-07-run", "extraction-1");
        const before = Date.now();
        const result = await s.sink.loadDrop(d, batchesOf(report([["Meetings", "double"]], [[person(1), week(-1), 3], [person(2), week(-1), 4]])));
        expect(result).toEqual({ status: "loaded", rows: 2 });
        const ledger = await s.sink.ledger(TENANT);
        expect([...ledger.keys()]).toEqual(["2024-01-07-run"]);
        const row = ledger.get("2024-01-07-run")!;
        expect({ ...row, loadedAt: undefined }).toEqual({ ...d.ledger, status: "loaded", rows: 2, reason: null, loadedAt: undefined });
        expect(row.loadedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(await s.sink.ledger(OTHER_TENANT)).toEqual(new Map());
      });

      it("counts every row of every batch, empty batches included", async () => {
        const s = await fresh();
        const spec: Spec[] = [["Meetings", "double"]];
        const rows = (from: number, n: number): unknown[][] => Array.from({ length: n }, (_, i) => [person(from + i), week(0), i]);
        const result = await s.sink.loadDrop(drop("personReport", "run", "e"), batchesOf(report(spec, rows(0, 3)), report(spec, []), report(spec, rows(3, 1500))));
        expect(result).toEqual({ status: "loaded", rows: 1503 });
        expect((await s.sink.ledger(TENANT)).get("run")!.rows).toBe(1503);
        expect(await count(s, "viva_person_report")).toBe(1503);
      });
    });

    describe("the winning row", () => {
      // Week 1's drop and week 2's drop overlap on (person 1, week 0) and (person 2, week 0).
      const older = drop("personReport", "run-week-1", "extraction-a", { jobCompletedAt: week(1) });
      const newer = drop("personReport", "run-week-2", "extraction-b", { jobCompletedAt: week(2) });
      const spec: Spec[] = [["Collaboration hours", "double"]];
      const olderRows = (): RowBatch => report(spec, [[person(1), week(0), 10], [person(2), week(0), 20], [person(3), week(-1), 30]]);
      const newerRows = (): RowBatch => report(spec, [[person(1), week(0), 11], [person(2), week(0), 21], [person(4), week(1), 41]]);
      const expected = [
        { person_id: person(1), metric_date: iso(week(0)), extraction_id: "extraction-b", job_completed_at: iso(week(2)), "Collaboration hours": 11 },
        { person_id: person(2), metric_date: iso(week(0)), extraction_id: "extraction-b", job_completed_at: iso(week(2)), "Collaboration hours": 21 },
        { person_id: person(3), metric_date: iso(week(-1)), extraction_id: "extraction-a", job_completed_at: iso(week(1)), "Collaboration hours": 30 },
        { person_id: person(4), metric_date: iso(week(1)), extraction_id: "extraction-b", job_completed_at: iso(week(2)), "Collaboration hours": 41 },
      ];

      it("is the later drop's, whichever order the drops are loaded in", async () => {
        const inOrder = await fresh();
        await inOrder.sink.loadDrop(older, batchesOf(olderRows()));
        await inOrder.sink.loadDrop(newer, batchesOf(newerRows()));
        const reversed = await fresh();
        await reversed.sink.loadDrop(newer, batchesOf(newerRows()));
        const late = await reversed.sink.loadDrop(older, batchesOf(olderRows()));
        expect(late).toEqual({ status: "loaded", rows: 3 }); // the older drop is still loaded, its losing rows not written
        for (const s of [inOrder, reversed]) {
          const rows = (await reportRows(s, ["Collaboration hours"])).map((r) => ({ ...r, "Collaboration hours": num(r["Collaboration hours"]) }));
          expect(rows).toEqual(expected);
        }
      });

      it("goes to the greater extraction_id when job_completed_at ties, in both orders", async () => {
        const a = drop("personReport", "run-a", "extraction-1", { jobCompletedAt: week(1) });
        const b = drop("personReport", "run-b", "extraction-2", { jobCompletedAt: week(1) });
        for (const order of [[a, b], [b, a]]) {
          const s = await fresh();
          for (const d of order) {
            const value = d === a ? 1 : 2;
            await s.sink.loadDrop(d, batchesOf(report(spec, [[person(1), week(0), value]])));
          }
          const rows = await reportRows(s, ["Collaboration hours"]);
          expect(rows.map((r) => [r.extraction_id, num(r["Collaboration hours"])])).toEqual([["extraction-2", 2]]);
        }
      });

      it("goes to the drop loaded later when (job_completed_at, extraction_id) are equal: the same extraction loaded again replaces its rows", async () => {
        const first = drop("personReport", "run-a", "extraction-1", { jobCompletedAt: week(1) });
        const again = drop("personReport", "run-a-copy", "extraction-1", { jobCompletedAt: week(1) });
        const s = await fresh();
        await s.sink.loadDrop(first, batchesOf(report(spec, [[person(1), week(0), 1], [person(2), week(0), 2]])));
        await s.sink.loadDrop(again, batchesOf(report(spec, [[person(1), week(0), 10]])));
        expect((await reportRows(s, ["Collaboration hours"])).map((r) => [r.person_id, num(r["Collaboration hours"])])).toEqual([
          [person(1), 10],
          [person(2), 2],
        ]);
      });

      it("two rows of one drop with the same (person_id, metric_date) reject it, naming both rows; nothing of it is visible", async () => {
        for (const seeded of [false, true]) {
          const s = await fresh();
          if (seeded) await s.sink.loadDrop(older, batchesOf(olderRows()));
          const rowsNow = (): Promise<Record<string, unknown>[]> => s.query("SELECT person_id, extraction_id FROM viva_person_report ORDER BY person_id");
          const before = await rowsNow();
          const d = drop("personReport", "dup", "extraction-dup", { jobCompletedAt: week(5) });
          const error = await s.sink
            .loadDrop(d, rowsOf(report(spec, [[person(1), week(0), 1], [person(2), week(0), 2], [person(3), week(0), 3]]), report(spec, [[person(4), week(0), 4], [person(2), week(0), 5], [person(1), week(0), 6]])))
            .then(() => undefined, (e: unknown) => e as Error);
          expect(error).toBeInstanceOf(DropRejectedError);
          expect(error!.message).toBe("rows 2 and 5 of the drop have the same (person_id, metric_date)");
          expect(await rowsNow()).toEqual(before);
          expect((await s.sink.ledger(TENANT)).has("dup")).toBe(false);
        }
      });

      it("replaces the whole old row: columns the winning drop lacks become null", async () => {
        const s = await fresh();
        await s.sink.loadDrop(older, batchesOf(report([["Meetings", "double"], ["Emails sent", "double"]], [[person(1), week(0), 5, 50], [person(3), week(0), 7, 70]])));
        await s.sink.loadDrop(newer, batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 6]])));
        const rows = await reportRows(s, ["Meetings", "Emails sent"]);
        expect(rows.map((r) => [r.person_id, r.extraction_id, num(r.Meetings), num(r["Emails sent"])])).toEqual([
          [person(1), "extraction-b", 6, null],
          [person(3), "extraction-a", 7, 70],
        ]);
      });

      it("keeps tenants apart: the same person and date in two tenants are two rows", async () => {
        const s = await fresh();
        await s.sink.loadDrop(older, batchesOf(report(spec, [[person(1), week(0), 1]])));
        await s.sink.loadDrop(drop("personReport", "run-week-1", "extraction-z", { tenantId: OTHER_TENANT, jobCompletedAt: week(9) }), batchesOf(report(spec, [[person(1), week(0), 2]])));
        expect((await reportRows(s, ["Collaboration hours"])).map((r) => num(r["Collaboration hours"]))).toEqual([1]);
        expect((await reportRows(s, ["Collaboration hours"], OTHER_TENANT)).map((r) => num(r["Collaboration hours"]))).toEqual([2]);
      });
    });

    describe("users snapshot", () => {
      const users = (ids: string[], mail = "a"): RowBatch =>
        batch(
          [
            ["id", "text"],
            ["mail", "text"],
          ],
          ids.map((id) => [id, `${mail}-${id.slice(-2)}@contoso.example`]),
        );
      const idsOf = async (s: SinkUnderTest, tenantId = TENANT): Promise<[unknown, unknown][]> =>
        (await s.query(`SELECT id, extraction_id FROM viva_users WHERE tenant_id = '${tenantId}' ORDER BY id`)).map((r) => [r.id, r.extraction_id]);

      it("a newer users drop replaces all of the tenant's rows; an older one loads nothing but is recorded loaded", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("users", "users-1", "u-1", { jobCompletedAt: week(1) }), batchesOf(users([person(1), person(2)])));
        await s.sink.loadDrop(drop("users", "users-x", "u-x", { tenantId: OTHER_TENANT, jobCompletedAt: week(0) }), batchesOf(users([person(9)])));
        await s.sink.loadDrop(drop("users", "users-2", "u-2", { jobCompletedAt: week(2) }), batchesOf(users([person(2), person(3)])));
        expect(await idsOf(s)).toEqual([
          [person(2), "u-2"],
          [person(3), "u-2"],
        ]);
        const old = await s.sink.loadDrop(drop("users", "users-0", "u-0", { jobCompletedAt: week(0) }), batchesOf(users([person(7)])));
        expect(old).toEqual({ status: "loaded", rows: 1 });
        expect(await idsOf(s)).toEqual([
          [person(2), "u-2"],
          [person(3), "u-2"],
        ]);
        const ledger = await s.sink.ledger(TENANT);
        expect([...ledger.values()].map((r) => [r.runFolder, r.status, r.rows])).toEqual([
          ["users-0", "loaded", 1],
          ["users-1", "loaded", 2],
          ["users-2", "loaded", 2],
        ]);
        expect(await idsOf(s, OTHER_TENANT)).toEqual([[person(9), "u-x"]]);
      });

      it("an older users drop adds none of its columns; an equal one (the same extraction again) replaces the snapshot", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("users", "users-2", "u-2", { jobCompletedAt: week(2) }), batchesOf(users([person(1)])));
        const older = batch([["id", "text"], ["mail", "text"], ["Only in the older drop", "text"]], [[person(5), "x", "y"]]);
        expect(await s.sink.loadDrop(drop("users", "users-1", "u-1", { jobCompletedAt: week(1) }), batchesOf(older))).toEqual({ status: "loaded", rows: 1 });
        expect(await columnNames(s, "viva_users")).not.toContain("Only in the older drop");
        expect(await columnNames(s, "viva_person_report_users")).not.toContain("user_Only in the older drop");
        await s.sink.loadDrop(drop("users", "users-2-again", "u-2", { jobCompletedAt: week(2) }), batchesOf(users([person(3)], "again")));
        expect(await idsOf(s)).toEqual([[person(3), "u-2"]]);
      });

      it("two rows of one users drop with the same id reject it, naming both rows; the snapshot stays", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("users", "users-1", "u-1", { jobCompletedAt: week(1) }), batchesOf(users([person(1)])));
        const error = await s.sink
          .loadDrop(drop("users", "users-2", "u-2", { jobCompletedAt: week(2) }), rowsOf(users([person(1), person(2)]), users([person(3), person(2)])))
          .then(() => undefined, (e: unknown) => e as Error);
        expect(error).toBeInstanceOf(DropRejectedError);
        expect(error!.message).toBe("rows 2 and 4 of the drop have the same id");
        expect(await idsOf(s)).toEqual([[person(1), "u-1"]]);
      });

      it("gives the same table whichever order the snapshots come in", async () => {
        const a = drop("users", "users-a", "u-a", { jobCompletedAt: week(3) });
        const b = drop("users", "users-b", "u-b", { jobCompletedAt: week(4) });
        const results: unknown[] = [];
        for (const order of [[a, b], [b, a]]) {
          const s = await fresh();
          for (const d of order) await s.sink.loadDrop(d, batchesOf(users(d === a ? [person(1)] : [person(2), person(3)], d.ledger.extractionId)));
          results.push(await s.query(`SELECT id, mail, extraction_id FROM viva_users ORDER BY id`));
        }
        expect(results[0]).toEqual(results[1]);
        expect((results[0] as unknown[]).length).toBe(2);
      });
    });

    describe("schema growth", () => {
      it("adds a drop's new column (null in older rows); a later drop without it leaves the column in place", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "r1", "e1", { jobCompletedAt: week(1) }), batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
        await s.sink.loadDrop(
          drop("personReport", "r2", "e2", { jobCompletedAt: week(2) }),
          batchesOf(report([["Meetings", "double"], ["Focus hours", "double"], ["Organization", "text"]], [[person(2), week(1), 2, 8, "Sales"]])),
        );
        await s.sink.loadDrop(drop("personReport", "r3", "e3", { jobCompletedAt: week(3) }), batchesOf(report([["Meetings", "double"]], [[person(3), week(2), 3]])));
        expect(await columnNames(s, "viva_person_report")).toEqual(["tenant_id", "person_id", "metric_date", "extraction_id", "job_completed_at", "Meetings", "Focus hours", "Organization"]);
        const rows = await reportRows(s, ["Meetings", "Focus hours", "Organization"]);
        expect(rows.map((r) => [num(r.Meetings), num(r["Focus hours"]), r.Organization])).toEqual([
          [1, null, null],
          [2, 8, "Sales"],
          [3, null, null],
        ]);
      });

      it("takes columns that appear in a later batch of the same drop", async () => {
        const s = await fresh();
        const result = await s.sink.loadDrop(
          drop("personReport", "r1", "e1"),
          batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]]), report([["Meetings", "double"], ["Late column", "boolean"]], [[person(2), week(0), 2, true]])),
        );
        expect(result).toEqual({ status: "loaded", rows: 2 });
        const rows = await reportRows(s, ["Meetings", "Late column"]);
        expect(rows.map((r) => [num(r.Meetings), bool(r["Late column"])])).toEqual([
          [1, null],
          [2, true],
        ]);
      });

      it("keeps the view showing every column: person report columns, then users columns as user_<name>", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "r1", "e1"), batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
        await s.sink.loadDrop(drop("users", "u1", "ue1"), batchesOf(batch([["id", "text"], ["mail", "text"]], [[person(1), "one@contoso.example"]])));
        await s.sink.loadDrop(drop("personReport", "r2", "e2", { jobCompletedAt: week(5) }), batchesOf(report([["Meetings", "double"], ["Focus hours", "double"]], [[person(2), week(0), 2, 3]])));
        await s.sink.loadDrop(drop("users", "u2", "ue2", { jobCompletedAt: week(5) }), batchesOf(batch([["id", "text"], ["mail", "text"], ["department", "text"]], [[person(1), "one@contoso.example", "Legal"]])));
        const reportColumns = await columnNames(s, "viva_person_report");
        const userColumns = (await columnNames(s, "viva_users")).filter((c) => !["tenant_id", "extraction_id", "job_completed_at"].includes(c));
        expect(userColumns).toEqual(["id", "mail", "department"]);
        expect(await columnNames(s, "viva_person_report_users")).toEqual([...reportColumns, ...userColumns.map((c) => `user_${c}`)]);
        const rows = await s.query(`SELECT person_id, "Focus hours", user_id, user_mail, user_department FROM viva_person_report_users ORDER BY person_id`);
        expect(rows.map((r) => [r.person_id, num(r["Focus hours"]), r.user_id, r.user_mail, r.user_department])).toEqual([
          [person(1), null, person(1), "one@contoso.example", "Legal"],
          [person(2), 3, null, null, null],
        ]);
      });
    });

    describe("widening", () => {
      it("turns a column that held doubles into text when a later drop brings text", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "r1", "e1", { jobCompletedAt: week(1) }), batchesOf(report([["Level", "double"]], [[person(1), week(0), 2.5]])));
        await s.sink.loadDrop(drop("personReport", "r2", "e2", { jobCompletedAt: week(2) }), batchesOf(report([["Level", "text"]], [[person(2), week(0), "n/a"]])));
        const level = (await columnsOf(s, "viva_person_report")).find((c) => c.name === "Level")!;
        expect(isTextType(level.type)).toBe(true);
        expect((await reportRows(s, ["Level"])).map((r) => r.Level)).toEqual(["2.5", "n/a"]);
        // the view follows the new type
        expect((await s.query(`SELECT "Level" FROM viva_person_report_users ORDER BY person_id`)).map((r) => r.Level)).toEqual(["2.5", "n/a"]);
      });

      it("writes numbers, timestamps and booleans that become text the way numberAsText says, in both directions", async () => {
        const doubles = [5, -3, 2.5, 0.1, 126.00418432003623, 100000, 0.0001, 1.5e-5, 1e-7, 123456789012345, 1e15, 2 ** 53, 1000000000000000.5, 1e16, 1e21, 5e-324, -0];
        const s = await fresh();
        const rows = doubles.map((d, i) => [person(i), week(0), d, new Date(Date.UTC(2024, 1, 29, 12, 30, 15, i)), i % 2 === 0]);
        await s.sink.loadDrop(drop("personReport", "r1", "e1", { jobCompletedAt: week(1) }), batchesOf(report([["Level", "double"], ["When", "timestamp"], ["Flag", "boolean"]], rows)));
        // the columns become text in the table (ALTER), and a later drop's doubles go into them as text
        await s.sink.loadDrop(drop("personReport", "r2", "e2", { jobCompletedAt: week(2) }), batchesOf(report([["Level", "text"], ["When", "text"], ["Flag", "text"]], [[person(100), week(0), "n/a", "soon", "maybe"]])));
        await s.sink.loadDrop(drop("personReport", "r3", "e3", { jobCompletedAt: week(3) }), batchesOf(report([["Level", "double"], ["When", "timestamp"], ["Flag", "boolean"]], rows.map((r) => [person(200 + doubles.indexOf(r[2] as number)), ...r.slice(1)]))));
        const back = await s.query(`SELECT person_id, "Level", "When", "Flag" FROM viva_person_report WHERE person_id <> '${person(100)}' ORDER BY person_id`);
        const expected = rows.map((r) => [numberAsText(r[2] as number), (r[3] as Date).toISOString(), String(r[4])]);
        expect(back.map((r) => [r.Level, r.When, r.Flag])).toEqual([...expected, ...expected]);
      });

      it("widens within one drop, and JSON to text keeps the JSON", async () => {
        const s = await fresh();
        await s.sink.loadDrop(
          drop("personReport", "r1", "e1"),
          batchesOf(
            report([["Level", "double"], ["Tags", "json"]], [[person(1), week(0), 1, '{"a":[1,2]}']]),
            report([["Level", "text"], ["Tags", "text"]], [[person(2), week(0), "high", "plain words"]]),
          ),
        );
        const rows = await reportRows(s, ["Level", "Tags"]);
        expect(rows.map((r) => r.Level)).toEqual(["1", "high"]);
        expect(JSON.parse(String(rows[0].Tags))).toEqual({ a: [1, 2] });
        expect(rows[1].Tags).toBe("plain words");
      });

      it("a drop whose column is narrower than the table's text column stores its values as text", async () => {
        const s = await fresh();
        await s.sink.loadDrop(drop("personReport", "r1", "e1", { jobCompletedAt: week(1) }), batchesOf(report([["Level", "text"]], [[person(1), week(0), "low"]])));
        await s.sink.loadDrop(drop("personReport", "r2", "e2", { jobCompletedAt: week(2) }), batchesOf(report([["Level", "double"]], [[person(2), week(0), 3]])));
        expect((await reportRows(s, ["Level"])).map((r) => r.Level)).toEqual(["low", "3"]);
      });
    });

    describe("rollback", () => {
      async function seed(s: SinkUnderTest): Promise<void> {
        await s.sink.loadDrop(drop("personReport", "good", "e-good"), batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
      }

      async function nothingOfTheDropVisible(s: SinkUnderTest, extractionId: string): Promise<void> {
        expect(await s.query(`SELECT person_id FROM viva_person_report WHERE extraction_id = '${extractionId}'`)).toEqual([]);
        expect(await s.query(`SELECT id FROM viva_users WHERE extraction_id = '${extractionId}'`)).toEqual([]);
        expect(await columnNames(s, "viva_person_report")).not.toContain("Only in the failed drop");
      }

      it("when the batches throw midway: the error comes back unchanged, nothing is visible, the ledger is unchanged", async () => {
        for (const seeded of [false, true]) {
          const s = await fresh();
          if (seeded) await seed(s);
          const failed = drop("personReport", "bad", "e-bad");
          await s.sink.recordOutcome(outcome(failed, "rejected", "an earlier attempt"));
          const ledgerBefore = await s.sink.ledger(TENANT);
          const boom = new Error("decryption failed at byte 123");
          async function* failing(): AsyncGenerator<RowBatch> {
            yield report([["Meetings", "double"], ["Only in the failed drop", "double"]], [[person(2), week(0), 2, 2]]);
            yield report([["Meetings", "double"], ["Only in the failed drop", "double"]], [[person(3), week(0), 3, 3]]);
            throw boom;
          }
          await expect(s.sink.loadDrop(failed, failing())).rejects.toBe(boom);
          await nothingOfTheDropVisible(s, "e-bad");
          expect(await s.sink.ledger(TENANT)).toEqual(ledgerBefore);
          // the sink is still usable
          expect(await s.sink.loadDrop(drop("personReport", "after", "e-after"), batchesOf(report([], [[person(4), week(0)]])))).toEqual({ status: "loaded", rows: 1 });
        }
      });

      it("when the batches throw before the first batch", async () => {
        const s = await fresh();
        const boom = new Error("wrong key");
        // eslint-disable-next-line require-yield
        async function* failing(): AsyncGenerator<RowBatch> {
          throw boom;
        }
        await expect(s.sink.loadDrop(drop("users", "u", "u-bad"), failing())).rejects.toBe(boom);
        expect(await s.sink.ledger(TENANT)).toEqual(new Map());
      });

      it("when the signal aborts while a batch is awaited: rejects with the signal's reason, nothing is visible", async () => {
        const s = await fresh();
        await seed(s);
        const controller = new AbortController();
        async function* stalls(): AsyncGenerator<RowBatch> {
          yield report([["Meetings", "double"], ["Only in the failed drop", "double"]], [[person(2), week(0), 2, 2]]);
          controller.abort(new Error("stopped by the user"));
          await new Promise(() => undefined); // the decryptor never answers again: the sink must not wait for it
        }
        await expect(s.sink.loadDrop(drop("personReport", "bad", "e-bad"), stalls(), controller.signal)).rejects.toThrow("stopped by the user");
        await nothingOfTheDropVisible(s, "e-bad");
        expect([...(await s.sink.ledger(TENANT)).keys()]).toEqual(["good"]);
        expect(await s.sink.loadDrop(drop("personReport", "after", "e-after"), batchesOf(report([], [[person(4), week(0)]])))).toEqual({ status: "loaded", rows: 1 });
      });

      it("when the signal aborts between batches", async () => {
        const s = await fresh();
        const controller = new AbortController();
        const reason = new Error("deadline");
        async function* many(): AsyncGenerator<RowBatch> {
          for (let i = 0; i < 50; i++) {
            if (i === 3) controller.abort(reason);
            yield report([["Meetings", "double"]], [[person(i), week(0), i]]);
          }
        }
        await expect(s.sink.loadDrop(drop("personReport", "bad", "e-bad"), many(), controller.signal)).rejects.toBe(reason);
        expect(await count(s, "viva_person_report")).toBe(0);
        expect(await s.sink.ledger(TENANT)).toEqual(new Map());
      });

      it("with an already aborted signal, without reading the batches", async () => {
        const s = await fresh();
        let read = false;
        async function* tracked(): AsyncGenerator<RowBatch> {
          read = true;
          yield report([], [[person(1), week(0)]]);
        }
        const reason = new Error("cancelled before start");
        await expect(s.sink.loadDrop(drop("personReport", "r", "e"), tracked(), AbortSignal.abort(reason))).rejects.toBe(reason);
        expect(read).toBe(false);
        expect(await count(s, "viva_person_report")).toBe(0);
      });

      it("when a value does not fit its column type: the drop is refused naming the column, nothing is visible", async () => {
        const s = await fresh();
        await seed(s);
        const error = await s.sink
          .loadDrop(drop("personReport", "bad", "e-bad"), batchesOf(report([["Only in the failed drop", "double"]], [[person(2), week(0), 1], [person(3), week(0), "not a number"]])))
          .then(() => undefined, (e: unknown) => e as Error);
        expect(error).toBeInstanceOf(Error);
        expect(error!.message).toContain("Only in the failed drop");
        expect(error!.message).not.toContain("not a number");
        await nothingOfTheDropVisible(s, "e-bad");
        expect([...(await s.sink.ledger(TENANT)).keys()]).toEqual(["good"]);
      });
    });

    describe("recordOutcome", () => {
      it("records a failed drop and replaces it with a later outcome; loading it later replaces both", async () => {
        const s = await fresh();
        const d = drop("personReport", "r", "e");
        await s.sink.recordOutcome(outcome(d, "failed", "Errors: quota exceeded"));
        expect((await s.sink.ledger(TENANT)).get("r")).toMatchObject({ status: "failed", reason: "Errors: quota exceeded", rows: 0 });
        await s.sink.recordOutcome({ ...outcome(d, "rejected", "row count 3, metadata says 4"), filesFingerprint: "changed" });
        expect((await s.sink.ledger(TENANT)).get("r")).toMatchObject({ status: "rejected", reason: "row count 3, metadata says 4", filesFingerprint: "changed" });
        await s.sink.loadDrop(d, batchesOf(report([], [[person(1), week(0)]])));
        expect((await s.sink.ledger(TENANT)).get("r")).toMatchObject({ status: "loaded", reason: null, rows: 1, filesFingerprint: d.ledger.filesFingerprint });
      });

      it("never downgrades a loaded drop", async () => {
        const s = await fresh();
        const d = drop("personReport", "r", "e");
        await s.sink.loadDrop(d, batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
        const loaded = (await s.sink.ledger(TENANT)).get("r");
        await s.sink.recordOutcome(outcome(d, "rejected", "gzip checksum mismatch"));
        await s.sink.recordOutcome(outcome(d, "failed", "Errors: something"));
        expect((await s.sink.ledger(TENANT)).get("r")).toEqual(loaded);
        expect(await count(s, "viva_person_report")).toBe(1);
      });
    });

    describe("exactly once", () => {
      it("a loaded drop is alreadyLoaded the next time, without its batches being read", async () => {
        const s = await fresh();
        const d = drop("personReport", "r", "e");
        await s.sink.loadDrop(d, batchesOf(report([["Meetings", "double"]], [[person(1), week(0), 1]])));
        const ledger = await s.sink.ledger(TENANT);
        let read = false;
        async function* tracked(): AsyncGenerator<RowBatch> {
          read = true;
          yield report([["Meetings", "double"]], [[person(1), week(0), 99]]);
        }
        expect(await s.sink.loadDrop(d, tracked())).toEqual({ status: "alreadyLoaded" });
        expect(read).toBe(false);
        expect(await s.sink.ledger(TENANT)).toEqual(ledger);
        expect((await reportRows(s, ["Meetings"])).map((r) => num(r.Meetings))).toEqual([1]);
      });

      itMany("two sinks loading the same drop at once: one loads it, the other finds it alreadyLoaded", async () => {
        const s = await fresh();
        const other = await s.reopen();
        await other.prepare();
        const d = drop("personReport", "r", "e");
        const reads = racingReads([["Meetings", "double"]]);
        const a = s.sink.loadDrop(d, reads.first());
        await reads.started;
        const b = other.loadDrop(d, reads.second());
        await new Promise((resolve) => setTimeout(resolve, 300));
        reads.release();
        expect(await Promise.all([a, b])).toEqual([{ status: "loaded", rows: 2 }, { status: "alreadyLoaded" }]);
        expect(reads.secondRead()).toBe(false);
        expect(await count(s, "viva_person_report")).toBe(2);
      });

      itMany("two sinks loading different drops of one tenant at once both load, and the later drop wins", async () => {
        const s = await fresh();
        const other = await s.reopen();
        await other.prepare();
        const spec: Spec[] = [["Meetings", "double"]];
        const rows = (from: number, value: number): RowBatch => report(spec, Array.from({ length: 200 }, (_, i) => [person(from + i), week(0), value]));
        const results = await Promise.all([
          s.sink.loadDrop(drop("personReport", "old", "e-1", { jobCompletedAt: week(1) }), batchesOf(rows(0, 1), rows(200, 1))),
          other.loadDrop(drop("personReport", "new", "e-2", { jobCompletedAt: week(2) }), batchesOf(rows(0, 2))),
        ]);
        expect(results).toEqual([
          { status: "loaded", rows: 400 },
          { status: "loaded", rows: 200 },
        ]);
        const values = await s.query(`SELECT extraction_id, "Meetings", COUNT(*) AS n FROM viva_person_report GROUP BY extraction_id, "Meetings" ORDER BY extraction_id`);
        expect(values.map((r) => [r.extraction_id, num(r.Meetings), num(r.n)])).toEqual([
          ["e-1", 1, 200],
          ["e-2", 2, 200],
        ]);
      });

      itSingle("a second sink started while the first loads a drop waits, then finds it alreadyLoaded without reading it", async () => {
        const s = await fresh();
        const d = drop("personReport", "r", "e");
        const reads = racingReads([["Meetings", "double"]]);
        const a = s.sink.loadDrop(d, reads.first());
        await reads.started;
        const other = await s.reopen();
        const b = other.prepare().then(() => other.loadDrop(d, reads.second()));
        await new Promise((resolve) => setTimeout(resolve, 300));
        reads.release();
        expect(await a).toEqual({ status: "loaded", rows: 2 });
        await s.sink.close();
        expect(await b).toEqual({ status: "alreadyLoaded" });
        expect(reads.secondRead()).toBe(false);
        expect((await other.ledger(TENANT)).get("r")).toMatchObject({ status: "loaded", rows: 2 });
      });

      itSingle("a second sink gives up after its wait with one line naming the process that holds the database", async () => {
        const s = await fresh();
        const other = await s.reopenWaiting!(1);
        const started = Date.now();
        const error = await other.prepare().then(() => undefined, (e: unknown) => e as Error);
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        expect(error).toBeInstanceOf(Error);
        expect(error!.name).toBe("SinkError");
        expect(error!.message).toBe(`${other.description}: the database is in use by another process (PID ${process.pid}, this process): another ingest or a DuckDB session holds it; waited 1 s`);
        // the first sink is unaffected and loads
        expect(await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report([], [[person(1), week(0)]])))).toEqual({ status: "loaded", rows: 1 });
      });
    });

    describe("column names", () => {
      const long = (bytes: number, unit = "x"): string => unit.repeat(bytes / Buffer.byteLength(unit));

      async function loadsExactlyOrRefuses(s: SinkUnderTest, d: DropLoad, b: RowBatch, column: string, table: string): Promise<"loaded" | "refused"> {
        try {
          await s.sink.loadDrop(d, batchesOf(b));
        } catch (error) {
          expect(error).toBeInstanceOf(DropRejectedError);
          expect((error as Error).message).toContain(column);
          expect(await s.sink.ledger(TENANT)).toEqual(new Map());
          expect(await count(s, "viva_person_report")).toBe(0);
          return "refused";
        }
        expect(await columnNames(s, table)).toContain(column); // held as given, never cut short
        return "loaded";
      }

      it("a 63-byte name is held exactly", async () => {
        const s = await fresh();
        const name = long(63);
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report([[name, "double"]], [[person(1), week(0), 1]])));
        expect(await columnNames(s, "viva_person_report")).toContain(name);
      });

      it("a 64-byte name (ASCII or multi-byte) is held exactly or the drop is refused naming it — never cut short", async () => {
        for (const name of [long(64), long(64, "é"), `${long(63)}y`]) {
          const s = await fresh();
          await loadsExactlyOrRefuses(s, drop("personReport", "r", "e"), report([[name, "double"]], [[person(1), week(0), 1]]), name, "viva_person_report");
        }
      });

      it("two long names that share their first 63 bytes are two columns, or the drop is refused", async () => {
        const s = await fresh();
        const [a, b] = [`${long(63)}a`, `${long(63)}b`];
        const result = await loadsExactlyOrRefuses(s, drop("personReport", "r", "e"), report([[a, "double"], [b, "double"]], [[person(1), week(0), 1, 2]]), a, "viva_person_report");
        if (result === "loaded") {
          const rows = await reportRows(s, [a, b]);
          expect([num(rows[0][a]), num(rows[0][b])]).toEqual([1, 2]);
        }
      });

      it("a users column whose user_ name in the view would be too long is held exactly there, or the drop is refused", async () => {
        const s = await fresh();
        const name = long(59);
        try {
          await s.sink.loadDrop(drop("users", "u", "e"), batchesOf(batch([["id", "text"], [name, "text"]], [[person(1), "v"]])));
        } catch (error) {
          expect(error).toBeInstanceOf(DropRejectedError);
          expect((error as Error).message).toContain(name);
          return;
        }
        expect(await columnNames(s, "viva_person_report_users")).toContain(`user_${name}`);
      });

      it("names with quotes, spaces, punctuation and unicode are held exactly", async () => {
        const s = await fresh();
        const names = ['He said "hi"', "semi;colon -- not a comment", "Manager coaching hours 1:1", "Über-Zeit (h)", "会议时间", "tab\tin name"];
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report(names.map((n) => [n, "double"] as Spec), [[person(1), week(0), ...names.map((_, i) => i)]])));
        expect((await columnNames(s, "viva_person_report")).slice(5)).toEqual(names);
        const rows = await reportRows(s, names);
        expect(names.map((n) => num(rows[0][n]))).toEqual(names.map((_, i) => i));
      });
    });

    describe("values", () => {
      const texts = [
        "plain",
        "",
        "tab\there",
        "new\nline",
        "carriage\rreturn\r\n",
        "back\\slash \\N \\. \\t",
        "\\N",
        "\\.",
        "quote ' double \" both",
        "emoji 😀 and 👩‍👩‍👧",
        "漢字 カタカナ 한국어 العربية עברית",
        "combining e\u0301 and zero\u200bwidth",
        "ends with backslash\\",
        "\u0001\u0007\u001f control",
        "x".repeat(100_000),
      ];
      const doubles = [0, 0.1, 1 / 3, -2.5e-300, 1.7976931348623157e308, 5e-324, 2 ** 53 + 2, -123456.789, 126.00418432003623];
      const instants = [new Date("1999-12-31T23:59:59.999Z"), new Date("2024-02-29T12:00:00.001Z"), new Date("1970-01-01T00:00:00.000Z")];
      const jsons = ['{"a":1,"b":[true,null,"x\\ty"]}', '["\\u00e9",{"nested":{"deep":"\\n"}}]', '"just a string"', "42", '{\n\t"spaced": "out"\n}'];

      it("round-trip: text with tabs, newlines, backslashes and unicode; doubles; booleans; timestamps; JSON", async () => {
        const s = await fresh();
        const n = Math.max(texts.length, doubles.length, instants.length, jsons.length);
        const rows = Array.from({ length: n }, (_, i) => [
          person(i),
          week(0),
          texts[i] ?? null,
          doubles[i] ?? null,
          i % 3 === 2 ? null : i % 2 === 0,
          instants[i] ?? null,
          jsons[i] ?? null,
        ]);
        const spec: Spec[] = [
          ["Text", "text"],
          ["Double", "double"],
          ["Flag", "boolean"],
          ["At", "timestamp"],
          ["Doc", "json"],
        ];
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report(spec, rows)));
        const back = await reportRows(s, spec.map(([c]) => c));
        // JSON read as text: drivers differ in whether they parse it (and a parsed JSON string looks like text)
        const docs = await s.query(`SELECT CAST("Doc" AS TEXT) AS doc FROM viva_person_report ORDER BY person_id, metric_date`);
        expect(back.map((r) => r.Text)).toEqual(rows.map((r) => r[2]));
        expect(back.map((r) => num(r.Double))).toEqual(rows.map((r) => r[3]));
        expect(back.map((r) => bool(r.Flag))).toEqual(rows.map((r) => r[4]));
        expect(back.map((r) => iso(r.At))).toEqual(rows.map((r) => iso(r[5])));
        expect(docs.map((r) => (r.doc === null ? null : JSON.parse(String(r.doc))))).toEqual(rows.map((r) => (r[6] === null ? null : JSON.parse(r[6] as string))));
        const types = new Map((await columnsOf(s, "viva_person_report")).map((c) => [c.name, String(c.type).toLowerCase()]));
        expect(isTextType(types.get("Text"))).toBe(true);
        expect(types.get("Double")).toMatch(/double/);
        expect(types.get("Flag")).toMatch(/bool/);
        expect(types.get("At")).toMatch(/timestamp with time zone|timestamptz|timestamp with time zone/);
      });

      it("a NUL character round-trips or refuses the drop naming the column", async () => {
        const s = await fresh();
        try {
          await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report([["Nul text", "text"]], [[person(1), week(0), "a\u0000b"]])));
        } catch (error) {
          expect(error).toBeInstanceOf(DropRejectedError);
          expect((error as Error).message).toContain("Nul text");
          expect(await count(s, "viva_person_report")).toBe(0);
          return;
        }
        expect((await reportRows(s, ["Nul text"]))[0]["Nul text"]).toBe("a\u0000b");
      });
    });

    describe("the view", () => {
      it("left-joins each person report row to the user with the same id in the same tenant", async () => {
        const s = await fresh();
        const spec: Spec[] = [["Meetings", "double"]];
        await s.sink.loadDrop(drop("personReport", "r", "e"), batchesOf(report(spec, [[person(1), week(0), 1], [person(2), week(0), 2]])));
        await s.sink.loadDrop(drop("personReport", "r", "e", { tenantId: OTHER_TENANT }), batchesOf(report(spec, [[person(2), week(0), 3]])));
        await s.sink.loadDrop(drop("users", "u", "ue"), batchesOf(batch([["id", "text"], ["mail", "text"]], [[person(1), "one@a.example"], [person(3), "three@a.example"]])));
        await s.sink.loadDrop(drop("users", "u", "ue", { tenantId: OTHER_TENANT }), batchesOf(batch([["id", "text"], ["mail", "text"]], [[person(1), "one@b.example"]])));
        const rows = await s.query(`SELECT tenant_id, person_id, "Meetings", user_id, user_mail FROM viva_person_report_users ORDER BY tenant_id, person_id`);
        expect(rows.map((r) => [r.tenant_id, r.person_id, num(r.Meetings), r.user_id, r.user_mail])).toEqual([
          [TENANT, person(1), 1, person(1), "one@a.example"],
          [TENANT, person(2), 2, null, null],
          [OTHER_TENANT, person(2), 3, null, null],
        ]);
      });
    });
  });
}
