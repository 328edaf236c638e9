import { isUtf8 } from "node:buffer";
import { badLineMessage, isBlankLine, scanLines } from "./json-lines";
import { type BatchStats, RowStats } from "./row-stats";

export type { BatchStats };

/** What a parser found in one batch of whole lines. */
export interface BatchResult {
  /** Lines in the batch, blank ones included (for line numbers). */
  lines: number;
  /** Non-blank lines, i.e. rows. */
  rows: number;
  /** Blank (whitespace-only) lines; the NDJSON output leaves them out. */
  blankLines: number;
  /** The first bad line: 1-based line number within the batch and the reason. */
  error?: { line: number; message: string };
  /** Present when stats were asked for. */
  stats?: BatchStats;
}

const NEWLINE = 10;

/**
 * Checks that every non-blank line of `bytes` (whole lines) is a JSON object in valid UTF-8, and counts rows;
 * with `collectStats` also gathers PersonIds, the MetricDate range and column names. Never builds row
 * objects (json-lines.ts). Pure and synchronous: runs in worker threads or inline.
 */
export function validateBatch(bytes: Uint8Array, collectStats: boolean): BatchResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) return firstBadUtf8Line(buffer);
  const stats = collectStats ? new RowStats(buffer) : undefined;
  const { lines, rows, blankLines, error } = scanLines(buffer, stats);
  if (error) return { lines, rows, blankLines, error: { line: error.line, message: badLineMessage(buffer, error.start, error.end, error) } };
  return { lines, rows, blankLines, stats: stats?.result() };
}

function firstBadUtf8Line(buffer: Buffer): BatchResult {
  const line = invalidUtf8Line(buffer);
  return { lines: line, rows: 0, blankLines: 0, error: { line, message: "not valid UTF-8" } };
}

/** The 1-based number of the first line of `buffer` that is not valid UTF-8 (call only when `isUtf8` failed). */
export function invalidUtf8Line(buffer: Buffer): number {
  let line = 0;
  let start = 0;
  for (;;) {
    let end = buffer.indexOf(NEWLINE, start);
    if (end < 0) end = buffer.length;
    line++;
    if (end >= buffer.length || !isUtf8(buffer.subarray(start, end))) return line;
    start = end + 1;
  }
}

/** `bytes` without its blank lines (rare: only called when a batch has some). */
export function dropBlankLines(bytes: Buffer): Buffer {
  const kept: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (!isBlankLine(bytes, start, end)) kept.push(bytes.subarray(start, end + 1));
    start = end + 1;
  }
  return Buffer.concat(kept);
}
