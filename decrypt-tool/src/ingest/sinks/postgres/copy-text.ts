/**
 * Rows → COPY text format (PostgreSQL's default COPY format: tab between columns, newline after each
 * row, \N for null, backslash escapes). The sink writes binary COPY (copy-binary.ts); text is for a
 * table column of a type the sink never creates (one altered by hand), which binary cannot feed. Values are written by their JavaScript type, which is also
 * what the column's PostgreSQL input function reads: numbers in their shortest round-trip form,
 * booleans as true/false, Dates as ISO 8601 UTC, strings (text and JSON text) escaped.
 */
import { DropRejectedError } from "../sink";

/** Characters that need more than a copy: the COPY escapes, NUL, and UTF-16 surrogates (to check pairing). */
const NEEDS_CARE = /[\\\t\n\r\0\ud800-\udfff]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where a value sits, for messages (never the value itself). */
function at(column: string, row: number): string {
  return `column "${column}", row ${row}`;
}

/** Why PostgreSQL text cannot hold `value` unchanged, or undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (!NEEDS_CARE.test(value)) return undefined;
  if (value.includes("\0")) return "the value holds a NUL character (U+0000), which PostgreSQL text cannot store";
  if (LONE_SURROGATE.test(value)) return "the value holds an unpaired UTF-16 surrogate, which is not valid Unicode text";
  return undefined;
}

/** A string as COPY text. Rejects what PostgreSQL text cannot hold instead of changing it. */
export function copyString(value: string, column: string, row: number): string {
  if (!NEEDS_CARE.test(value)) return value;
  const problem = textProblem(value);
  if (problem) throw new DropRejectedError(`${at(column, row)}: ${problem}`);
  return value.replace(COPY_ESCAPES, (c) => ESCAPED[c]);
}

/** A number as COPY text: shortest form that reads back as the same double (and -0 keeps its sign). */
export function copyNumber(value: number): string {
  return value === 0 && 1 / value < 0 ? "-0" : String(value);
}

/** Any contract value as COPY text. */
export function copyValue(value: unknown, column: string, row: number): string {
  switch (typeof value) {
    case "number":
      return copyNumber(value);
    case "string":
      return copyString(value, column, row);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return String(value);
    case "undefined":
      return "\\N";
    case "object":
      if (value === null) return "\\N";
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new DropRejectedError(`${at(column, row)}: the value is an invalid date`);
        return value.toISOString();
      }
  }
  throw new TypeError(`${at(column, row)}: a ${value === null ? "null" : typeof value} value is not one of the sink's column values (number, string, boolean, Date, null)`);
}

/** About this many UTF-16 code units of COPY text per chunk handed to the connection. */
export const CHUNK_CHARS = 1 << 20;

/**
 * COPY text for `rows`, in chunks of about {@link CHUNK_CHARS}. `prefix` is put before every row
 * (already-encoded constant columns, each followed by a tab). `firstRow` is the 1-based number in
 * the drop of rows[0], for messages.
 */
export function* encodeRows(
  rows: readonly (readonly unknown[])[],
  columns: readonly { name: string }[],
  prefix: string,
  firstRow: number,
): Generator<Buffer> {
  const width = columns.length;
  let text = "";
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let line = prefix;
    for (let c = 0; c < width; c++) {
      const value = row[c];
      // numbers first: nearly every value of a person report is one
      line += typeof value === "number" ? copyNumber(value) : copyValue(value, columns[c].name, firstRow + r);
      line += c === width - 1 ? "\n" : "\t";
    }
    text += line;
    if (text.length >= CHUNK_CHARS) {
      yield Buffer.from(text, "utf8");
      text = "";
    }
  }
  if (text !== "") yield Buffer.from(text, "utf8");
}
