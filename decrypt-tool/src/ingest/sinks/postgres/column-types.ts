import type { ColumnType } from "../sink";

/** The PostgreSQL type of each contract column type, as format_type() spells it. */
export const SQL_TYPES: Record<ColumnType, string> = {
  double: "double precision",
  boolean: "boolean",
  timestamp: "timestamp with time zone",
  json: "jsonb",
  text: "text",
};

const BY_SQL_TYPE = new Map(Object.entries(SQL_TYPES).map(([k, v]) => [v, k as ColumnType]));

/** The contract type of a column PostgreSQL reports, or undefined for a type the sink never creates. */
export function columnTypeOf(sqlType: string): ColumnType | undefined {
  return BY_SQL_TYPE.get(sqlType);
}

/** The type that holds values of both: the same type, else text (types only ever widen to text). */
export function mergeTypes(a: ColumnType, b: ColumnType): ColumnType {
  return a === b ? a : "text";
}

/**
 * SQL turning `expression` of type `from` into text. Timestamps become ISO 8601 UTC with
 * milliseconds (what JavaScript's toISOString writes), independent of the session's DateStyle.
 */
export function asText(expression: string, from: ColumnType): string {
  switch (from) {
    case "text":
      return expression;
    case "timestamp":
      return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    default:
      return `(${expression})::text`;
  }
}
