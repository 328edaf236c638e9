import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Client, types } from "pg";
import type { ColumnType } from "../../src/ingest/sinks/sink";
import { startPostgres, type PostgresServer } from "./postgres-server";
import { makeTempDir } from "./test-drop";

/** Every table and the view, as sorted, comparable text: column names, then one JSON line per row. */
export type TableDump = Record<string, { columns: string[]; rows: string[] }>;

/** A database for one test: what --sink takes, and a way to read everything in it back. */
export interface TestDatabase {
  /** The --sink argument. */
  target: string;
  /** A file database's folder (nothing else may appear in it). */
  folder?: string;
  /** Reads every ingest table (and the join view) through the database's own client. */
  tables(): Promise<TableDump>;
  /** Runs one query and returns its rows as objects (JS values). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** A table's (or the view's) columns in order, with their types in the sink contract's terms. */
  columnTypes(table: string): Promise<[string, ColumnType | "other"][]>;
  /** Whether ingest created anything in the database (a DuckDB file, the ledger table). */
  hasTables(): Promise<boolean>;
  /** Removes the database. */
  drop(): Promise<void>;
}

/** One kind of sink the ingest tests run against. */
export interface SinkHarness {
  name: string;
  /** A fresh, empty database. */
  create(): Promise<TestDatabase>;
  /** Stops what `create` needed (a server), if anything. */
  stop(): Promise<void>;
}

export const INGEST_OBJECTS = ["viva_drops", "viva_person_report", "viva_users", "viva_person_report_users"];

/** Values that differ between two clean runs of the same drops (when, and the copied files' modification times): left out of comparisons. */
const RUN_DEPENDENT = new Set(["loaded_at", "files_fingerprint"]);

/** A table's rows as sorted JSON lines with sorted keys; timestamps as ISO text, bigints as numbers. */
export function dumpRows(rows: Record<string, unknown>[]): { columns: string[]; rows: string[] } {
  const columns = rows.length > 0 ? Object.keys(rows[0]).sort() : [];
  const lines = rows.map((row) =>
    JSON.stringify(
      Object.fromEntries(
        Object.keys(row)
          .filter((k) => !RUN_DEPENDENT.has(k))
          .sort()
          .map((k) => {
            const v = row[k];
            return [k, typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString() : v];
          }),
      ),
    ),
  );
  return { columns, rows: lines.sort() };
}

/** DuckDB: a fresh file in a temp folder, read back with @duckdb/node-api (read-only, closed after each read). */
export const duckDbHarness: SinkHarness = {
  name: "DuckDB",
  async create() {
    const dir = makeTempDir("viva-ingest-db-");
    const file = path.join(dir, "viva.duckdb");
    const query = async (sql: string): Promise<Record<string, unknown>[]> => {
      const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
      try {
        const conn = await instance.connect();
        try {
          await conn.run("SET TimeZone = 'UTC'");
          return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
        } finally {
          conn.closeSync();
        }
      } finally {
        instance.closeSync();
      }
    };
    const contractType = (dataType: string): ColumnType | "other" =>
      ({ DOUBLE: "double", BOOLEAN: "boolean", "TIMESTAMP WITH TIME ZONE": "timestamp", JSON: "json", VARCHAR: "text" })[dataType] as ColumnType | undefined ?? "other";
    return {
      target: file,
      folder: dir,
      query,
      async columnTypes(table) {
        const rows = await query(`SELECT column_name, column_type FROM (DESCRIBE ${table})`);
        return rows.map((r) => [String(r.column_name), contractType(String(r.column_type))]);
      },
      async tables() {
        const dump: TableDump = {};
        for (const name of INGEST_OBJECTS) {
          const columns = (await query(`SELECT column_name FROM (DESCRIBE ${name})`)).map((r) => String(r.column_name));
          dump[name] = { columns: columns.sort(), rows: dumpRows(await query(`SELECT * FROM ${name}`)).rows };
        }
        return dump;
      },
      async hasTables() {
        return existsSync(file);
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async stop() {},
};

/** bigint (int8) as a JS number, as the DuckDB harness gives it; every other type as pg parses it. */
const int8AsNumber = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === 20 ? Number : types.getTypeParser(oid, format as "text"))) as typeof types.getTypeParser,
};

const PG_TYPES: Record<string, ColumnType> = {
  "double precision": "double",
  boolean: "boolean",
  "timestamp with time zone": "timestamp",
  jsonb: "json",
  text: "text",
};

let server: Promise<PostgresServer> | undefined;

/**
 * PostgreSQL: one real server per test file (started by the first create(), stopped by stop()), a fresh
 * database per create(), read back with pg.
 */
export const postgresHarness: SinkHarness = {
  name: "PostgreSQL",
  async create() {
    server ??= startPostgres();
    const running = await server;
    const url = await running.createDatabase();
    const query = async (sql: string): Promise<Record<string, unknown>[]> => {
      const client = new Client({ connectionString: url, types: int8AsNumber });
      client.on("error", () => undefined);
      await client.connect();
      try {
        await client.query("SET TimeZone = 'UTC'");
        return (await client.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    return {
      target: url,
      query,
      async columnTypes(table) {
        const rows = await query(
          `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
            WHERE a.attrelid = '${table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        );
        return rows.map((r) => [String(r.name), PG_TYPES[String(r.type)] ?? "other"]);
      },
      async tables() {
        const dump: TableDump = {};
        for (const name of INGEST_OBJECTS) {
          const columns = (await query(`SELECT a.attname AS name FROM pg_attribute a WHERE a.attrelid = '${name}'::regclass AND a.attnum > 0 AND NOT a.attisdropped`)).map((r) => String(r.name));
          dump[name] = { columns: columns.sort(), rows: dumpRows(await query(`SELECT * FROM ${name}`)).rows };
        }
        return dump;
      },
      async hasTables() {
        return (await query("SELECT to_regclass('viva_drops') IS NOT NULL AS t"))[0].t === true;
      },
      async drop() {
        await running.dropDatabase(url);
      },
    };
  },
  async stop() {
    const running = server;
    server = undefined;
    await (await running)?.stop();
  },
};

/** The sinks every ingest test runs against. */
export const SINK_HARNESSES: SinkHarness[] = [duckDbHarness, postgresHarness];
