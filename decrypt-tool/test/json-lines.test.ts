/**
 * The WebAssembly NDJSON validator (src/decrypt/json-lines.wat) against the reference, JSON.parse, on
 * generated lines; and the one rule for what a row is, the same in decrypt/verify (the validator) and
 * rows() (JSON.parse).
 */
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJsonObjectError, validateJsonObject } from "../src/decrypt/json-lines";
import { validateBatch } from "../src/decrypt/validate-batch";
import { openDrop, verifyDrop } from "../src/index";
import { scanLines } from "../src/decrypt/json-lines";
import { collectRows, collectText, rejectionOf } from "./support/collect";
import { isJsonObject } from "./support/json";
import { makeKeyPair, makeTempDir, writeTestDrop, type TestKeyPair } from "./support/test-drop";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateModule, TARGET } = require("../scripts/build-wasm.cjs") as { generateModule(): Promise<string>; TARGET: string };

/** A small deterministic generator (tests must be repeatable). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

const pick = <T>(r: (n: number) => number, items: readonly T[]): T => items[r(items.length)];
const WHITESPACE = ["", "", "", " ", "\t", "\r", " \t "];
const CHARACTERS = ["a", "Z", " ", "-", ":", ",", "{", "]", "é", "中", "😀", "\u007f", "\u0080", "\u2028", "\ufeff", "\uffff"];
const ESCAPES = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u00e9", "\\uD83D\\uDE00", "\\ud800", "\\uDFFF", "\\uABCD"];

function jsonString(r: (n: number) => number): string {
  let text = '"';
  for (let k = r(12); k > 0; k--) text += r(4) === 0 ? pick(r, ESCAPES) : pick(r, CHARACTERS);
  return `${text}"`;
}

function jsonNumber(r: (n: number) => number): string {
  const digits = (min: number): string => Array.from({ length: min + r(18) }, () => String(r(10))).join("");
  let text = r(3) === 0 ? "-" : "";
  text += r(4) === 0 ? "0" : `${1 + r(9)}${digits(0)}`;
  if (r(2) === 0) text += `.${digits(1)}`;
  if (r(3) === 0) text += `${pick(r, ["e", "E"])}${pick(r, ["", "+", "-"])}${digits(1)}`;
  return text;
}

/** A random JSON value as text, with random (JSON) whitespace between tokens. */
function jsonValue(r: (n: number) => number, depth: number): string {
  const ws = (): string => pick(r, WHITESPACE);
  const kind = depth > 4 ? 2 + r(4) : r(6);
  if (kind === 0) {
    const members = Array.from({ length: r(5) }, () => `${ws()}${jsonString(r)}${ws()}:${ws()}${jsonValue(r, depth + 1)}${ws()}`);
    return `{${members.join(",") || ws()}}`;
  }
  if (kind === 1) return `[${Array.from({ length: r(5) }, () => `${ws()}${jsonValue(r, depth + 1)}${ws()}`).join(",") || ws()}]`;
  if (kind === 2) return jsonString(r);
  if (kind === 3) return jsonNumber(r);
  if (kind === 4) return pick(r, ["true", "false", "null"]);
  return `{${ws()}"PersonId"${ws()}:${ws()}${jsonString(r)},"n":${jsonNumber(r)}}`;
}

/** A line: mostly objects (rows), sometimes another value, sometimes damaged. */
function generatedLine(r: (n: number) => number): string {
  let line = r(5) === 0 ? jsonValue(r, 1) : `${pick(r, WHITESPACE)}{"PersonId":${jsonString(r)},"v":${jsonValue(r, 1)}}${pick(r, WHITESPACE)}`;
  const damage = ['"', "\\", "{", "}", "[", "]", ",", ":", "0", "1", "-", "+", ".", "e", "E", "t", "u", "n", "l", "x", "/", " ", "\t", "\r",
    "\u0000", "\u0001", "\u001f", "\f", "\v", "\u00a0", "\u2028", "\ufeff", "é", "😀", "\\u", "\\u12", "\\x", "{}", "[]", "true", "nul"];
  for (let k = r(3); k > 0; k--) {
    const at = r(line.length + 1);
    const op = r(3);
    const piece = pick(r, damage);
    line = op === 0 ? line.slice(0, at) + piece + line.slice(at + 1) : op === 1 ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + piece + line.slice(at);
  }
  return line;
}


