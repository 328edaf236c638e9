import { isUtf8 } from "node:buffer";
import { lastJsonError, validateJsonObject } from "./json-line-validator";
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
 * objects (byte-level validator). Pure and synchronous: runs in worker threads or inline.
 */
export function validateBatch(bytes: Uint8Array, collectStats: boolean): BatchResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) return firstBadUtf8Line(buffer);
  return validateBytes(buffer, collectStats ? new RowStats() : undefined);
}

function validateBytes(buffer: Buffer, stats: RowStats | undefined): BatchResult {
  let lines = 0;
  let rows = 0;
  let blankLines = 0;
  let start = 0;
  while (start < buffer.length) {
    let end = buffer.indexOf(NEWLINE, start);
    if (end < 0) end = buffer.length;
    lines++;
    if (isBlankBytes(buffer, start, end)) {
      blankLines++;
    } else {
      stats?.beginRow(buffer);
      const bad = validateJsonObject(buffer, start, end, stats);
      if (bad >= 0) return { lines, rows, blankLines, error: { line: lines, message: describeBadLine(buffer, start, end) } };
      stats?.endRow();
      rows++;
    }
    start = end + 1;
  }
  return { lines, rows, blankLines, stats: stats?.result() };
}

/**
 * Why a line failed, by position only: the message reaches logs and terminals, so it never quotes the
 * line (V8's JSON.parse messages do, and rows are customer data).
 */
export function describeBadLine(bytes: Uint8Array, start: number, end: number): string {
  const bad = validateJsonObject(bytes, start, end);
  if (bad < 0) return "invalid JSON";
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
  try {
    JSON.parse(text);
    return "not a JSON object";
  } catch {
    return `invalid JSON at byte ${bad - start + 1}: ${lastJsonError}`;
  }
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

function isBlankBytes(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** `bytes` without its blank lines (rare: only called when a batch has some). */
export function dropBlankLines(bytes: Buffer): Buffer {
  const kept: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end + 1);
    if (line.toString("utf8").trim() !== "") kept.push(line);
    start = end + 1;
  }
  return Buffer.concat(kept);
}
