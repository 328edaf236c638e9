import type { TopLevelVisitor } from "./json-line-validator";

/** Facts collected for `verify`. */
export interface BatchStats {
  /** Distinct PersonId values in the batch. */
  personIds: string[];
  minMetricDate?: string;
  maxMetricDate?: string;
  /** Distinct column names, in first-seen order. */
  columns: string[];
}

const PERSON_ID = Buffer.from("PersonId");
const METRIC_DATE = Buffer.from("MetricDate");
const NONE = 0;
const PERSON = 1;
const DATE = 2;
const BACKSLASH = 0x5c;

/**
 * Gathers PersonIds, the MetricDate range and column names from the validator's view of each row, without
 * building row objects. Rows of a table share their keys, so a row's keys are decoded only when their layout
 * differs from the previous row's; the layout of a key is its length and its first, middle and last bytes
 * (a full byte comparison of every key costs as much as validating the row).
 */
export class RowStats implements TopLevelVisitor {
  private readonly personIds = new Set<string>();
  private readonly columns = new Set<string>();
  private minDate?: string;
  private maxDate?: string;
  private expecting = NONE;
  private keyStarts: number[] = [];
  private keyEnds: number[] = [];
  private keyCount = 0;
  private layoutChanged = false;
  private previousLayout: number[] = [];
  private batch: Uint8Array = new Uint8Array(0);

  /** Call before validating each row. */
  beginRow(batch: Uint8Array): void {
    this.batch = batch;
    this.keyCount = 0;
    this.layoutChanged = false;
    this.expecting = NONE;
  }

  /** Call after a row validated. */
  endRow(): void {
    if (this.layoutChanged || this.keyCount !== this.previousLayout.length) this.decodeKeys();
  }

  key(bytes: Uint8Array, start: number, end: number): void {
    const index = this.keyCount++;
    this.keyStarts[index] = start;
    this.keyEnds[index] = end;
    if (!this.layoutChanged && this.previousLayout[index] !== keyLayout(bytes, start, end)) this.layoutChanged = true;
    const length = end - start;
    this.expecting =
      length === PERSON_ID.length && equals(bytes, start, PERSON_ID) ? PERSON : length === METRIC_DATE.length && equals(bytes, start, METRIC_DATE) ? DATE : NONE;
  }

  stringValue(bytes: Uint8Array, start: number, end: number): void {
    if (this.expecting === NONE) return;
    const value = decodeJsonString(bytes, start, end);
    if (this.expecting === PERSON) {
      this.personIds.add(value);
    } else {
      if (this.minDate === undefined || value < this.minDate) this.minDate = value;
      if (this.maxDate === undefined || value > this.maxDate) this.maxDate = value;
    }
    this.expecting = NONE;
  }

  result(): BatchStats {
    return { personIds: [...this.personIds], minMetricDate: this.minDate, maxMetricDate: this.maxDate, columns: [...this.columns] };
  }

  private decodeKeys(): void {
    this.previousLayout = [];
    for (let k = 0; k < this.keyCount; k++) {
      const start = this.keyStarts[k];
      const end = this.keyEnds[k];
      this.previousLayout.push(keyLayout(this.batch, start, end));
      this.columns.add(decodeJsonString(this.batch, start, end));
    }
  }
}

// Length and three sampled bytes packed into one number (length < 2^21 for any real key).
function keyLayout(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  return (((length * 256 + bytes[start]) * 256 + bytes[start + (length >> 1)]) * 256 + bytes[end - 1]) % 9007199254740991;
}

function equals(bytes: Uint8Array, start: number, expected: Buffer): boolean {
  for (let k = 0; k < expected.length; k++) if (bytes[start + k] !== expected[k]) return false;
  return true;
}

// The text of a JSON string's content span (already validated); escapes are rare, so JSON.parse only then.
function decodeJsonString(bytes: Uint8Array, start: number, end: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
  return bytes.subarray(start, end).includes(BACKSLASH) ? (JSON.parse(`"${text}"`) as string) : text;
}