const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("the validator against JSON.parse", () => {
  it("agrees on 40,000 generated lines, valid and damaged", () => {
    const r = random(20261201);
    const counts = { objects: 0, otherJson: 0, invalid: 0 };
    for (let k = 0; k < 40_000; k++) {
      const line = generatedLine(r).replace(/\n/g, "\\n");
      const bytes = Buffer.from(line, "utf8");
      const expected = isJsonObject(line);
      if (expected) counts.objects++;
      else if (isJson(line)) counts.otherJson++;
      else counts.invalid++;
      expect(validateJsonObject(bytes, 0, bytes.length) === -1, line).toBe(expected);
    }
    // The generator covers all three outcomes in earnest.
    expect(counts.objects).toBeGreaterThan(10_000);
    expect(counts.otherJson).toBeGreaterThan(1_000);
    expect(counts.invalid).toBeGreaterThan(10_000);
  });

  it("agrees on numbers, escapes, literals and control characters, one by one", () => {
    const numbers = ["0", "-0", "1", "-1", "10", "01", "-01", "1.5", "1.", ".5", "-.5", "1e5", "1E+5", "1e-5", "1e", "1e+", "1.5e3", "+1", "0x1", "1_0", "Infinity", "NaN", "--1", "1.2.3", "9".repeat(400), `1e${"9".repeat(30)}`];
    const strings = ['""', '"\\u"', '"\\u12"', '"\\u123g"', '"\\uD800"', '"\\U0041"', '"\\a"', '"\\0"', '"\\\'"', '"\\ "', '"a\\', '"a', "'a'"];
    const literals = ["true", "false", "null", "tru", "True", "nul", "nulll", "falsey", "undefined"];
    const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter((c) => c !== "\n");
    const values = [...numbers, ...strings, ...literals, ...controls.map((c) => `"a${c}b"`), ...controls.map((c) => `${c}1`)];
    for (const value of values) {
      for (const line of [`{"a":${value}}`, `{"a":[${value}]}`, `{"a":${value},"b":1}`, `{ "a" : ${value} }`]) {
        const bytes = Buffer.from(line, "utf8");
        expect(validateJsonObject(bytes, 0, bytes.length) === -1, JSON.stringify(line)).toBe(isJsonObject(line));
      }
    }
  });

  it("treats exactly JSON's whitespace as whitespace", () => {
    for (let c = 0; c < 0x3000; c++) {
      if (c === 0x0a) continue;
      const space = String.fromCharCode(c);
      if (c >= 0xd800 && c < 0xe000) continue;
      for (const line of [`${space}{"a":1}`, `{${space}"a":1}`, `{"a"${space}:1}`, `{"a":1${space}}`, `{"a":1}${space}`]) {
        const bytes = Buffer.from(line, "utf8");
        expect(validateJsonObject(bytes, 0, bytes.length) === -1, `U+${c.toString(16)}`).toBe(isJsonObject(line));
      }
    }
  });

  it("names the first offending byte and why", () => {
    const cases: [string, number, string][] = [
      ['{"a":1', 6, "unexpected end of line"],
      ['{"a":1}x', 7, "unexpected data after the object"],
      ['{"a":1 2}', 7, "expected ',' or '}'"],
      ['{"a":[1 2]}', 8, "expected ',' or ']'"],
      ['{"a":1,}', 7, "expected a property name"],
      ['{"a" 1}', 5, "expected ':'"],
      ['{"a":"b', 7, "unterminated string"],
      ['{"a":"b\tc"}', 7, "control character in string"],
      ['{"a":"\\u12x4"}', 6, "bad \\u escape"],
      ['{"a":"\\x"}', 6, "bad escape in string"],
      ['{"a":1.}', 7, "bad number"],
      ['{"a":tru}', 5, "unexpected character"],
      ["[1]", 0, "not a JSON object"],
      ["   ", 3, "not a JSON object"],
      ['{"a":1}\n{"b":2}', 8, "unexpected data after the object"],
    ];
    for (const [line, offset, reason] of cases) expect(findJsonObjectError(Buffer.from(line), 0, line.length), line).toEqual({ offset, reason });
    const text = 'xx{"é":"😀" 1}yy';
    const bytes = Buffer.from(text);
    expect(validateJsonObject(bytes, 2, bytes.length - 2)).toBe(bytes.indexOf(" 1}") + 1);
  });

  it("accepts objects nested as deep as a line can hold, and checks every level", () => {
    for (const depth of [1_000, 1_000_000]) {
      const line = `{"a":${'{"b":['.repeat(depth)}0${"]}".repeat(depth)}}`;
      const bytes = Buffer.from(line);
      expect(validateJsonObject(bytes, 0, bytes.length)).toBe(-1);
      const wrongClose = Buffer.from(`${line.slice(0, -depth)}${"}]".repeat(depth / 2)}`);
      expect(validateJsonObject(wrongClose, 0, wrongClose.length)).toBeGreaterThan(0);
    }
    expect(isJsonObject(`{"a":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`)).toBe(true);
  });
});

