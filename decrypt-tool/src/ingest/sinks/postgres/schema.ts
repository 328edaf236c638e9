/**
 * The sink's tables and view: creating them, reading their columns from the catalog, growing them
 * (ADD COLUMN, widening to text) and recreating the view whenever its columns would change.
 */
import type { Client } from "pg";
import { DropRejectedError, SINK_OBJECTS, type Column, type DropKind } from "../sink";
import { asText, columnTypeOf, SQL_TYPES } from "./column-types";
import { identifierProblem, quoteIdentifier } from "./identifiers";

const { drops, personReport, users, personReportUsers } = SINK_OBJECTS;

export const TABLES: Record<DropKind, string> = { personReport, users };

/** Columns the sink fills itself, before a drop's own columns. */
export const SINK_COLUMNS: Record<DropKind, readonly string[]> = {
  personReport: ["tenant_id", "person_id", "metric_date", "extraction_id", "job_completed_at"],
  users: ["tenant_id", "extraction_id", "job_completed_at"],
};

/** The users columns the view leaves out; every other one appears as user_<name>. */
const USERS_NOT_IN_VIEW = new Set(SINK_COLUMNS.users);
export const USER_PREFIX = "user_";

export const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS ${drops} (
  tenant_id text NOT NULL,
  run_folder text NOT NULL,
  dataset text NOT NULL,
  extraction_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('loaded', 'failed', 'rejected')),
  rows bigint NOT NULL,
  reason text,
  request_start timestamptz,
  request_end timestamptz,
  job_completed_at timestamptz,
  loaded_at timestamptz NOT NULL,
  files_fingerprint text NOT NULL,
  PRIMARY KEY (tenant_id, run_folder)
);
CREATE TABLE IF NOT EXISTS ${personReport} (
  tenant_id text NOT NULL,
  person_id text NOT NULL,
  metric_date timestamptz NOT NULL,
  extraction_id text NOT NULL,
  job_completed_at timestamptz,
  PRIMARY KEY (tenant_id, person_id, metric_date)
);
CREATE TABLE IF NOT EXISTS ${users} (
  tenant_id text NOT NULL,
  extraction_id text NOT NULL,
  job_completed_at timestamptz,
  id text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
`;

/** A table's columns in order: name → type as format_type() spells it. */
export type TableColumns = Map<string, string>;

/** The columns of a table or view of the current schema (empty when it does not exist). */
export async function readColumns(client: Client, relation: string): Promise<TableColumns> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [quoteIdentifier(relation)],
  );
  return new Map(rows.map((r) => [r.name, r.type]));
}

/**
 * Checks a batch's columns before anything is written: the fixed leading columns are what the
 * contract says, no name repeats or takes the name of a column the sink adds, and PostgreSQL can
 * hold every name exactly (63 bytes, counting the view's user_ prefix for users columns).
 */
export function checkColumns(kind: DropKind, columns: readonly Column[]): void {
  if (kind === "personReport") {
    const [person, date] = columns;
    if (person?.name !== "person_id" || person.type !== "text" || date?.name !== "metric_date" || date.type !== "timestamp") {
      throw new TypeError("a person report batch must start with person_id (text) and metric_date (timestamp)");
    }
  } else if (columns.length === 0) {
    throw new TypeError("a users batch has no columns");
  }
  const seen = new Set<string>();
  const reserved = new Set(SINK_COLUMNS[kind]);
  columns.forEach(({ name }, i) => {
    if (seen.has(name)) throw new DropRejectedError(`column "${name}" appears twice`);
    seen.add(name);
    if (reserved.has(name) && !(kind === "personReport" && i < 2)) {
      throw new DropRejectedError(`column "${name}" has the name of a column the sink fills itself`);
    }
    const problem = identifierProblem(name) ?? (kind === "users" ? identifierProblem(name, USER_PREFIX) : undefined);
    if (problem) throw new DropRejectedError(`column "${name}" ${problem}`);
  });
}

export interface SchemaChange {
  add: Column[];
  /** Existing columns whose type cannot hold the batch's values: they become text. */
  widen: { name: string; from: string }[];
}

/** What `table` needs so that every column of `wanted` can take its values. */
export function planChanges(existing: TableColumns, wanted: readonly Column[]): SchemaChange {
  const change: SchemaChange = { add: [], widen: [] };
  for (const column of wanted) {
    const type = existing.get(column.name);
    if (type === undefined) change.add.push(column);
    else if (type !== SQL_TYPES[column.type] && type !== "text" && columnTypeOf(type) !== undefined) {
      change.widen.push({ name: column.name, from: type });
    }
  }
  return change;
}

export const isEmpty = (change: SchemaChange): boolean => change.add.length === 0 && change.widen.length === 0;

/** One ALTER TABLE for the whole change (one table rewrite when a column widens). */
export function alterTableSql(table: string, change: SchemaChange): string {
  const actions = [
    ...change.add.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${SQL_TYPES[c.type]}`),
    ...change.widen.map(
      (c) => `ALTER COLUMN ${quoteIdentifier(c.name)} TYPE text USING ${asText(quoteIdentifier(c.name), columnTypeOf(c.from)!)}`,
    ),
  ];
  return `ALTER TABLE ${quoteIdentifier(table)} ${actions.join(", ")}`;
}

