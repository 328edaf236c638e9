/**
 * The DuckDB fast path's SQL against the engine's typing, value by value: for every value of a corpus (the
 * number text, booleans, dates and strings of real drops and the odd ones DuckDB's casts also read), the
 * statement either stores exactly what the row path would store, or fails (the drop then takes the row
 * path). It must never store something else. Runs the real read_json over real files, in DuckDB in memory.
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nonFiniteSql, needsExactChecks, readJsonPlan } from "../../src/ingest/sinks/duckdb/read-json-sql";
import { DUCKDB_TYPES } from "../../src/ingest/sinks/duckdb/sql";
import type { ColumnType } from "../../src/ingest/sinks/sink";
import { convertValue, parseMetricDate, typeOf, widen } from "../../src/ingest/value-types";
import { makeTempDir } from "../support/test-drop";

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;
let files = 0;

beforeAll(async () => {
  dir = makeTempDir("viva-read-json-sql-");
  instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const PERSON = "6F1C2B3A-4D5E-4F60-8A7B-9C0D1E2F3A4B";

/**
 * Loads one row `{"PersonId": …, "MetricDate": …, "v": …}` (JSON texts as given) through the fast path's
 * statement for a column v of `type` — the plain statement unless `exact` or needsExactChecks says so, then
 * the non-finite check — and answers the stored [person_id, metric_date ms, v] or "row path".
 */
async function fastPath(type: ColumnType, v: string, exact: boolean, personId = JSON.stringify(PERSON), metricDate = '"2024-03-04T00:00:00Z"'): Promise<unknown[] | "row path"> {
  const file = path.join(dir, `row-${++files}.ndjson`);
  const bytes = Buffer.from(`{"PersonId":${personId},"MetricDate":${metricDate},"v":${v}}\n`);
  writeFileSync(file, bytes);
  await conn.run(`CREATE OR REPLACE TABLE viva_person_report (tenant_id VARCHAR, person_id VARCHAR, metric_date TIMESTAMPTZ, extraction_id VARCHAR, job_completed_at TIMESTAMPTZ, v ${DUCKDB_TYPES[type]})`);
  const columns = [{ name: "v", type }];
  try {
    await conn.run(readJsonPlan("viva_person_report", columns, []).insertSql(file, exact || needsExactChecks(bytes)), ["t", "e", null]);
  } catch {
    return "row path";
  }
  const check = nonFiniteSql("viva_person_report", columns, "true");
  if (check && (await conn.runAndReadAll(check)).getRows().length > 0) return "row path";
  const [row] = (await conn.runAndReadAll("SELECT person_id, epoch_ms(metric_date) AS ms, v FROM viva_person_report")).getRowsJS();
  return [row[0], Number(row[1]), row[2] instanceof Date ? row[2].getTime() : row[2]];
}

/** What the row path stores for value `v` (JSON text) in a column the first rows typed `type`, or "row path" when the column would not stay `type`. */
function rowPath(type: ColumnType, v: string): unknown {
  const value = JSON.parse(v) as unknown;
  if (value === null) return null;
  if (widen(type, typeOf(value)!) !== type) return "row path";
  const converted = convertValue(value, type);
  return converted instanceof Date ? converted.getTime() : converted;
}

/** A seeded generator of short strings over `alphabet`, so a failure names the same corpus every run. */
function strings(alphabet: string[], count: number, maxLength: number): string[] {
  let seed = 0x9e3779b9;
  const next = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Set<string>();
  while (out.size < count) {
    let s = "";
    const length = 1 + Math.floor(next() * maxLength);
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    out.add(s);
  }
  return [...out];
}

async function expectSameAsRowPath(type: ColumnType, values: string[]): Promise<number> {
  let fast = 0;
  for (const v of values) {
    const expected = rowPath(type, v);
    for (const exact of [false, true]) {
      const got = await fastPath(type, v, exact);
      if (got === "row path") continue;
      expect([type, v, exact, got[2]]).toEqual([type, v, exact, expected]);
      expect(got.slice(0, 2)).toEqual([PERSON.toLowerCase(), Date.UTC(2024, 2, 4)]);
      if (!exact) fast++;
    }
  }
  return fast;
}