describe("scanLines", () => {
  it("counts lines, rows and blank lines across suspensions, with and without a final newline", () => {
    const rows = Array.from({ length: 5000 }, (_, k) => `{"PersonId":"p${k}","MetricDate":"2024-01-${String((k % 28) + 1).padStart(2, "0")}","k${k % 3}":1}`);
    const text = rows.map((row, k) => (k % 100 === 0 ? ` \t\r\n${row}` : row)).join("\n");
    const seen = { people: 0, dates: 0, keyChanges: 0 };
    const listener = {
      personId: () => seen.people++,
      metricDate: () => seen.dates++,
      keysChanged: () => seen.keyChanges++,
    };
    for (const batch of [text, `${text}\n`]) {
      seen.people = seen.dates = seen.keyChanges = 0;
      expect(scanLines(Buffer.from(batch), listener)).toEqual({ lines: 5050, rows: 5000, blankLines: 50 });
      // Each row's third key differs from the previous row's; more events than one suspension holds.
      // Plain dates are ordered by the validator: only the least and the greatest are reported.
      expect(seen).toEqual({ people: 5000, dates: 2, keyChanges: 5000 });
    }
    expect(scanLines(Buffer.alloc(0))).toEqual({ lines: 0, rows: 0, blankLines: 0 });
  });

  it("collects people and the MetricDate range as JavaScript would, escapes and non-ASCII included", () => {
    const r = random(42);
    const dates = ["2024-01-05", "2024-01-10", "2023-12-31T00:00:00Z", "", "2024", "\\u0032022-01-01", "é2025", "😀", "\uffff", "\\uD83D\\uDE00x", "Z", "2024-01-05"];
    const people = ["p1", "p1", "p2", "p1", "p\\u0031", "é", "p3", "p3"];
    for (let round = 0; round < 200; round++) {
      const rows = Array.from({ length: 1 + r(30) }, () => ({ person: pick(r, people), date: pick(r, dates) }));
      const text = rows.map(({ person, date }) => `{"PersonId":"${person}","x":[1],"MetricDate":"${date}"}`).join("\n");
      const stats = validateBatch(Buffer.from(text), true).stats!;
      const parsed = text.split("\n").map((line) => JSON.parse(line) as { PersonId: string; MetricDate: string });
      const values = parsed.map((row) => row.MetricDate);
      expect(new Set(stats.personIds)).toEqual(new Set(parsed.map((row) => row.PersonId)));
      expect(stats.minMetricDate).toBe(values.reduce((a, b) => (b < a ? b : a)));
      expect(stats.maxMetricDate).toBe(values.reduce((a, b) => (b > a ? b : a)));
    }
  });

  it("reports a changed key set exactly, however small the change", () => {
    const lines = ['{"abcde":1,"x":2}', '{"abcde":1,"x":2}', '{"axcde":1,"x":2}', '{"axcde":1}', '{"axcde":1,"x":{"inner":1}}', '{"a\\u0078cde":1}'];
    const reported: string[] = [];
    scanLines(Buffer.from(lines.join("\n")), { personId() {}, metricDate() {}, keysChanged: (keys) => reported.push(Buffer.from(keys).toString()) });
    expect(reported).toEqual(['abcde"x"', 'axcde"x"', 'axcde"', 'axcde"x"', 'a\\u0078cde"']);
  });

  it("gives back the memory of an unusually long line", () => {
    const long = `{"a":"${"x".repeat(80 * 1024 * 1024)}"}`;
    expect(scanLines(Buffer.from(long))).toEqual({ lines: 1, rows: 1, blankLines: 0 });
    expect(scanLines(Buffer.from('{"a":1}\n'))).toEqual({ lines: 1, rows: 1, blankLines: 0 });
  });
});