/** The view's columns: every person report column, then user_<name> for the users columns. */
function viewDefinition(report: TableColumns, userColumns: TableColumns): { names: string[]; sql: string } {
  const select = [...report.keys()].map((name) => ({ name, expr: `r.${quoteIdentifier(name)}` }));
  for (const name of userColumns.keys()) {
    if (USERS_NOT_IN_VIEW.has(name)) continue;
    const alias = USER_PREFIX + name;
    const problem = identifierProblem(name, USER_PREFIX);
    if (problem) throw new DropRejectedError(`users column "${name}" ${problem}`);
    if (report.has(alias)) throw new DropRejectedError(`the view would have two columns "${alias}" (a person report column and users column "${name}")`);
    select.push({ name: alias, expr: `u.${quoteIdentifier(name)} AS ${quoteIdentifier(alias)}` });
  }
  const sql =
    `CREATE VIEW ${quoteIdentifier(personReportUsers)} AS SELECT ${select.map((s) => s.expr).join(", ")}` +
    ` FROM ${quoteIdentifier(personReport)} r LEFT JOIN ${quoteIdentifier(users)} u` +
    ` ON u.tenant_id = r.tenant_id AND u.id = r.person_id`;
  return { names: select.map((s) => s.name), sql };
}

/** Recreates the view when its columns (names or types) differ from the tables'. */
export async function ensureView(client: Client): Promise<void> {
  const report = await readColumns(client, personReport);
  const userColumns = await readColumns(client, users);
  const { names, sql } = viewDefinition(report, userColumns);
  const current = await readColumns(client, personReportUsers);
  const wantedTypes = names.map((n) => (n.startsWith(USER_PREFIX) && !report.has(n) ? userColumns.get(n.slice(USER_PREFIX.length)) : report.get(n)));
  const same = current.size === names.length && [...current].every(([name, type], i) => name === names[i] && type === wantedTypes[i]);
  if (same) return;
  await client.query(`DROP VIEW IF EXISTS ${quoteIdentifier(personReportUsers)}`);
  await client.query(sql);
}

/** Applies `change` to `table`, dropping the view first when a column widens (views pin types). */
export async function applyChange(client: Client, table: string, change: SchemaChange): Promise<void> {
  if (isEmpty(change)) return;
  if (change.widen.length > 0) await client.query(`DROP VIEW IF EXISTS ${quoteIdentifier(personReportUsers)}`);
  await client.query(alterTableSql(table, change));
}

