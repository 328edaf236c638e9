/**
 * The SQL of the NDJSON fast path (ndjson-load.ts): DuckDB's own JSON reader, told every key it may meet,
 * and for each column an expression that yields exactly the value the row path (the engine's typing, then
 * the appender) would store — or fails the statement, which sends the drop back to the row path.
 *
 * DuckDB's casts accept more than the engine's typing does (" 5", "+5", "1_000", "nan", true → 1.0 for a
 * number; "yes", 1 for a boolean; "2024/03/04", "epoch" for a timestamp). So values are read as text or
 * JSON and checked before they are cast; the checks may refuse more than the engine would (that costs a
 * second read of the drop), never less. test/ingest/read-json-sql.test.ts compares them with the engine on
 * a corpus.
 *
 * Numbers are most of a person report, and checking each one in SQL costs as much as parsing it. So a
 * chunk's bytes are searched first (needsExactChecks) for the only text DuckDB's number cast reads that the
 * engine does not: whitespace, a "+" or a "_" in a number, any escape. A chunk without them loads with a
 * plain cast, and the non-numbers the cast also reads (nan, inf, Infinity, 1e999) are found afterwards in
 * the loaded rows (nonFiniteSql); a chunk with them gets the exact per-value check.
 */
import type { Column, ColumnType } from "../sink";
import { ident } from "./sql";

/** Raised by every check that fails; any failure of a fast-path statement means "use the row path". */
const FAIL = "error('viva-drop: a value the fast path does not load exactly')";

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

// The engine's MetricDate and date-time patterns (value-types.ts), with UTC offsets narrowed to ±00:00–14:59,
// the ones V8's Date.parse and DuckDB read alike (DuckDB also reads +24:00, which the engine refuses).
const OFFSET = "[+-](0[0-9]|1[0-4]):?[0-5][0-9]";
const METRIC_DATE = `(?i)^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|${OFFSET})?)?$`;
const DATE_TIME = `(?i)^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|${OFFSET})$`;

/** The column types the fast path loads (a JSON column needs the engine's re-serialization). */
export const FAST_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>(["double", "boolean", "timestamp", "text"]);

/** How one key of the rows is read by read_json and turned into its column's value. */
interface KeyRead {
  key: string;
  readAs: "VARCHAR" | "JSON";
  value: (x: string) => string;
}

const string = (x: string): string => `(${x}->>'$')`;
const isString = (x: string): string => `json_type(${x}) = 'VARCHAR'`;

/** The exact check of a number: starts with -, . or a digit, ends with . or a digit, no "_", finite (no whitespace, no sign "+", no "nan"). */
const exactDouble = (x: string): string =>
  `CASE WHEN ${x} IS NULL THEN NULL WHEN ascii(${x}) BETWEEN 45 AND 57 AND (ascii(right(${x}, 1)) BETWEEN 48 AND 57 OR right(${x}, 1) = '.') AND NOT contains(${x}, '_') AND isfinite(TRY_CAST(${x} AS DOUBLE)) THEN CAST(${x} AS DOUBLE) ELSE ${FAIL} END`;

const READS: Record<ColumnType | "personId" | "metricDate", Omit<KeyRead, "key">> = {
  // JSON strings and JSON numbers arrive as their text (a JSON true as "true", which the cast refuses).
  // Whitespace is the one thing in plain number text the cast skips that needsExactChecks cannot see cheaply.
  double: { readAs: "VARCHAR", value: (x) => `CASE WHEN contains(${x}, ' ') THEN ${FAIL} ELSE CAST(${x} AS DOUBLE) END` },
  boolean: {
    readAs: "JSON",
    value: (x) => `CASE WHEN ${x} IS NULL THEN NULL WHEN CAST(${x} AS VARCHAR) = 'true' THEN true WHEN CAST(${x} AS VARCHAR) = 'false' THEN false ELSE ${FAIL} END`,
  },
  text: {
    readAs: "JSON",
    value: (x) => `CASE WHEN ${x} IS NULL THEN NULL WHEN ${isString(x)} AND NOT contains(CAST(${x} AS VARCHAR), '\\u0000') THEN ${string(x)} ELSE ${FAIL} END`,
  },
  timestamp: {
    readAs: "JSON",
    value: (x) =>
      `CASE WHEN ${x} IS NULL THEN NULL WHEN ${isString(x)} AND regexp_full_match(${string(x)}, ${literal(DATE_TIME)}) THEN date_trunc('millisecond', CAST(${string(x)} AS TIMESTAMPTZ)) ELSE ${FAIL} END`,
  },
  json: { readAs: "JSON", value: () => FAIL },
  // PersonId: a non-empty ASCII string (so that DuckDB's lower() is JavaScript's toLowerCase()).
  personId: {
    readAs: "JSON",
    value: (x) => `CASE WHEN ${isString(x)} AND ${string(x)} <> '' AND strlen(${string(x)}) = length(${string(x)}) THEN lower(${string(x)}) ELSE ${FAIL} END`,
  },
  // MetricDate as text: nothing but a string can match the pattern (a JSON number or true cannot).
  metricDate: {
    readAs: "VARCHAR",
    value: (x) => `CASE WHEN regexp_full_match(${x}, ${literal(METRIC_DATE)}) THEN date_trunc('millisecond', CAST(${x} AS TIMESTAMPTZ)) ELSE ${FAIL} END`,
  },
};



