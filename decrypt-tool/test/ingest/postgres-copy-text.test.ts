/** COPY text encoding, lock keys and URL descriptions of the PostgreSQL sink (no server needed). */
import { describe, expect, it } from "vitest";
import { CHUNK_CHARS, copyNumber, copyString, copyValue, encodeRows } from "../../src/ingest/sinks/postgres/copy-text";
import { describePostgresUrl } from "../../src/ingest/sinks/postgres/describe";
import { identifierProblem, quoteIdentifier } from "../../src/ingest/sinks/postgres/identifiers";
import { lockKey, locks } from "../../src/ingest/sinks/postgres/locks";
import { DropRejectedError } from "../../src/ingest/sinks/sink";

const text = (chunks: Iterable<Buffer>): string => Buffer.concat([...chunks]).toString("utf8");

describe("COPY text", () => {
  it("escapes backslash, tab, newline and carriage return, and nothing else", () => {
    expect(copyString("a\\b\tc\nd\re", "c", 1)).toBe("a\\\\b\\tc\\nd\\re");
    expect(copyString("\\N", "c", 1)).toBe("\\\\N");
    expect(copyString("\\.", "c", 1)).toBe("\\\\.");
    expect(copyString("é 😀 \u0001 ' \"", "c", 1)).toBe("é 😀 \u0001 ' \"");
  });

  it("refuses NUL and unpaired surrogates, naming column and row but not the value", () => {
    for (const [value, why] of [
      ["x\u0000secret", "NUL"],
      ["secret \ud800", "unpaired"],
      ["\udc00 secret", "unpaired"],
    ]) {
      let error: unknown;
      try {
        copyString(value, "Note", 7);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DropRejectedError);
      expect((error as Error).message).toMatch(new RegExp(`^column "Note", row 7: .*${why}`));
      expect((error as Error).message).not.toContain("secret");
    }
  });

  it("writes numbers so that they read back as the same double", () => {
    for (const n of [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5e-300, 126.00418432003623, 2 ** 53 + 2]) {
      expect(Number(copyNumber(n))).toBe(n);
    }
    expect(copyNumber(-0)).toBe("-0");
  });

  it("writes booleans, dates, bigints, null and undefined; refuses what no column holds", () => {
    expect(copyValue(true, "c", 1)).toBe("true");
    expect(copyValue(false, "c", 1)).toBe("false");
    expect(copyValue(new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)), "c", 1)).toBe("2024-02-29T01:02:03.004Z");
    expect(copyValue(12n, "c", 1)).toBe("12");
    expect(copyValue(null, "c", 1)).toBe("\\N");
    expect(copyValue(undefined, "c", 1)).toBe("\\N");
    expect(() => copyValue(new Date(Number.NaN), "When", 3)).toThrow('column "When", row 3: the value is an invalid date');
    expect(() => copyValue({ a: 1 }, "Doc", 2)).toThrow(TypeError);
  });

  it("encodes rows with the prefix, tabs and newlines, in chunks of about CHUNK_CHARS", () => {
    const cols = [{ name: "a" }, { name: "b" }, { name: "c" }];
    expect(text(encodeRows([["x", 1, null], ["y\tz", 2.5, true]], cols, "T\tE\t\\N\t", 1))).toBe("T\tE\t\\N\tx\t1\t\\N\nT\tE\t\\N\ty\\tz\t2.5\ttrue\n");
    const big = Array.from({ length: 3000 }, (_, i) => ["x".repeat(1000), i, false]);
    const chunks = [...encodeRows(big, cols, "", 1)];
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeLessThan(CHUNK_CHARS + 2000);
    expect(text(chunks).split("\n").length - 1).toBe(3000);
  });

  it("numbers rows from firstRow in its messages", () => {
    expect(() => [...encodeRows([["ok"], ["bad\u0000"]], [{ name: "Note" }], "", 41)]).toThrow('column "Note", row 42:');
  });
});

describe("identifiers", () => {
  it("quotes any name and measures it in UTF-8 bytes", () => {
    expect(quoteIdentifier('say "hi"')).toBe('"say ""hi"""');
    expect(identifierProblem("x".repeat(63))).toBeUndefined();
    expect(identifierProblem("x".repeat(64))).toBe("is 64 bytes long; PostgreSQL keeps only the first 63 bytes of a name");
    expect(identifierProblem("é".repeat(32))).toBe("is 64 bytes long; PostgreSQL keeps only the first 63 bytes of a name");
    expect(identifierProblem("x".repeat(58), "user_")).toBeUndefined();
    expect(identifierProblem("x".repeat(59), "user_")).toMatch(/^as "user_x{59}" \(in the view\) is 64 bytes long/);
    expect(identifierProblem("")).toBe("is empty");
  });
});

describe("lock keys", () => {
  it("are stable across versions and processes (another ingest must compute the same key)", () => {
    expect(lockKey("public", "schema")).toBe(locks.schema("public"));
    expect(locks.drop("public", "t", "run")).toBe(lockKey("public", "drop", "t", "run"));
    expect(locks.schema("public")).toMatchInlineSnapshot(`"-2953452635227669674"`);
    expect(locks.drop("public", "tenant", "run")).not.toBe(locks.drop("public", "tenan", "trun"));
    expect(BigInt(locks.drop("s", "t", "r"))).toBeGreaterThanOrEqual(-(2n ** 63n));
    expect(BigInt(locks.drop("s", "t", "r"))).toBeLessThan(2n ** 63n);
  });
});

describe("describePostgresUrl", () => {
  it("hides the password, in the user info and in query parameters", () => {
    expect(describePostgresUrl("postgres://ingest:s3cret@db.example:5432/viva")).toBe("postgres://ingest:***@db.example:5432/viva");
    expect(describePostgresUrl("postgresql://ingest@db.example/viva?password=s3cret&sslmode=require")).toBe("postgresql://ingest@db.example/viva?password=***&sslmode=require");
    expect(describePostgresUrl("postgres://db.example/viva")).toBe("postgres://db.example/viva");
  });
});
