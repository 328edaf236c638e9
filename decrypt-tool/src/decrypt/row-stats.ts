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
 * compares each row's keys with the previous row's and reports them only when they differ.
 */
export class RowStats implements RowListener {
  private readonly personIds = new Set<string>();
  private readonly columns = new Set<string>();
  private minDate?: string;
  private maxDate?: string;
  // The last PersonId's bytes: rows of one person come together, so most rows repeat it.
  private lastPersonStart = 0;
  private lastPersonEnd = 0;

  constructor(private readonly batch: Buffer) {}

  personId(start: number, end: number): void {
    if (this.personIds.size > 0 && sameBytes(this.batch, start, end, this.lastPersonStart, this.lastPersonEnd)) return;
    this.lastPersonStart = start;
    this.lastPersonEnd = end;
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

function sameBytes(bytes: Uint8Array, start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false;
  for (let k = 0; k < end - start; k++) if (bytes[start + k] !== bytes[otherStart + k]) return false;
  return true;
}

// The text of a JSON string's content span (already validated); escapes are rare, so JSON.parse only then.
function decodeJsonString(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString("utf8", start, end);
  return bytes.subarray(start, end).includes(BACKSLASH) ? (JSON.parse(`"${text}"`) as string) : text;
}