describe("the fast path's SQL stores exactly what the row path stores, or leaves the drop to it", () => {
  it("numbers: the service's number text and JSON numbers load; whatever else DuckDB's cast reads does not", async () => {
    const plain = ['"126.00418432003623"', '"5"', '"-3"', '"0"', '"2.5e-3"', '"1E10"', '"5."', '".5"', '"-0"', "5", "-0.0", "1.5e-7", "12345678901234567890", "null"];
    const odd = ['" 5"', '"5 "', '"+5"', '"1_000"', '"nan"', '"NaN"', '"inf"', '"-Infinity"', '"1e400"', "1e400", '"0x10"', '"00012"', '"1,5"', '""', "true", '"true"', "[1]", '{"a":1}', '"\\t5"', '"5\\n"', '"\\u00205"', '"١٢"', '"５"', '"5\\u00a0"'];
    const fuzz = strings(["0", "1", "9", ".", "e", "E", "+", "-", " ", "_", "n", "a", "i", "f", "x", ","], 400, 6).map((s) => JSON.stringify(s));
    const fast = await expectSameAsRowPath("double", [...plain, ...odd, ...fuzz]);
    // the plain statement really takes the service's numbers
    expect(fast).toBeGreaterThanOrEqual(plain.length);
  });

  it("booleans: only JSON true and false", async () => {
    const fast = await expectSameAsRowPath("boolean", ["true", "false", "null", '"true"', '"false"', "1", "0", "2", '"yes"', '"t"', "1.5"]);
    expect(fast).toBe(3);
  });

  it("text: strings exactly as JSON.parse reads them, escapes and all; anything else is the row path's", async () => {
    const values = ['"Sales"', '""', '"tab\\there"', '"quote \\" and \\\\"', '"\\u00e9 é 漢字 😀"', '"\\ud83d\\ude00"', '"a\\u0000b"', '"\\ud800 lone"', "5", "5.0", "true", "[1,2]", '{"a": 1}', "null"];
    const fast = await expectSameAsRowPath("text", values);
    expect(fast).toBeGreaterThanOrEqual(6);
  });

  it("timestamps: ISO 8601 date-times with a zone, to the millisecond", async () => {
    const values = ['"2024-03-04T00:00:00Z"', '"2024-03-04T10:20:30.1239Z"', '"2024-03-04 05:06:07+02:00"', '"2024-03-04T05:06:07-0530"', '"2024-03-04T00:00:00+24:00"', '"2024-03-04"', '"2024-03-04T00:00:00"', '"2024-02-30T00:00:00Z"', '"2024/03/04T00:00:00Z"', '"epoch"', '"infinity"', "1709510400", "null"];
    const fast = await expectSameAsRowPath("timestamp", values);
    expect(fast).toBeGreaterThanOrEqual(5);
  });

  it("PersonId must be a non-empty string (lower-cased); MetricDate a date the engine reads, to the millisecond", async () => {
    const ids: [string, string | undefined][] = [
      [JSON.stringify(PERSON), PERSON.toLowerCase()],
      ['"abc"', "abc"],
      ["5", undefined],
      ['""', undefined],
      ["null", undefined],
      ['"İSTANBUL"', undefined], // not ASCII: lower-casing could differ; the row path decides
    ];
    for (const [json, expected] of ids) {
      const got = await fastPath("double", "1", false, json);
      if (expected === undefined) expect([json, got]).toEqual([json, "row path"]);
      else expect([json, (got as unknown[])[0]]).toEqual([json, expected]);
    }
    const dates = ["2024-03-04", "2024-03-04T00:00:00", "2024-03-04T10:00:00+02:00", "2024-03-04T10:00:00+0200", "2024-03-04T24:00:00Z", "2024-03-04T10:20:30.123456Z", "2024-03-04T00:00:00+24:00", "2024-02-30", "2024-13-01", "2024-03-04t00:00:00z", "2024/03/04", "last week", "20240304"];
    for (const date of dates) {
      const got = await fastPath("double", "1", false, JSON.stringify(PERSON), JSON.stringify(date));
      const expected = parseMetricDate(date)?.getTime();
      if (got !== "row path") expect([date, got[1]]).toEqual([date, expected]);
    }
    expect(await fastPath("double", "1", false, JSON.stringify(PERSON), "20240304")).toBe("row path");
  });

  it("a key the first rows did not type must be null in every row", async () => {
    const file = path.join(dir, "extra.ndjson");
    await conn.run("CREATE OR REPLACE TABLE viva_person_report (tenant_id VARCHAR, person_id VARCHAR, metric_date TIMESTAMPTZ, extraction_id VARCHAR, job_completed_at TIMESTAMPTZ, v DOUBLE)");
    const plan = readJsonPlan("viva_person_report", [{ name: "v", type: "double" }], ["Late"]);
    writeFileSync(file, `{"PersonId":"a","MetricDate":"2024-03-04","v":"1","Late":null}\n{"PersonId":"b","MetricDate":"2024-03-04","v":"2"}\n`);
    expect((await conn.run(plan.insertSql(file, false), ["t", "e", null])).rowsChanged).toBe(2);
    writeFileSync(file, `{"PersonId":"c","MetricDate":"2024-03-04","v":"1","Late":"x"}\n`);
    await expect(conn.run(plan.insertSql(file, false), ["t", "e", null])).rejects.toThrow();
  });

  it("flags for the exact statement the chunks that may hold number text the plain cast reads differently", () => {
    const flagged = ['{"a":"+5"}', '{"a":"1_000"}', '{"a":"\\t5"}', '{"a":"x\\"y"}', '{"Q1_2024":"1"}'];
    const clean = ['{"PersonId": "779f","After-hours collaboration hours":"126.004","IsActive":true}', '{"a":"1e+5","b":"x+y","c":"a_b","d":"5 "}'];
    for (const text of flagged) expect([text, needsExactChecks(Buffer.from(text))]).toEqual([text, true]);
    for (const text of clean) expect([text, needsExactChecks(Buffer.from(text))]).toEqual([text, false]);
  });
});
