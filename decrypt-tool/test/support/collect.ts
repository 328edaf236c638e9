import type { Readable } from "node:stream";

/** All rows of an async iterable. */
export async function collectRows(rows: AsyncIterable<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** The whole content of a byte stream as text. */
export async function collectText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The error an async action rejects with (fails the test if it resolves). */
export async function rejectionOf(action: () => Promise<unknown>): Promise<Error & { code?: string; exitCode?: number }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string; exitCode?: number };
  }
  throw new Error("expected the action to fail, but it succeeded");
}
