// A byte-level JSON validator for NDJSON rows. `decrypt` passes row bytes through untouched, so it only needs
// to know that each line is one valid JSON object; checking that without building objects and strings is
// several times cheaper than JSON.parse, which keeps decrypt close to raw decipher + gunzip speed.

const MAX_DEPTH = 512;
const stack = new Uint8Array(MAX_DEPTH);
const IN_OBJECT = 1;
const IN_ARRAY = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Why the last {@link validateJsonObject} call failed (set only on failure, to keep the hot path allocation-free). */
export let lastJsonError = "";
// Offset just after the closing quote of the last string scanned.
let lastStringEnd = 0;

/** Sees the top-level members of the object being validated, as byte spans (inside the quotes). */
export interface TopLevelVisitor {
  key(bytes: Uint8Array, start: number, end: number): void;
  /** A string value of a top-level member; non-string values are not reported. */
  stringValue(bytes: Uint8Array, start: number, end: number): void;
}

/**
 * Checks that `bytes[start, end)` holds exactly one JSON object (RFC 8259 grammar; surrounding whitespace
 * allowed). Does not check UTF-8 validity (check whole batches with `buffer.isUtf8`). A `visitor` is told
 * the top-level keys and string values as they pass.
 * @returns -1 when valid, else the offset of the first offending byte (see {@link lastJsonError}).
 */
export function validateJsonObject(bytes: Uint8Array, start: number, end: number, visitor?: TopLevelVisitor): number {
  let i = skipWhitespace(bytes, start, end);
  if (i >= end || bytes[i] !== OPEN_BRACE) return fail(i, "not a JSON object");
  let depth = 0;
  value: for (;;) {
    i = skipWhitespace(bytes, i, end);
    if (i >= end) return fail(i, "unexpected end of line");
    const c = bytes[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i = skipWhitespace(bytes, i + 1, end);
      if (bytes[i] === close) {
        i++;
      } else {
        if (depth === MAX_DEPTH) return fail(i, "nested too deeply");
        stack[depth++] = c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
        if (c === OPEN_BRACE) {
          const keyStart = i;
          i = propertyName(bytes, i, end);
          if (i < 0) return -i - 1;
          if (visitor !== undefined && depth === 1) visitor.key(bytes, keyStart + 1, lastStringEnd - 1);
        }
        continue value;
      }
    } else if (c === QUOTE) {
      const stringStart = i;
      i = scanString(bytes, i, end);
      if (i < 0) return -i - 1;
      if (visitor !== undefined && depth === 1) visitor.stringValue(bytes, stringStart + 1, i - 1);
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      i = scanNumber(bytes, i, end);
      if (i < 0) return -i - 1;
    } else {
      i = scanLiteral(bytes, i, end);
      if (i < 0) return -i - 1;
    }
    // After a value: close containers or move to the next element.
    for (;;) {
      i = skipWhitespace(bytes, i, end);
      if (depth === 0) return i === end ? -1 : fail(i, "unexpected data after the object");
      if (i >= end) return fail(i, "unexpected end of line");
      const next = bytes[i];
      const inObject = stack[depth - 1] === IN_OBJECT;
      if (next === COMMA) {
        i++;
        if (inObject) {
          const keyStart = skipWhitespace(bytes, i, end);
          i = propertyName(bytes, keyStart, end);
          if (i < 0) return -i - 1;
          if (visitor !== undefined && depth === 1) visitor.key(bytes, keyStart + 1, lastStringEnd - 1);
        }
        continue value;
      }
      if (next === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
        depth--;
        i++;
        continue;
      }
      return fail(i, inObject ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

// Failures inside helpers come back as -(offset + 1) so offsets stay distinguishable from positions.
function fail(offset: number, reason: string): number {
  lastJsonError = reason;
  return offset;
}

function failInner(offset: number, reason: string): number {
  lastJsonError = reason;
  return -offset - 1;
}

function skipWhitespace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

// `"name"` then `:`; returns the offset after the colon.
function propertyName(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end || bytes[i] !== QUOTE) return failInner(i, "expected a property name");
  i = scanString(bytes, i, end);
  if (i < 0) return i;
  lastStringEnd = i;
  i = skipWhitespace(bytes, i, end);
  if (i >= end || bytes[i] !== COLON) return failInner(i, "expected ':'");
  return i + 1;
}

// 1 for bytes that end the fast path inside a string: '"', '\\' and control characters.
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

function scanString(bytes: Uint8Array, i: number, end: number): number {
  i++;
  for (;;) {
    // Hot loop: ordinary string bytes. Past the buffer's end bytes[i] is undefined, which also stops it.
    while (STRING_STOP[bytes[i]] === 0) i++;
    if (i >= end) return failInner(end, "unterminated string");
    const c = bytes[i];
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return failInner(i, "control character in string");
    const e = bytes[i + 1];
    if (e === 0x75) {
      if (i + 5 >= end || !isHex(bytes[i + 2]) || !isHex(bytes[i + 3]) || !isHex(bytes[i + 4]) || !isHex(bytes[i + 5])) {
        return failInner(i, "bad \\u escape");
      }
      i += 6;
      continue;
    }
    if (i + 1 >= end || !(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
      return failInner(i, "bad escape in string");
    }
    i += 2;
  }
}

function scanNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === MINUS) i++;
  if (i >= end) return failInner(i, "bad number");
  if (bytes[i] === DIGIT_0) {
    i++;
  } else if (isDigit(bytes[i])) {
    while (i < end && isDigit(bytes[i])) i++;
  } else {
    return failInner(i, "bad number");
  }
  if (i < end && bytes[i] === DOT) {
    i++;
    if (i >= end || !isDigit(bytes[i])) return failInner(i, "bad number");
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    if (i >= end || !isDigit(bytes[i])) return failInner(i, "bad number");
    while (i < end && isDigit(bytes[i])) i++;
  }
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function scanLiteral(bytes: Uint8Array, i: number, end: number): number {
  const c = bytes[i];
  const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : c === 0x6e ? NULL : undefined;
  if (!word || i + word.length > end) return failInner(i, "unexpected character");
  for (let k = 1; k < word.length; k++) if (bytes[i + k] !== word[k]) return failInner(i, "unexpected character");
  return i + word.length;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isHex(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
