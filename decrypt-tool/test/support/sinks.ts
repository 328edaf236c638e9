import { rmSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { ColumnType } from "../../src/ingest/sinks/sink";
import { makeTempDir } from "./test-drop";

/** Every table and the view, as sorted, comparable text: column names, then one JSON line per row. */
export type TableDump = Record<string, { columns: string[]; rows: string[] }>;

/** A database for one test: what --sink takes, and a way to read everything in it back. */
export interface TestDatabase {
  /** The --sink argument. */
  target: string;
  /** Reads every ingest table (and the join view) through the database's own client. */
  tables(): Promise<TableDump>;
  /** Runs one query and returns its rows as objects (JS values). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** A table's (or the view's) columns in order, with their types in the sink contract's terms. */
  columnTypes(table: string): Promise<[string, ColumnType | "other"][]>;
  /** Removes the database. */
  drop(): Promise<void>;
}

/** One kind of sink the ingest tests run against. */
export interface SinkHarness {
  name: string;
  /** How the database's own cast writes a number as text (a column widened from double to text): DuckDB 5 → "5.0". */
  numberAsText(value: number): string;
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
  numberAsText: (value) => (Number.isInteger(value) ? `${value}.0` : String(value)),
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
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async stop() {},
};

/** The sinks every ingest test runs against (PostgreSQL joins at merge: add its harness here). */
export const SINK_HARNESSES: SinkHarness[] = [duckDbHarness];
