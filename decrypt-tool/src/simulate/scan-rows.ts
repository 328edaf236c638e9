import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { DropError, describeError, libraryTerm } from "../errors";

/** What the first pass over the input rows found. */
export interface RowScan {
  rows: number;
  /** Keys of the rows in first-seen order. */
  columns: string[];
  /** Smallest and largest MetricDate, when rows carry one. */
  metricDateRange?: { min: string; max: string };
}

/**
 * Checks that the input file exists and is a file.
 * @throws DropError USAGE naming the file and the cause.
 */
export async function assertInputFile(input: string): Promise<void> {
  const info = await stat(input).catch((error: NodeJS.ErrnoException) => {
    const cause = error.code === "ENOENT" ? "no such file" : describeError(error);
    throw new DropError("USAGE", `${libraryTerm("input")} ${input}: ${cause}`, { cause: error });
  });
  if (!info.isFile()) throw new DropError("USAGE", `${libraryTerm("input")} ${input}: not a file`);
}

/**
 * The non-blank lines of an NDJSON file, streamed, each with its 1-based line number.
 * @throws DropError USAGE when the file cannot be read.
 */
export async function* inputLines(input: string): AsyncGenerator<{ text: string; line: number }> {
  const file = createReadStream(input, { highWaterMark: 256 * 1024 });
  const lines = createInterface({ input: file, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() !== "") yield { text, line };
    }
  } catch (error) {
    throw new DropError("USAGE", `${libraryTerm("input")} ${input}: cannot read: ${describeError(error)}`, { cause: error });
  } finally {
    lines.close();
    file.destroy();
  }
}

/**
 * Reads the input once: every non-blank line must be a JSON object. Counts rows, collects column names
 * and the MetricDate range. Memory grows with the number of distinct columns only. `signal` stops it.
 * @throws DropError USAGE naming the file and line of the first bad row.
 */
export async function scanRows(input: string, signal?: AbortSignal): Promise<RowScan> {
  const columns = new Set<string>();
  let rows = 0;
  let min: string | undefined;
  let max: string | undefined;
  for await (const { text, line } of inputLines(input)) {
    signal?.throwIfAborted();
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      throw new DropError("USAGE", `${libraryTerm("input")} ${input} line ${line}: not JSON: ${describeError(error)}`);
    }
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new DropError("USAGE", `${libraryTerm("input")} ${input} line ${line}: expected one JSON object per line`);
    }
    rows++;
    for (const key of Object.keys(row)) columns.add(key);
    const date = (row as { MetricDate?: unknown }).MetricDate;
    if (typeof date === "string") {
      if (min === undefined || date < min) min = date;
      if (max === undefined || date > max) max = date;
    }
  }
  return { rows, columns: [...columns], metricDateRange: min !== undefined && max !== undefined ? { min, max } : undefined };
}