describe("json-lines-wasm.ts", () => {
  it("is what scripts/build-wasm.cjs assembles from json-lines.wat", async () => {
    expect(readFileSync(TARGET, "utf8")).toBe(await generateModule());
  });
});

describe("one rule for a row: decrypt and verify (validator) and rows() (JSON.parse) agree", () => {
  let keys: TestKeyPair;
  let root: string;
  beforeAll(() => {
    keys = makeKeyPair();
    root = makeTempDir();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Outcome of each reading path: the rows it saw, or its error.
  async function outcomes(content: Buffer): Promise<string[]> {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [content], metadata: { NumberOfRowsExtracted: undefined } });
    const key = { privateKeyPem: keys.privateKeyPem };
    const opened = await openDrop(drop.dir, key);
    const describe = async (read: () => Promise<number>): Promise<string> => {
      try {
        return `${await read()} rows`;
      } catch (error) {
        return (error as Error).message.replace(/^.*? line /, "line ");
      }
    };
    return Promise.all([
      describe(async () => (await collectRows(opened.rows())).length),
      describe(async () => (await collectText(opened.ndjson({ workers: 0 }))).split("\n").filter((line) => line !== "").length),
      describe(async () => (await verifyDrop(drop.dir, key, { workers: 0 })).rows),
    ]);
  }

  const deep = (depth: number): string => `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  const cases: [string, Buffer, string][] = [
    ["an object nested 600 deep", Buffer.from(`{"a":1}\n${deep(600)}\n`), "2 rows"],
    ["an object nested 200,000 deep", Buffer.from(`${deep(200_000)}\n{"a":1}\n`), "2 rows"],
    ["blank lines of JSON whitespace", Buffer.from('{"a":1}\n \t\r\n\n{"b":2}\r\n'), "2 rows"],
    ["a UTF-8 byte order mark before the first row", Buffer.from('\ufeff{"a":1}\n'), "1 rows"],
    ["a line of a form feed", Buffer.from('{"a":1}\n\f\n'), "line 2: invalid JSON at byte 1: not a JSON object"],
    ["a line of a no-break space", Buffer.from('{"a":1}\n\u00a0\n'), "line 2: invalid JSON at byte 1: not a JSON object"],
    ["a byte order mark before a later row", Buffer.from('{"a":1}\n\ufeff{"b":2}\n'), "line 2: invalid JSON at byte 1: not a JSON object"],
    ["an array", Buffer.from('{"a":1}\n[{"a":1}]\n'), "line 2: not a JSON object"],
    ["a string", Buffer.from('"row"\n'), "line 1: not a JSON object"],
    ["a deep array that never closes", Buffer.from(`${deep(600).slice(0, -2)}\n`), "line 1: invalid JSON at byte 1205: unexpected end of line"],
    ["a raw tab in a string", Buffer.from('{"a":"x\ty"}\n'), "line 1: invalid JSON at byte 8: control character in string"],
    ["a lone surrogate escape (valid JSON)", Buffer.from('{"a":"\\ud800"}\n'), "1 rows"],
    ["an overlong UTF-8 encoding", Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}\n')]), "line 2: not valid UTF-8"],
    ["a UTF-8 encoded surrogate", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]), "line 1: not valid UTF-8"],
    ["a code point past U+10FFFF", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('"}\n')]), "line 1: not valid UTF-8"],
    ["U+10FFFF itself", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xf4, 0x8f, 0xbf, 0xbf]), Buffer.from('"}\n')]), "1 rows"],
  ];

  it.each(cases)("%s", async (_, content, expected) => {
    expect(await outcomes(content)).toEqual([expected, expected, expected]);
  }, 30_000);

  it("also in worker threads", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [Buffer.from(`${deep(600)}\n[1]\n`)] });
    const failure = await rejectionOf(() => verifyDrop(drop.dir, { privateKeyPem: keys.privateKeyPem }, { workers: 1 }));
    expect(failure.message).toMatch(/line 2: not a JSON object$/);
    const batch = validateBatch(Buffer.from(`${deep(600)}\n`), true);
    expect(batch.error).toBeUndefined();
    expect(batch.rows).toBe(1);
  });
});
