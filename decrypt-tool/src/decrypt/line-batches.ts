import { DropError } from "../errors";

const NEWLINE = 0x0a;
const LINE_FEED = Buffer.from("\n");

/** Default size of a batch of whole lines handed to a parser. */
export const DEFAULT_BATCH_BYTES = 512 * 1024;
/** Longest line accepted; a drop row is a few KB, so anything near this is not NDJSON. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Regroups a byte stream into batches of whole lines of at least `minBytes` (except the last),
 * each ending with a newline. A final line without newline gets one. `label` names the file in errors.
 */
export async function* lineBatches(chunks: AsyncIterable<Buffer>, label: string, minBytes = DEFAULT_BATCH_BYTES): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < minBytes) continue;
    const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    const cut = joined.lastIndexOf(NEWLINE) + 1;
    if (cut === 0) {
      if (pendingBytes > MAX_LINE_BYTES) throw new DropError("JSON_INVALID", `${label}: a line longer than ${MAX_LINE_BYTES} bytes; not newline-delimited JSON`);
      pending = [joined];
      continue;
    }
    yield joined.subarray(0, cut);
    const rest = joined.subarray(cut);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
  }
  if (pendingBytes === 0) return;
  const last = Buffer.concat(pending, pendingBytes);
  yield last[last.length - 1] === NEWLINE ? last : Buffer.concat([last, LINE_FEED]);
}
