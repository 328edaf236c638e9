import { DropError } from "../errors";

const NEWLINE = 0x0a;

/** Default size of a batch of whole lines handed to a worker thread. */
export const DEFAULT_BATCH_BYTES = 256 * 1024;
/** Longest line accepted; a drop row is a few KB, so anything near this is not NDJSON. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** How {@link lineBatches} cuts the stream. */
export interface LineBatchOptions {
  /** Bytes to gather before cutting an owned batch at its last line end. */
  minBytes?: number;
  /**
   * Every batch gets an ArrayBuffer of its own, so it can be transferred (detached) to a worker thread. This
   * costs a copy; without it, batches are views of the input chunks and only a line split across two chunks
   * is copied.
   */
  owned?: boolean;
}

/**
 * Regroups a byte stream into batches of whole lines, each ending with a newline (a final line without one
 * gets one). `label` names the file in errors. Unless `owned`, batches may be views of the chunks, so the
 * producer must not reuse a chunk's memory after handing it out (Node's zlib and fs streams never do).
 */
export function lineBatches(chunks: AsyncIterable<Buffer>, label: string, options: LineBatchOptions = {}): AsyncGenerator<Buffer> {
  return options.owned ? ownedBatches(chunks, label, options.minBytes ?? DEFAULT_BATCH_BYTES) : viewBatches(chunks, label);
}

async function* viewBatches(chunks: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  for await (const chunk of chunks) {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      carry.push(chunk);
      carryBytes += chunk.length;
      if (carryBytes > MAX_LINE_BYTES) throw lineTooLong(label);
      continue;
    }
    let start = 0;
    if (carryBytes > 0) {
      // The line split across chunks: its only bytes that are copied.
      start = chunk.indexOf(NEWLINE) + 1;
      carry.push(chunk.subarray(0, start));
      yield Buffer.concat(carry, carryBytes + start);
    }
    if (last + 1 > start) yield chunk.subarray(start, last + 1);
    carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    carryBytes = chunk.length - (last + 1);
  }
  if (carryBytes > 0) yield Buffer.concat([...carry, Buffer.from([NEWLINE])]);
}

async function* ownedBatches(chunks: AsyncIterable<Buffer>, label: string, minBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < minBytes) continue;
    const cut = lastNewline(pending) + 1;
    if (cut === 0) {
      if (pendingBytes > MAX_LINE_BYTES) throw lineTooLong(label);
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

function lineTooLong(label: string): DropError {
  return new DropError("JSON_INVALID", `${label}: a line longer than ${MAX_LINE_BYTES} bytes; not newline-delimited JSON`);
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
