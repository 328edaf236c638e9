// Validates NDJSON batches with json-lines.wat (WebAssembly SIMD128): every non-blank line must be one JSON
// object, at any nesting depth (JSON.parse, which rows() uses, has no depth limit either). `decrypt` passes
// row bytes through untouched, so it only needs to know that each line is valid; checking that without
// building objects or strings, 16 bytes at a time, costs a fraction of gunzip.
import { JSON_LINES_WASM } from "./json-lines-wasm";

/** What {@link scanLines} found in a batch of lines. */
export interface LineScan {
  /** Lines, blank ones included. */
  lines: number;
  /** Non-blank lines, i.e. rows. */
  rows: number;
  /** Lines of JSON whitespace only (space, tab, CR): not rows. */
  blankLines: number;
  /** The first bad line (the scan stops there). */
  error?: LineError;
}

/** Where and why a line is not a JSON object. */
export interface LineError {
  /** 1-based line number within the batch. */
  line: number;
  /** Offsets of the line in the batch (`end` at its newline or the batch end). */
  start: number;
  end: number;
  /** 0-based offset of the first offending byte within the line. */
  offset: number;
  reason: string;
}

/** Told what `verify` summarises of a batch's valid rows; offsets are into the batch. */
export interface RowListener {
  /**
   * A top-level "PersonId" string value, inside its quotes (the last one if a row repeats the key); not
   * told again while the next rows repeat the same bytes.
   */
  personId(start: number, end: number): void;
  /**
   * A top-level "MetricDate" string value, likewise: every value with escapes or non-ASCII bytes, and of
   * the others, which the validator orders itself, only the batch's least and greatest (after the rows).
   */
  metricDate(start: number, end: number): void;
  /**
   * The row's top-level keys differ from the previous row's (always so for the first row with keys).
   * `keys` holds each key's bytes as written (escapes undecoded) followed by its closing '"'; it is valid
   * only during the call.
   */
  keysChanged(keys: Uint8Array): void;
}

const NOT_OBJECT = "not a JSON object";
// Indexed by json-lines.wat's status codes (0 OK and 1 SUSPENDED are not errors).
const REASONS = [
  "",
  "",
  NOT_OBJECT,
  "unexpected end of line",
  "unexpected data after the object",
  "expected ',' or '}'",
  "expected ',' or ']'",
  "expected a property name",
  "expected ':'",
  "unterminated string",
  "control character in string",
  "bad \\u escape",
  "bad escape in string",
  "bad number",
  "unexpected character",
];
const OK = 0;
const SUSPENDED = 1;
const PERSON_ID = 1;
const METRIC_DATE = 2;
const KEYS_CHANGED = 3;

const NEWLINE = 0x0a;
const PAGE_BYTES = 65536;
// Memory layout (see json-lines.wat): events, then the nesting bit stack, the previous row's keys, the batch.
const EVENT_BASE = 1024;
const EVENT_CAPACITY = 4096;
const EVENT_BYTES = 12;
const STACK_BASE = EVENT_BASE + EVENT_CAPACITY * EVENT_BYTES;
// Reads run up to 16 bytes past a region's end.
const PADDING = 64;
/** An instance that grew past this for an unusually long line is dropped afterwards, giving the memory back. */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

interface JsonLinesExports {
  memory: WasmMemory;
  validate(start: number, end: number, stats: number): number;
  lines: WasmGlobal;
  rows: WasmGlobal;
  blanks: WasmGlobal;
  resume: WasmGlobal;
  errPos: WasmGlobal;
  errLine: WasmGlobal;
  events: WasmGlobal;
  stack: WasmGlobal;
  keys: WasmGlobal;
  keysEnd: WasmGlobal;
  eventBase: WasmGlobal;
  eventCap: WasmGlobal;
  personStart: WasmGlobal;
  personEnd: WasmGlobal;
  minDateStart: WasmGlobal;
  minDateEnd: WasmGlobal;
  maxDateStart: WasmGlobal;
  maxDateEnd: WasmGlobal;
}

// Node.js has WebAssembly; TypeScript declares it only in the DOM library, which this project does not load.
type WasmModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  value: number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { readonly exports: unknown };
};

let compiled: WasmModule | undefined;
let current: JsonLinesExports | undefined;

// One instance per thread, created on first use: validation is synchronous, so it is never shared.
function instance(): JsonLinesExports {
  if (current) return current;
  if (typeof WebAssembly !== "object") throw new Error("viva-drop needs WebAssembly, which this Node.js process has disabled (--jitless?)");
  compiled ??= new WebAssembly.Module(Buffer.from(JSON_LINES_WASM, "base64"));
  current = new WebAssembly.Instance(compiled).exports as JsonLinesExports;
  current.eventBase.value = EVENT_BASE;
  current.eventCap.value = EVENT_CAPACITY;
  return current;
}

const align = (n: number): number => (n + 15) & ~15;

/**
 * Checks every line of `bytes` (a final line needs no newline): blank, or one JSON object (RFC 8259). Does
 * not check UTF-8 (check whole batches with `buffer.isUtf8`). With a `listener`, also reports what
 * `verify` collects from each valid row.
 */
