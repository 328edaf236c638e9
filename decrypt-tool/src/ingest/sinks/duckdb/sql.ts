import { type ColumnType, type DropKind, SINK_OBJECTS } from "../sink";

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** DuckDB's name for each column type, as CREATE/ALTER take it. */
export const DUCKDB_TYPES: Record<ColumnType, string> = {
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMPTZ",
  json: "JSON",
  text: "VARCHAR",
};

/** The column type for a `data_type` of duckdb_columns(); undefined for a type ingest never creates. */
export function columnTypeOf(dataType: string): ColumnType | undefined {
  switch (dataType.toUpperCase()) {
    case "DOUBLE":
      return "double";
    case "BOOLEAN":
      return "boolean";
    case "TIMESTAMP WITH TIME ZONE":
    case "TIMESTAMPTZ":
      return "timestamp";
    case "JSON":
      return "json";
    case "VARCHAR":
      return "text";
    default:
      return undefined;
  }
}

/** The table each kind of drop feeds. */
export const TABLE_OF: Record<DropKind, string> = { personReport: SINK_OBJECTS.personReport, users: SINK_OBJECTS.users };

/** Columns of the users table that the join view leaves out (the person report row has them already). */
export const USERS_COLUMNS_NOT_IN_VIEW = ["tenant_id", "extraction_id", "job_completed_at"];

/**
 * The tables (created when missing). viva_person_report has no PRIMARY KEY constraint on purpose: DuckDB's
 * ART index lives in memory, and on a few million rows an upsert through it ran out of a 200 MB memory
 * limit; the key is kept unique by the load itself (see DuckDbSink.resolveConflicts).
 */
export const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS ${SINK_OBJECTS.drops} (
    tenant_id VARCHAR NOT NULL,
    run_folder VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    extraction_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    reason VARCHAR,
    request_start TIMESTAMPTZ,
    request_end TIMESTAMPTZ,
    job_completed_at TIMESTAMPTZ,
    loaded_at TIMESTAMPTZ NOT NULL,
    files_fingerprint VARCHAR NOT NULL,
    PRIMARY KEY (tenant_id, run_folder)
  )`,
  `CREATE TABLE IF NOT EXISTS ${SINK_OBJECTS.personReport} (
    tenant_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    metric_date TIMESTAMPTZ NOT NULL,
    extraction_id VARCHAR NOT NULL,
    job_completed_at TIMESTAMPTZ
  )`,
  `CREATE TABLE IF NOT EXISTS ${SINK_OBJECTS.users} (
    tenant_id VARCHAR NOT NULL,
    extraction_id VARCHAR NOT NULL,
    job_completed_at TIMESTAMPTZ,
    id VARCHAR NOT NULL
  )`,
];

/**
 * The join view over the current columns of both tables. A users column whose `user_` name a person
 * report column already has (DuckDB compares names ignoring case) is left out rather than failing the load.
 */
export function createViewSql(personColumns: readonly string[], userColumns: readonly string[]): string {
  const person = personColumns.map((c) => `p.${ident(c)}`);
  const taken = new Set(personColumns.map((c) => c.toLowerCase()));
  const users = userColumns
    .filter((c) => !USERS_COLUMNS_NOT_IN_VIEW.includes(c) && !taken.has(`user_${c}`.toLowerCase()))
    .map((c) => `u.${ident(c)} AS ${ident(`user_${c}`)}`);
  return `CREATE OR REPLACE VIEW ${SINK_OBJECTS.personReportUsers} AS
    SELECT ${[...person, ...users].join(", ")}
    FROM ${SINK_OBJECTS.personReport} p
    LEFT JOIN ${SINK_OBJECTS.users} u ON u.tenant_id = p.tenant_id AND u.id = p.person_id`;
}

/**
 * SQL turning `expression` of type `from` into the text every sink writes for it (sink-rules.ts): doubles as
 * numberAsText (DuckDB's own cast adds ".0" to whole numbers and keeps fixed notation up to 10^16),
 * timestamps as ISO 8601 UTC with milliseconds, booleans true/false, JSON as its text.
 */
export function asText(expression: string, from: ColumnType): string {
  const x = `(${expression})`;
  switch (from) {
    case "double":
      return `CASE WHEN ${x} IS NULL THEN NULL WHEN isnan(${x}) THEN 'NaN' WHEN isinf(${x}) THEN CASE WHEN ${x} > 0 THEN 'Infinity' ELSE '-Infinity' END
        WHEN ${x} = 0 THEN CASE WHEN signbit(${x}) THEN '-0' ELSE '0' END
        WHEN abs(${x}) >= 1e-4 AND abs(${x}) < 1e15 THEN regexp_replace(CAST(${x} AS VARCHAR), '\\.0$', '')
        WHEN abs(${x}) >= 1e15 AND abs(${x}) < 1e16 THEN ${fixedToExponent(x)}
        ELSE CAST(${x} AS VARCHAR) END`;
    case "timestamp":
      return `strftime(${x} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;
    default:
      return `CAST(${x} AS VARCHAR)`;
  }
}

// 10^15 ≤ |x| < 10^16, which DuckDB prints in fixed notation ("9007199254740992.0", "1000000000000000.5"):
// its digits without the point and trailing zeros, as d.ddd…e+15.
function fixedToExponent(x: string): string {
  const digits = `rtrim(replace(regexp_replace(CAST(abs(${x}) AS VARCHAR), '\\.0$', ''), '.', ''), '0')`;
  return `(CASE WHEN ${x} < 0 THEN '-' ELSE '' END) || left(${digits}, 1) || (CASE WHEN length(${digits}) > 1 THEN '.' || substr(${digits}, 2) ELSE '' END) || 'e+15'`;
}

/** A drop's (job_completed_at, extraction_id) for comparisons: a missing completion time is the earliest. */
export function dropOrder(alias: string): string {
  return `(coalesce(${alias}.job_completed_at, '-infinity'::TIMESTAMPTZ), ${alias}.extraction_id)`;
}
