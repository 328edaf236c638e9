/**
 * What every sink decides the same way, written once: the key two rows of one drop may not share, the
 * reason that names them, how a value reads once its column has become text, and waiting for the next
 * batch without outliving an abort.
 */
import type { DropKind } from "./sink";

/** The columns two rows of one drop may not share (besides tenant_id, which every row of a drop shares). */
export const KEY_COLUMNS: Record<DropKind, readonly string[]> = {
  personReport: ["person_id", "metric_date"],
  users: ["id"],
};

/**
 * The rejection reason for a drop in which row `row` repeats the key of the earlier row `first` (1-based rows
 * of the drop; `row` is the first row that repeats an earlier one). Names rows, never the key's values.
 */
export function repeatedKeyReason(kind: DropKind, first: number, row: number): string {
  return `rows ${first} and ${row} of the drop have the same ${kind === "users" ? "id" : "(person_id, metric_date)"}`;
}

/** A value its column's type cannot take: one line, naming column and row but never the value. */
export function invalidValueReason(column: string, row: number): string {
  return `column "${column}", row ${row}: the value is not valid input for the column's type`;
}

/**
 * How a double reads once its column is text, the same in every sink and in the engine: the shortest text
 * that reads back as the same double, in fixed notation from 10^-4 up to below 10^15 (5 → "5", 2.5 → "2.5",
 * 126.004 → "126.004", 0.0001 → "0.0001") and in exponent notation with a signed, at least two-digit
 * exponent outside it (1.5e-05, 1e+15, 9.007199254740992e+15); "-0", "NaN", "Infinity", "-Infinity".
 * This is PostgreSQL's float8 output (extra_float_digits ≥ 1); the DuckDB sink writes the same (sql.ts).
 */
export function numberAsText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e15) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  const power = Number(exponent);
  return `${mantissa}e${power < 0 ? "-" : "+"}${String(Math.abs(power)).padStart(2, "0")}`;
}

/** How a timestamp reads once its column is text: ISO 8601 in UTC with milliseconds, as toISOString writes it. */
export function timestampAsText(value: Date): string {
  return value.toISOString();
}

/**
 * The next item of `iterator`, or a rejection with the signal's reason as soon as it aborts — also while
 * the iterator never answers again (a stalled decryptor). On abort the iterator is asked to close, without
 * waiting for it.
 */
export async function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  signal?.throwIfAborted();
  if (!signal) return iterator.next();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const next = iterator.next();
  try {
    return await Promise.race([next, aborted]);
  } catch (error) {
    if (signal.aborted) {
      next.catch(() => undefined);
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