export function scanLines(bytes: Uint8Array, listener?: RowListener): LineScan {
  if (bytes.length === 0) return { lines: 0, rows: 0, blankLines: 0 };
  const wasm = instance();
  const terminated = bytes[bytes.length - 1] === NEWLINE;
  const size = terminated ? bytes.length : bytes.length + 1;
  const keys = align(STACK_BASE + (size >> 3) + PADDING);
  const input = align(keys + (listener ? size : 0) + PADDING);
  const needed = input + size + PADDING;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / PAGE_BYTES));
  const heap = new Uint8Array(wasm.memory.buffer);
  heap.set(bytes, input);
  if (!terminated) heap[input + bytes.length] = NEWLINE;
  wasm.stack.value = STACK_BASE;
  wasm.keys.value = keys;
  wasm.keysEnd.value = keys;
  wasm.personStart.value = wasm.personEnd.value = 0;
  wasm.minDateStart.value = wasm.minDateEnd.value = wasm.maxDateStart.value = wasm.maxDateEnd.value = 0;

  const scan: LineScan = { lines: 0, rows: 0, blankLines: 0 };
  const end = input + size;
  let status = SUSPENDED;
  for (let at = input; status === SUSPENDED; at = wasm.resume.value) {
    wasm.events.value = 0;
    status = wasm.validate(at, end, listener ? 1 : 0);
    scan.lines += wasm.lines.value;
    scan.rows += wasm.rows.value;
    scan.blankLines += wasm.blanks.value;
    if (listener) deliverEvents(wasm, heap, input, listener);
  }
  if (status === OK && listener) {
    if (wasm.minDateStart.value !== 0) listener.metricDate(wasm.minDateStart.value - input, wasm.minDateEnd.value - input);
    if (wasm.maxDateStart.value !== 0) listener.metricDate(wasm.maxDateStart.value - input, wasm.maxDateEnd.value - input);
  }
  if (status !== OK) {
    const start = wasm.errLine.value - input;
    const lineEnd = heap.indexOf(NEWLINE, input + start) - input;
    scan.error = { line: scan.lines, start, end: Math.min(lineEnd, bytes.length), offset: wasm.errPos.value - input - start, reason: REASONS[status] };
  }
  if (wasm.memory.buffer.byteLength > KEEP_MEMORY_BYTES) current = undefined;
  return scan;
}

function deliverEvents(wasm: JsonLinesExports, heap: Uint8Array, input: number, listener: RowListener): void {
  const count = wasm.events.value;
  if (count === 0) return;
  const events = new Int32Array(heap.buffer, EVENT_BASE, count * 3);
  for (let k = 0; k < events.length; k += 3) {
    const kind = events[k];
    if (kind === PERSON_ID) listener.personId(events[k + 1] - input, events[k + 2] - input);
    else if (kind === METRIC_DATE) listener.metricDate(events[k + 1] - input, events[k + 2] - input);
    else if (kind === KEYS_CHANGED) listener.keysChanged(heap.subarray(wasm.keys.value, wasm.keysEnd.value));
  }
}

/**
 * Why `bytes[start, end)`, one line, is not one JSON object (surrounding JSON whitespace allowed; a newline
 * ends the line), or undefined when it is. `offset` is relative to `start`.
 */
export function findJsonObjectError(bytes: Uint8Array, start: number, end: number): { offset: number; reason: string } | undefined {
  const line = bytes.subarray(start, end);
  const scan = scanLines(line);
  if (scan.error) return { offset: scan.error.start + scan.error.offset, reason: scan.error.reason };
  if (scan.rows === 0) return { offset: line.length, reason: NOT_OBJECT };
  // Blank lines around the object are whitespace; a second object is not.
  if (scan.rows > 1) return { offset: line.indexOf(NEWLINE) + 1, reason: "unexpected data after the object" };
  return undefined;
}

/**
 * Checks that `bytes[start, end)` holds exactly one JSON object on one line (RFC 8259; surrounding whitespace
 * allowed). Does not check UTF-8.
 * @returns -1 when valid, else the offset in `bytes` of the first offending byte.
 */
export function validateJsonObject(bytes: Uint8Array, start: number, end: number): number {
  const error = findJsonObjectError(bytes, start, end);
  return error === undefined ? -1 : start + error.offset;
}

/**
 * The message for a line that is not a JSON object, by position only: it reaches logs and terminals, so it
 * never quotes the line (V8's JSON.parse messages do, and rows are customer data).
 */
export function badLineMessage(bytes: Uint8Array, start: number, end: number, error: { offset: number; reason: string }): string {
  if (error.reason === NOT_OBJECT && isJson(bytes, start, end)) return NOT_OBJECT;
  return `invalid JSON at byte ${error.offset + 1}: ${error.reason}`;
}

function isJson(bytes: Uint8Array, start: number, end: number): boolean {
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

/** True for a line of JSON whitespace only (space, tab, CR), which NDJSON readers skip. */
export function isBlankLine(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
