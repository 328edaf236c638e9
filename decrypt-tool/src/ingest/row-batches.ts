import { DropRejectedError } from "./sinks/sink";
import type { Column, ColumnType, DropKind, RowBatch } from "./sinks/sink";
import { convertValue, isNumberText, parseMetricDate, typeOf, widen } from "./value-types";

/** Rows per batch handed to the sink (DuckDB's vector size; a wide person report batch is ~1 MB of values). */
export const BATCH_ROWS = 2048;

/** Columns every sink adds itself: a drop may not bring a column of the same name. */
const SINK_COLUMNS = ["tenant_id", "extraction_id", "job_completed_at"];
/** PostgreSQL keeps 63 bytes of an identifier; both sinks hold the same names, so the longest allowed is 63 bytes. */
const MAX_COLUMN_BYTES = 63;

/**
 * Turns a drop's rows into typed, column-aligned {@link RowBatch}es.
 *
 * - Person report: PersonId → `person_id` (text, lower case) and MetricDate → `metric_date` (timestamp)
 *   are the first two columns; a row without either rejects the drop. Users: `id` (lower case) first.
 * - Every other column keeps its name; its type is the narrowest that holds every value seen so far in the
 *   drop (see typeOf), widened to text when a later value does not fit. A column enters the batches with
 *   its first non-null value: a column that is null in every row of a drop has no type and is not sent.
 * - Values are converted when a batch is cut, with the batch's final types, so one batch never mixes forms.
 * - Names are checked once: at most 63 bytes, unique ignoring case, not a name the sink adds.
 */
export class RowBatcher {
  private readonly columns: Column[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly lowerNames = new Map<string, string>();
  private rows: unknown[][] = [];
  private rowNumber = 0;
  private readonly lastOrder: string[] = [];
  private readonly lastIndexes: number[] = [];
  private readonly metricDates = new Map<unknown, Date | undefined>();

  constructor(private readonly kind: DropKind) {
    if (kind === "personReport") {
      this.columns.push({ name: "person_id", type: "text" }, { name: "metric_date", type: "timestamp" });
      for (const [source, target] of [["PersonId", "person_id"], ["MetricDate", "metric_date"]]) {
        this.indexOf.set(source, this.indexOf.size);
        this.lowerNames.set(target, source);
      }
    } else {
      this.columns.push({ name: "id", type: "text" });
      this.indexOf.set("id", 0);
      this.lowerNames.set("id", "id");
    }
  }

  /** Adds one row; returns a batch when one is full. */
  add(row: Record<string, unknown>): RowBatch | undefined {
    this.rowNumber++;
    const values: unknown[] = new Array(this.columns.length).fill(null);
    const keys = this.keyColumns();
    // Rows of a drop nearly always list their columns in the same order: the previous row's order
    // answers most name lookups with one (interned) string comparison instead of a hash lookup.
    const order = this.lastOrder;
    const indexes = this.lastIndexes;
    let position = 0;
    let sameOrder = true;
    for (const name in row) {
      const value = row[name];
      let index: number | undefined;
      if (sameOrder && order[position] === name) index = indexes[position];
      else {
        if (sameOrder) {
          sameOrder = false;
          order.length = indexes.length = position;
        }
        index = this.indexOf.get(name);
      }
      if (index === undefined) {
        if (value === null) continue;
        index = this.addColumn(name, value);
      } else if (index >= keys && value !== null) {
        const column = this.columns[index];
        // Text holds anything, and a double column mostly sees more number text: both settled cheaply.
        if (column.type !== "text" && !(column.type === "double" && typeof value === "string" && isNumberText(value))) {
          const type = widen(column.type, typeOf(value)!);
          if (type !== column.type) this.columns[index] = { name: column.name, type };
        }
      }
      values[index] = value;
      if (!sameOrder) {
        order.push(name);
        indexes.push(index);
      }
      position++;
    }
    if (sameOrder && position < order.length) order.length = indexes.length = position;
    this.checkKeys(values);
    this.rows.push(values);
    return this.rows.length >= BATCH_ROWS ? this.cut() : undefined;
  }

  /** The rows not yet handed out, if any. */
  finish(): RowBatch | undefined {
    return this.rows.length > 0 ? this.cut() : undefined;
  }

  private keyColumns(): number {
    return this.kind === "personReport" ? 2 : 1;
  }

  private addColumn(name: string, value: unknown): number {
    if (SINK_COLUMNS.includes(name.toLowerCase())) throw new DropRejectedError(`column "${name}" has the name of a column the database adds itself`);
    if (name === "" || Buffer.byteLength(name) > MAX_COLUMN_BYTES) {
      throw new DropRejectedError(`column "${name.slice(0, 80)}" has a name ${name === "" ? "that is empty" : `longer than ${MAX_COLUMN_BYTES} bytes`}, which the database cannot hold`);
    }
    const clash = this.lowerNames.get(name.toLowerCase());
    if (clash !== undefined) throw new DropRejectedError(`columns "${clash}" and "${name}" differ only in letter case (or "${name}" is a key column), which the database cannot hold apart`);
    this.lowerNames.set(name.toLowerCase(), name);
    const index = this.columns.length;
    this.columns.push({ name, type: typeOf(value)! });
    this.indexOf.set(name, index);
    return index;
  }

  private checkKeys(values: unknown[]): void {
    if (this.kind === "users") {
      if (typeof values[0] !== "string" || values[0] === "") throw new DropRejectedError(`row ${this.rowNumber} has no id`);
      return;
    }
    if (typeof values[0] !== "string" || values[0] === "") throw new DropRejectedError(`row ${this.rowNumber} has no PersonId`);
    if (this.metricDate(values[1]) === undefined) {
      throw new DropRejectedError(`row ${this.rowNumber}: MetricDate ${values[1] === null || values[1] === undefined ? "is missing" : "is not a date"}`);
    }
  }

  // A drop holds few distinct MetricDates (one per week or day): each is parsed once. Rows share the Date.
  private metricDate(value: unknown): Date | undefined {
    let date = this.metricDates.get(value);
    if (date === undefined && !this.metricDates.has(value)) {
      if (this.metricDates.size >= 10_000) this.metricDates.clear();
      date = parseMetricDate(value);
      this.metricDates.set(value, date);
    }
    return date;
  }

  private cut(): RowBatch {
    const columns = this.columns.slice();
    const width = columns.length;
    const keys = this.keyColumns();
    const types: ColumnType[] = columns.map((c) => c.type);
    for (const row of this.rows) {
      row[0] = (row[0] as string).toLowerCase();
      if (keys === 2) row[1] = this.metricDate(row[1]);
      for (let i = keys; i < row.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) continue;
        const type = types[i];
        if (type === "double") row[i] = typeof value === "string" ? +value : value;
        else if (type !== "text" || typeof value !== "string") row[i] = convertValue(value, type);
      }
      for (let i = row.length; i < width; i++) row.push(null);
    }
    const batch: RowBatch = { columns, rows: this.rows };
    this.rows = [];
    return batch;
  }
}
