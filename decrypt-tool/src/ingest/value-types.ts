import type { ColumnType } from "./sinks/sink";
import { numberAsText } from "./sinks/sink-rules";

// A number as the service writes metrics ("126.004", "-1", "2.5e-3"): no spaces, no hex, no NaN/Infinity.
const NUMBER_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// An ISO 8601 date-time with a zone (Z or ±hh:mm): only these are read as instants.
const DATE_TIME_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
// MetricDate may also come as a bare date or a date-time without a zone: both are read as UTC.
const METRIC_DATE_TEXT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The narrowest column type that holds `value` as its original JSON: JSON booleans → boolean, JSON
 * numbers and number text ("126.004") → double, date-times with a zone → timestamp, arrays and objects →
 * json, any other text → text. Undefined for null (no information about the type).
 */
export function typeOf(value: unknown): ColumnType | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return "double";
    case "string":
      if (isNumberText(value)) return "double";
      if (DATE_TIME_TEXT.test(value) && !Number.isNaN(Date.parse(value))) return "timestamp";
      return "text";
    default:
      return "json";
  }
}

/**
 * True for number text ("126.004", "-1", "2.5e-3") that is a finite double: the check that runs for almost
 * every value of a person report, so a character loop rather than a regular expression.
 */
export function isNumberText(value: string): boolean {
  const length = value.length;
  let i = value.charCodeAt(0) === 45 ? 1 : 0; // "-"
  let digits = 0;
  let dot = false;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true; // "."
    else break;
  }
  if (digits === 0) return false;
  if (i === length) return true;
  // An exponent: rare, and the only way to overflow to Infinity, so checked the slow way.
  return NUMBER_TEXT.test(value) && Number.isFinite(Number(value));
}

/** The type a column needs after `seen` so far and now `next`: equal types stay, any two different ones widen to text. */
export function widen(seen: ColumnType | undefined, next: ColumnType): ColumnType {
  return seen === undefined || seen === next ? next : "text";
}

/**
 * `value` (from a row, not null) as a value of a column of `type`, which {@link typeOf} chose for it or
 * widened to: double → number, boolean → boolean, timestamp → Date, json → JSON text, text → the
 * string itself, a number as every sink writes one as text (numberAsText: 5 → "5", 1e-7 → "1e-07"), or
 * the JSON text of anything else (true → "true", [1] → "[1]").
 */
export function convertValue(value: unknown, type: ColumnType): unknown {
  switch (type) {
    case "double":
      return typeof value === "number" ? value : Number(value);
    case "boolean":
      return value;
    case "timestamp":
      return new Date(value as string);
    case "json":
      return JSON.stringify(value);
    case "text":
      return typeof value === "string" ? value : typeof value === "number" ? numberAsText(value) : JSON.stringify(value);
  }
}

/** MetricDate as an instant; a date or date-time without a zone is UTC. Undefined when it is not a date. */
export function parseMetricDate(value: unknown): Date | undefined {
  if (typeof value !== "string" || !METRIC_DATE_TEXT.test(value)) return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? undefined : new Date(time);
}
