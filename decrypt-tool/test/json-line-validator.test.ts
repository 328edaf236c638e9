import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isJsonObject } from "./support/json";
import { validateJsonObject } from "../src/decrypt/json-lines";
import { validateBatch } from "../src/decrypt/validate-batch";

const fixtureLines = readFileSync(path.resolve(__dirname, "../../fixtures/VivaInsightsDataset_v1.json"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .slice(0, 40);


function validatorAccepts(text: string): boolean {
  const bytes = Buffer.from(text, "utf8");
  return validateJsonObject(bytes, 0, bytes.length) === -1;
}

const handPicked = [
  "{}",
  ' { "a" : [ 1 , -2.5e+3 , 0 , true , false , null , { } , [ ] ] } ',
  '{"a":"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"}',
  '{"a":"é😀"}',
  '{"a":1}\r',
  '{"a":01}',
  '{"a":1.}',
  '{"a":.5}',
  '{"a":-}',
  '{"a":1e}',
  '{"a":+1}',
  '{"a":tru}',
  '{"a":nul}',
  '{"a":"x\ty"}',
  '{"a":"\\x"}',
  '{"a":"\\u12g4"}',
  '{"a" 1}',
  '{a:1}',
  '{"a":1,}',
  '{"a":[1,]}',
  '{"a":[1 2]}',
  '{"a":1}}',
  '{"a":1} {"b":2}',
  '{"a":1},{"b":2}',
  '[{"a":1}]',
  '"text"',
  "42",
  "null",
  '{"a":"unterminated}',
  '{"a":{"b":{"c":[[[]]]}}}',
  '{"a":[}',
  '{"a":]',
];

describe("validateJsonObject", () => {
  it.each(handPicked)("agrees with JSON.parse on %s", (text) => {
    expect(validatorAccepts(text)).toBe(isJsonObject(text));
  });

  it("accepts every row of Microsoft's sample", () => {
    for (const line of fixtureLines) expect(validatorAccepts(line)).toBe(true);
  });

  it("agrees with JSON.parse on thousands of damaged sample rows", () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const damage = ['"', "{", "}", "[", "]", ",", ":", "\\", "e", "-", ".", "0", " ", "\u0001", "t", "n"];
    let rejected = 0;
    for (let k = 0; k < 3000; k++) {
      const line = fixtureLines[random(fixtureLines.length)];
      const at = random(line.length);
      const mutated = random(2) === 0 ? line.slice(0, at) + damage[random(damage.length)] + line.slice(at + 1) : line.slice(0, at) + line.slice(at + 1);
      const expected = isJsonObject(mutated);
      if (!expected) rejected++;
      expect(validatorAccepts(mutated), mutated).toBe(expected);
    }
    expect(rejected).toBeGreaterThan(1000);
  });

  it("accepts any nesting depth, as JSON.parse does, and still checks that every bracket closes", () => {
    for (const depth of [600, 100_000]) {
      const deep = `{"a":${'[{"b":'.repeat(depth)}1${"}]".repeat(depth)}}`;
      expect(isJsonObject(deep)).toBe(true);
      expect(validatorAccepts(deep), `depth ${depth}`).toBe(true);
      expect(validatorAccepts(deep.slice(0, -3) + "]]}"), `depth ${depth}, mismatched`).toBe(false);
      expect(validatorAccepts(deep.slice(0, -1)), `depth ${depth}, unclosed`).toBe(false);
    }
  });
});

describe("validateBatch", () => {
  const batch = Buffer.from(`${fixtureLines[0]}\n\n  \n${fixtureLines[1]}\r\n`);

  it("counts rows and blank lines, with or without stats", () => {
    for (const collectStats of [false, true]) {
      const result = validateBatch(batch, collectStats);
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ lines: 4, rows: 2, blankLines: 2 });
    }
  });

  it("collects PersonIds, the MetricDate range and the columns", () => {
    const stats = validateBatch(batch, true).stats!;
    const rows = [JSON.parse(fixtureLines[0]), JSON.parse(fixtureLines[1])] as Record<string, string>[];
    expect(new Set(stats.personIds)).toEqual(new Set(rows.map((r) => r.PersonId)));
    expect(stats.columns).toEqual(Object.keys(rows[0]));
    expect(stats.minMetricDate! <= stats.maxMetricDate!).toBe(true);
  });

  it("gathers columns across rows whose keys differ, and decodes escaped values", () => {
    const lines = [
      '{"PersonId":"p\\u0031","MetricDate":"2024-02-01","a":1}',
      '{"PersonId":"p2","MetricDate":"2024-01-01","a":{"PersonId":"nested, not counted"}}',
      '{"PersonId":"p2","MetricDate":"2024-03-01","b":[1],"c d, e":null}',
      '{"MetricDate":"2023-12-31","PersonId":"p3","a":2}',
    ];
    const stats = validateBatch(Buffer.from(lines.join("\n") + "\n"), true).stats!;
    expect(stats.personIds).toEqual(["p1", "p2", "p3"]);
    expect([stats.minMetricDate, stats.maxMetricDate]).toEqual(["2023-12-31", "2024-03-01"]);
    expect(stats.columns).toEqual(["PersonId", "MetricDate", "a", "b", "c d, e"]);
  });

  it.each([false, true])("names the first bad line (stats: %s)", (collectStats) => {
    const result = validateBatch(Buffer.from(`{"a":1}\n\n{"a":\n{"b":2}\n`), collectStats);
    expect(result.error?.line).toBe(3);
    expect(result.error?.message).toMatch(/invalid JSON/);
  });

  it.each([false, true])("rejects a row that is valid JSON but not an object (stats: %s)", (collectStats) => {
    expect(validateBatch(Buffer.from(`{"a":1}\n[1,2]\n`), collectStats).error).toEqual({ line: 2, message: "not a JSON object" });
  });

  it("rejects bytes that are not UTF-8", () => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    expect(validateBatch(bytes, false).error).toEqual({ line: 2, message: "not valid UTF-8" });
  });
});
