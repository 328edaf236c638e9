import { DropError } from "../errors";

const NEWLINE = 0x0a;

/** Default size of a batch of whole lines handed to a parser. */
export const DEFAULT_BATCH_BYTES = 512 * 1024;
/** Longest line accepted; a drop row is a few KB, so anything near this is not NDJSON. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Regroups a byte stream into batches of whole lines of at least `minBytes` (except the last), each ending
 * with a newline (a final line without one gets one). Every batch owns its ArrayBuffer exclusively, so it can
 * be transferred to a worker thread. `label` names the file in errors.
 */
export async function* lineBatches(chunks: AsyncIterable<Buffer>, label: string, minBytes = DEFAULT_BATCH_BYTES): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < minBytes) continue;
    const cut = lastNewline(pending) + 1;
    if (cut === 0) {
      if (pendingBytes > MAX_LINE_BYTES) throw new DropError("JSON_INVALID", `${label}: a line longer than ${MAX_LINE_BYTES} bytes; not newline-delimited JSON`);
      continue;
    }
    const rest = pendingBytes - cut;
    const joined = ownedConcat(pending, pendingBytes, 0);
    // Copy the partial line first: the consumer may transfer (detach) the batch's memory.
    pending = rest > 0 ? [Buffer.from(joined.subarray(cut))] : [];
    pendingBytes = rest;
    yield joined.subarray(0, cut);
  }
  if (pendingBytes === 0) return;
  const last = ownedConcat(pending, pendingBytes, 1);
  if (last[pendingBytes - 1] === NEWLINE) {
    yield last.subarray(0, pendingBytes);
  } else {
    last[pendingBytes] = NEWLINE;
    yield last;
  }
}

// Offset of the last newline across the chunks (counted from the first), or -1.
function lastNewline(chunks: Buffer[]): number {
  let offset = chunks.reduce((sum, c) => sum + c.length, 0);
  for (let k = chunks.length - 1; k >= 0; k--) {
    offset -= chunks[k].length;
    const at = chunks[k].lastIndexOf(NEWLINE);
    if (at >= 0) return offset + at;
  }
  return -1;
}

// Never from Node's shared small-buffer pool: the result may be transferred (detached) to a worker.
function ownedConcat(chunks: Buffer[], length: number, spare: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length + spare);
  let offset = 0;
  for (const chunk of chunks) {
    chunk.copy(out, offset);
    offset += chunk.length;
  }
  return out;
}
