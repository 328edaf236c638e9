/**
 * Rows → PostgreSQL's binary COPY format, written for the table's column types: doubles as 8 IEEE
 * bytes, timestamps as microseconds since 2000-01-01, booleans as one byte, text and JSON as UTF-8.
 * Nothing is formatted as text and parsed back — on either side — which is what makes the sink
 * about as fast as COPY of ready-made CSV. Values are checked against their column's type here (the
 * server takes binary fields as they come), with the same messages the text format gets.
 */
import { DropRejectedError, type ColumnType } from "../sink";
import { copyNumber, textProblem } from "./copy-text";

/** "PGCOPY\n\377\r\n\0", flags 0, no header extension. */
export const BINARY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
/** The field count -1 that ends the data. */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;
const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const CHUNK_BYTES = 1 << 20;

const invalid = (column: string, row: number): DropRejectedError =>
  new DropRejectedError(`column "${column}", row ${row}: the value is not valid input for the column's type`);

/** Appends fields to 1 MiB buffers; full buffers wait in `ready` (rows may span buffers: COPY data is a stream). */
class FieldWriter {
  buf = Buffer.allocUnsafe(CHUNK_BYTES);
  off = 0;
  readonly ready: Buffer[] = [];

  ensure(bytes: number): void {
    if (this.off + bytes <= this.buf.length) return;
    if (this.off > 0) this.ready.push(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.off = 0;
  }

  bytes(data: Buffer): void {
    this.ensure(data.length);
    data.copy(this.buf, this.off);
    this.off += data.length;
  }

  fieldCount(n: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(n, this.off);
    this.off += 2;
  }

  nullField(): void {
    this.ensure(4);
    this.buf.writeInt32BE(-1, this.off);
    this.off += 4;
  }

  double(v: number): void {
    this.ensure(12);
    this.buf.writeInt32BE(8, this.off);
    this.buf.writeDoubleBE(v, this.off + 4);
    this.off += 12;
  }

  boolean(v: boolean): void {
    this.ensure(5);
    this.buf.writeInt32BE(1, this.off);
    this.buf[this.off + 4] = v ? 1 : 0;
    this.off += 5;
  }

  timestamp(ms: number): void {
    this.ensure(12);
    this.buf.writeInt32BE(8, this.off);
    const since = ms - POSTGRES_EPOCH_MS;
    if (Math.abs(since) < 9e12) {
      // microseconds stay below 2^53: exact in a double, split into two 32-bit words
      const us = since * 1000;
      const hi = Math.floor(us / TWO_32);
      this.buf.writeInt32BE(hi, this.off + 4);
      this.buf.writeUInt32BE(us - hi * TWO_32, this.off + 8);
    } else {
      this.buf.writeBigInt64BE(BigInt(since) * 1000n, this.off + 4);
    }
    this.off += 12;
  }

  /** UTF-8 text, after an optional version byte (jsonb's 1). */
  text(s: string, version?: number): void {
    const head = version === undefined ? 4 : 5;
    this.ensure(head + s.length * 3);
    const start = this.off + head;
    const n = this.buf.write(s, start, "utf8");
    this.buf.writeInt32BE(n + head - 4, this.off);
    if (version !== undefined) this.buf[this.off + 4] = version;
    this.off = start + n;
  }

  flush(): Buffer[] {
    if (this.off > 0) this.ready.push(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.off = 0;
    return this.ready.splice(0);
  }
}

/** A value as its text form for a text column (the same forms the text format writes). */
function asText(value: unknown, column: string, row: number): string {
  switch (typeof value) {
    case "string": {
      const problem = textProblem(value);
      if (problem) throw new DropRejectedError(`column "${column}", row ${row}: ${problem}`);
      return value;
    }
    case "number":
      return copyNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DropRejectedError(`column "${column}", row ${row}: the value is an invalid date`);
    return value.toISOString();
  }
  throw new TypeError(`column "${column}", row ${row}: a ${typeof value} value is not one of the sink's column values (number, string, boolean, Date, null)`);
}

function field(w: FieldWriter, value: unknown, type: ColumnType, column: string, row: number): void {
  if (value === null || value === undefined) return w.nullField();
  switch (type) {
    case "double":
      if (typeof value === "number") return w.double(value);
      if (typeof value === "bigint") return w.double(Number(value));
      if (typeof value === "string" && NUMERIC.test(value)) return w.double(Number(value));
      throw invalid(column, row);
    case "boolean":
      if (typeof value === "boolean") return w.boolean(value);
      throw invalid(column, row);
    case "timestamp":
      if (value instanceof Date) {
        const ms = value.getTime();
        if (Number.isNaN(ms)) throw new DropRejectedError(`column "${column}", row ${row}: the value is an invalid date`);
        return w.timestamp(ms);
      }
      throw invalid(column, row);
    case "json":
      if (typeof value === "number" || typeof value === "boolean") return w.text(String(value), 1);
      if (typeof value === "string") return w.text(asText(value, column, row), 1);
      throw invalid(column, row);
    case "text":
      return w.text(asText(value, column, row));
  }
}

export interface BinaryColumn {
  name: string;
  /** The type of the column COPY writes to (not necessarily the batch's: a text column takes any value). */
  type: ColumnType;
}

/**
 * Binary COPY tuples for `rows`, in chunks of about 1 MiB. `constants` are fields put before every
 * row's own (the direct plan's tenant_id, extraction_id, job_completed_at). `firstRow` is the 1-based
 * number in the drop of rows[0], for messages.
 */
export function* binaryRows(
  rows: readonly (readonly unknown[])[],
  columns: readonly BinaryColumn[],
  constants: readonly (BinaryColumn & { value: unknown })[],
  firstRow: number,
): Generator<Buffer> {
  const w = new FieldWriter();
  for (const c of constants) field(w, c.value, c.type, c.name, 0);
  const prefix = Buffer.from(w.flush()[0] ?? Buffer.alloc(0));
  const width = columns.length;
  const types = columns.map((c) => c.type);
  const count = constants.length + width;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    w.fieldCount(count);
    if (prefix.length > 0) w.bytes(prefix);
    for (let c = 0; c < width; c++) {
      const value = row[c];
      // doubles first: nearly every value of a person report is one
      if (typeof value === "number" && types[c] === "double") w.double(value);
      else field(w, value, types[c], columns[c].name, firstRow + r);
    }
    if (w.ready.length > 0) yield* w.ready.splice(0);
  }
  yield* w.flush();
}
