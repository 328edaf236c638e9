/** The binary COPY encoder, read back with an independent little decoder (no server needed). */
import { describe, expect, it } from "vitest";
import { BINARY_HEADER, BINARY_TRAILER, binaryRows, type BinaryColumn } from "../../src/ingest/sinks/postgres/copy-binary";
import { DropRejectedError } from "../../src/ingest/sinks/sink";

/** Tuples of raw fields (null or the field's bytes). */
function decode(data: Buffer): (Buffer | null)[][] {
  const tuples: (Buffer | null)[][] = [];
  let off = 0;
  while (off < data.length) {
    const n = data.readInt16BE(off);
    off += 2;
    const fields: (Buffer | null)[] = [];
    for (let i = 0; i < n; i++) {
      const len = data.readInt32BE(off);
      off += 4;
      fields.push(len < 0 ? null : data.subarray(off, off + len));
      off += Math.max(len, 0);
    }
    tuples.push(fields);
  }
  return tuples;
}

const encode = (rows: unknown[][], columns: BinaryColumn[], constants: (BinaryColumn & { value: unknown })[] = []): Buffer =>
  Buffer.concat([...binaryRows(rows, columns, constants, 1)]);

/** Microseconds since 2000-01-01 UTC, as PostgreSQL stores timestamptz. */
const micros = (field: Buffer): bigint => field.readBigInt64BE(0);

describe("binary COPY", () => {
  it("has PostgreSQL's signature header and the -1 trailer", () => {
    expect(BINARY_HEADER.toString("latin1", 0, 11)).toBe("PGCOPY\n\xff\r\n\0");
    expect(BINARY_HEADER.length).toBe(19);
    expect(BINARY_HEADER.readInt32BE(11)).toBe(0);
    expect(BINARY_HEADER.readInt32BE(15)).toBe(0);
    expect(BINARY_TRAILER.readInt16BE(0)).toBe(-1);
  });

  it("writes each type in its binary form, nulls as length -1, constants before each row", () => {
    const columns: BinaryColumn[] = [
      { name: "d", type: "double" },
      { name: "b", type: "boolean" },
      { name: "t", type: "timestamp" },
      { name: "j", type: "json" },
      { name: "s", type: "text" },
    ];
    const at = new Date("2024-02-29T12:00:00.001Z");
    const [row, empty] = decode(
      encode(
        [
          [126.00418432003623, true, at, '{"a":1}', "é\t😀"],
          [null, undefined, null, null, null],
        ],
        columns,
        [{ name: "tenant_id", type: "text", value: "t-1" }],
      ),
    );
    expect(row).toHaveLength(6);
    expect(row[0]!.toString()).toBe("t-1");
    expect(row[1]!.readDoubleBE(0)).toBe(126.00418432003623);
    expect([...row[2]!]).toEqual([1]);
    expect(micros(row[3]!)).toBe(BigInt(at.getTime() - Date.UTC(2000, 0, 1)) * 1000n);
    expect(row[4]![0]).toBe(1); // jsonb version
    expect(row[4]!.subarray(1).toString()).toBe('{"a":1}');
    expect(row[5]!.toString("utf8")).toBe("é\t😀");
    expect(empty).toEqual([Buffer.from("t-1"), null, null, null, null, null]);
  });

  it("gets timestamps before 2000 and far in the future exactly", () => {
    const cases = ["1900-01-01T00:00:00.001Z", "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2300-06-15T12:34:56.789Z", "9999-12-31T23:59:59.999Z", "0100-01-01T00:00:00.000Z"];
    const tuples = decode(encode(cases.map((c) => [new Date(c)]), [{ name: "t", type: "timestamp" }]));
    expect(tuples.map((t) => micros(t[0]!))).toEqual(cases.map((c) => BigInt(Date.parse(c) - Date.UTC(2000, 0, 1)) * 1000n));
  });

  it("writes any value into a text column in its text form", () => {
    const tuples = decode(encode([[2.5], [true], [new Date(0)], [-0], [12n]], [{ name: "s", type: "text" }]));
    expect(tuples.map((t) => t[0]!.toString())).toEqual(["2.5", "true", "1970-01-01T00:00:00.000Z", "-0", "12"]);
  });

  it("refuses values their column's type cannot take, naming column and row, never the value", () => {
    const fine = { double: 1, boolean: true, timestamp: new Date(0), json: "{}", text: "ok" };
    const refuse = (value: unknown, type: BinaryColumn["type"]): string => {
      try {
        encode([[fine[type]], [value]], [{ name: "Col", type }]);
      } catch (e) {
        expect(e).toBeInstanceOf(DropRejectedError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refuse("secret words", "double")).toBe(`column "Col", row 2: the value is not valid input for the column's type`);
    expect(refuse("yes", "boolean")).toBe(`column "Col", row 2: the value is not valid input for the column's type`);
    expect(refuse("2024-01-01", "timestamp")).toBe(`column "Col", row 2: the value is not valid input for the column's type`);
    expect(refuse(new Date(Number.NaN), "timestamp")).toBe(`column "Col", row 2: the value is an invalid date`);
    expect(refuse("secret\u0000", "text")).toBe(`column "Col", row 2: the value holds a NUL character (U+0000), which PostgreSQL text cannot store`);
    expect(refuse('{"a":"\u0000secret"}', "json")).toMatch(/^column "Col", row 2: the value holds a NUL character/);
    expect(() => encode([[{}]], [{ name: "Col", type: "text" }])).toThrow(TypeError);
  });

  it("takes numeric text into a double column, as PostgreSQL's own input would", () => {
    const tuples = decode(encode([["126.004"], [" 1e3 "]], [{ name: "d", type: "double" }]));
    expect(tuples.map((t) => t[0]!.readDoubleBE(0))).toEqual([126.004, 1000]);
  });

  it("streams in chunks of about 1 MiB, rows spanning chunks, a long string in one piece", () => {
    const long = "x".repeat(3 << 20);
    const rows = [...Array.from({ length: 50_000 }, (_, i) => [i, "some text"]), [0, long]];
    const chunks = [...binaryRows(rows, [{ name: "n", type: "double" }, { name: "s", type: "text" }], [], 1)];
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks.slice(0, -2)) expect(c.length).toBeLessThanOrEqual(1 << 20);
    const tuples = decode(Buffer.concat(chunks));
    expect(tuples).toHaveLength(50_001);
    expect(tuples[49_999][0]!.readDoubleBE(0)).toBe(49_999);
    expect(tuples[50_000][1]!.length).toBe(3 << 20);
  });
});
