import { createCipheriv } from "node:crypto";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { DropError, libraryTerm } from "../errors";

const BATCH_BYTES = 64 * 1024;

/** Row counts of `parts` consecutive slices of `rows` rows, as even as possible (earlier parts take the remainder). */
export function partSizes(rows: number, parts: number): number[] {
  const base = Math.floor(rows / parts);
  const remainder = rows % parts;
  return Array.from({ length: parts }, (_, index) => base + (index < remainder ? 1 : 0));
}

/** Path of part `index` (0-based) inside the run folder; zero-padded so name order is row order. */
export function partPath(index: number, parts: number): string {
  const width = Math.max(5, String(parts).length);
  return `data/part-${String(index + 1).padStart(width, "0")}.json.gz.enc`;
}

/**
 * Streams the next `count` rows of `rows` as NDJSON through gzip and AES-256-CBC (PKCS#7) into `destination`;
 * `signal` stops it.
 * @throws DropError USAGE when the input ends early (it changed since it was scanned).
 */
export async function writeEncryptedPart(
  rows: AsyncIterator<{ text: string }>,
  count: number,
  fileKey: { key: Buffer; iv: Buffer },
  destination: Writable,
  signal?: AbortSignal,
): Promise<void> {
  await pipeline(
    Readable.from(ndjsonBatches(rows, count), { objectMode: false }),
    createGzip(),
    createCipheriv("aes-256-cbc", fileKey.key, fileKey.iv),
    destination,
    { signal },
  );
}

async function* ndjsonBatches(rows: AsyncIterator<{ text: string }>, count: number): AsyncGenerator<Buffer> {
  let batch: string[] = [];
  let batchLength = 0;
  for (let taken = 0; taken < count; taken++) {
    const next = await rows.next();
    if (next.done) throw new DropError("USAGE", `${libraryTerm("input")} changed while the drop was being written (fewer rows than scanned)`);
    batch.push(next.value.text, "\n");
    batchLength += next.value.text.length + 1;
    if (batchLength >= BATCH_BYTES) {
      yield Buffer.from(batch.join(""));
      batch = [];
      batchLength = 0;
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(""));
}
