import { describe, expect, it } from "vitest";
import { lineBatches } from "../src/decrypt/line-batches";

async function batchesOf(chunks: string[], owned: boolean, minBytes = 1): Promise<Buffer[]> {
  async function* source(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const out: Buffer[] = [];
  for await (const batch of lineBatches(source(), "part-0", { owned, minBytes })) out.push(Buffer.from(batch));
  return out;
}

describe("lineBatches", () => {
  const chunks = ['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}\n{"d":4', "}", '\n{"e":5}'];

  it.each([false, true])("cuts only at line ends and ends every batch with a newline (owned: %s)", async (owned) => {
    const batches = await batchesOf(chunks, owned);
    expect(Buffer.concat(batches).toString()).toBe('{"a":1}\n{"b":2}\n\n{"c":3}\n{"d":4}\n{"e":5}\n');
    for (const batch of batches) expect(batch.at(-1)).toBe(0x0a);
  });

  it("groups lines into owned batches, each in its own memory", async () => {
    const produced: Buffer[] = [];
    async function* source(): AsyncGenerator<Buffer> {
      for (const chunk of chunks) yield Buffer.from(chunk);
    }
    for await (const batch of lineBatches(source(), "part-0", { owned: true, minBytes: 12 })) produced.push(batch);
    expect(produced.length).toBeGreaterThan(1);
    expect(produced.length).toBeLessThan(6);
    expect(new Set(produced.map((b) => b.buffer)).size).toBe(produced.length);
  });

  it("yields nothing for an empty stream", async () => {
    expect(await batchesOf([], false)).toEqual([]);
    expect(await batchesOf([""], true)).toEqual([]);
  });
});
