import type { RowListener } from "./json-lines";

/** Facts collected for `verify`. */
export interface BatchStats {
  /** Distinct PersonId values in the batch. */
  personIds: string[];
  minMetricDate?: string;
  maxMetricDate?: string;
  /** Distinct column names, in first-seen order. */
  columns: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Gathers PersonIds, the MetricDate range and column names of one batch from the validator's reports
 * (json-lines.ts), without building row objects. Rows of a table share their keys, so the validator
 * compares each row's keys with the previous row's and reports them only when they differ; it also skips
 * a PersonId that repeats the previous one and orders plain MetricDates itself.
 */
export class RowStats implements RowListener {
  private readonly personIds = new Set<string>();
  private readonly columns = new Set<string>();
  private minDate?: string;
  private maxDate?: string;

  constructor(private readonly batch: Buffer) {}

  personId(start: number, end: number): void {
    this.personIds.add(decodeJsonString(this.batch, start, end));
  }

  metricDate(start: number, end: number): void {
    const value = decodeJsonString(this.batch, start, end);
    if (this.minDate === undefined || value < this.minDate) this.minDate = value;
    if (this.maxDate === undefined || value > this.maxDate) this.maxDate = value;
  }

  keysChanged(keys: Uint8Array): void {
    const bytes = Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength);
    for (let start = 0; start < bytes.length; ) {
      // A key's bytes cannot hold an unescaped '"', so its closing quote ends it.
      const end = bytes.indexOf(QUOTE, start);
      this.columns.add(decodeJsonString(bytes, start, end));
      start = end + 1;
    }
  }

  result(): BatchStats {
    return { personIds: [...this.personIds], minMetricDate: this.minDate, maxMetricDate: this.maxDate, columns: [...this.columns] };
  }
}

// The text of a JSON string's content span (already validated); escapes are rare, so JSON.parse only then.
function decodeJsonString(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString("utf8", start, end);
  return bytes.subarray(start, end).includes(BACKSLASH) ? (JSON.parse(`"${text}"`) as string) : text;
}
