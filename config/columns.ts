import { PERSON_REPORT_COLUMNS, PERSON_REPORT_DATE_COLUMN, USER_COLUMNS, type DatasetColumn } from "./graph-data-connect/columns";
import { ConfigError } from "./errors";

/**
 * The PersonReport dataset's `structure`: the configured names (each with the sample's type when
 * the sample knows the column; others carry no type) or, unset, the sample's whole list.
 */
export function personReportColumns(names: string[] | undefined, field: string): DatasetColumn[] {
  if (names === undefined) return PERSON_REPORT_COLUMNS.map((c) => ({ ...c }));
  checkColumnList(names, field);
  if (!names.includes(PERSON_REPORT_DATE_COLUMN)) {
    throw new ConfigError(field, `must include ${PERSON_REPORT_DATE_COLUMN}: the extraction window filters on it (dateFilterColumn)`);
  }
  const known = new Map(PERSON_REPORT_COLUMNS.map((c) => [c.name, c.type]));
  return names.map((name) => {
    const type = known.get(name);
    return type === undefined ? { name } : { name, type };
  });
}

/** The users copy's `outputColumns`: the configured names or, unset, the sample's whole list. */
export function userColumns(names: string[] | undefined, field: string): string[] {
  if (names === undefined) return [...USER_COLUMNS];
  checkColumnList(names, field);
  return [...names];
}

/** A consented column list names at least one column and each column once (names compared case-insensitively). */
function checkColumnList(names: string[], field: string): void {
  if (names.length === 0) throw new ConfigError(field, "must list at least one column (leave it out for the sample's full list)");
  const seen = new Map<string, string>();
  for (const name of names) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new ConfigError(field, `repeats the column ${JSON.stringify(name)}${first === name ? "" : ` (as ${JSON.stringify(first)})`}: list each column once`);
    }
    seen.set(name.toLowerCase(), name);
  }
}