export interface ReadJsonPlan {
  /**
   * The INSERT … SELECT for one file; $1 tenant_id, $2 extraction_id, $3 job_completed_at. `exact`: check
   * every number in SQL (for a chunk needsExactChecks flags).
   */
  insertSql(file: string, exact: boolean): string;
}

/**
 * The statement that loads one file of person report rows into viva_person_report. `columns` are the drop's
 * data columns with their types (the table has them, with the same types); `nullOnly` are keys the rows may
 * have that must be null in every row (the row path would create no column for them).
 */
export function readJsonPlan(table: string, columns: readonly Column[], nullOnly: readonly string[]): ReadJsonPlan {
  const reads: KeyRead[] = [
    { key: "PersonId", ...READS.personId },
    { key: "MetricDate", ...READS.metricDate },
    ...columns.map((c) => ({ key: c.name, ...READS[c.type] })),
  ];
  const spec = [...reads.map((r) => [r.key, r.readAs]), ...nullOnly.map((key) => [key, "JSON"])].map(([key, type]) => `${literal(key)}: '${type}'`).join(", ");
  const target = ["tenant_id", "person_id", "metric_date", "extraction_id", "job_completed_at", ...columns.map((c) => c.name)].map(ident).join(", ");
  const values = (exact: boolean): string =>
    [
      "$1",
      ...reads.slice(0, 2).map((r) => r.value(ident(r.key))),
      "$2",
      "$3::TIMESTAMPTZ",
      ...reads.slice(2).map((r, i) => (exact && columns[i].type === "double" ? exactDouble(ident(r.key)) : r.value(ident(r.key)))),
    ].join(", ");
  const where = nullOnly.length === 0 ? "" : ` WHERE CASE WHEN ${nullOnly.map((key) => `${ident(key)} IS NULL`).join(" AND ")} THEN true ELSE ${FAIL} END`;
  return {
    insertSql: (file, exact) =>
      `INSERT INTO ${ident(table)} (${target}) SELECT ${values(exact)} FROM read_json(${literal(file)}, format = 'newline_delimited', records = true, columns = {${spec}})${where}`,
  };
}

/**
 * A query answering one row when a number column of the rows `where` selects holds NaN or ±Infinity (which
 * the plain cast reads from "nan", "inf", "Infinity" or 1e999; the engine would not type them as numbers).
 */
export function nonFiniteSql(table: string, columns: readonly Column[], where: string): string | undefined {
  const doubles = columns.filter((c) => c.type === "double").map((c) => `isfinite(${ident(c.name)})`);
  return doubles.length === 0 ? undefined : `SELECT 1 FROM ${ident(table)} WHERE ${where} AND NOT (${doubles.join(" AND ")}) LIMIT 1`;
}

const BACKSLASH = 0x5c;
const PLUS = 0x2b;
const QUOTE = 0x22;
const UNDERSCORE = 0x5f;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * True when `bytes` (validated NDJSON) may hold number text that DuckDB's cast reads and the engine's
 * typing does not: an escape anywhere (\t, \u0020… in a string), a string beginning with "+", or a "_"
 * between two digits. (Spaces are found by the plain statement itself; raw tabs and line breaks cannot
 * occur inside JSON strings.) Other text may match too — an attribute "+1 555…", a key "Q1_2024": the
 * chunk is then checked value by value, more slowly. Only single bytes are searched for (memchr): a
 * multi-byte needle starting with a common byte costs as much as the validation itself.
 */
export function needsExactChecks(bytes: Buffer): boolean {
  if (bytes.indexOf(BACKSLASH) >= 0) return true;
  for (let i = bytes.indexOf(PLUS); i >= 0; i = bytes.indexOf(PLUS, i + 1)) if (bytes[i - 1] === QUOTE) return true;
  for (let i = bytes.indexOf(UNDERSCORE); i >= 0; i = bytes.indexOf(UNDERSCORE, i + 1)) if (isDigit(bytes[i - 1]) && isDigit(bytes[i + 1])) return true;
  return false;
}
