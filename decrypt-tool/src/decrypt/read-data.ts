import { isUtf8 } from "node:buffer";
import { DropError, isDropError } from "../errors";
import type { DropFile, DropSource } from "../source/drop-source";
import { type AesKey, decryptDataFile } from "./decrypt-file";
import { DEFAULT_BATCH_BYTES, lineBatches } from "./line-batches";
import { badLineMessage, findJsonObjectError, isBlankLine } from "./json-lines";
import { type BatchResult, invalidUtf8Line } from "./validate-batch";
import { createBatchValidator } from "./worker-pool";

/** Progress while reading a drop's data files. */
export interface ReadProgress {
  /** Encrypted bytes read so far. */
  encryptedBytes: number;
  /** Encrypted bytes in all data files. */
  totalEncryptedBytes: number;
  /** Decrypted, decompressed bytes so far. */
  decryptedBytes: number;
  /** Rows so far. */
  rows: number;
}

/** Tuning and reporting for reading data files. */
export interface ReadDataOptions {
  onProgress?: (progress: ReadProgress) => void;
  /** Parser worker threads; 0 validates on the calling thread. Default: {@link defaultWorkerCount}. */
  workers?: number;
  /** Bytes of whole lines per batch sent to a worker thread. */
  batchBytes?: number;
  /** Stops reading at once: files are closed, workers stopped, and the iteration fails with the signal's reason. */
  signal?: AbortSignal;
}

/** One validated batch of NDJSON lines. */
export interface ValidatedBatch {
  file: DropFile;
  bytes: Buffer;
  result: BatchResult;
}

/**
 * Decrypts every data file in order and validates its lines in parallel (worker threads), yielding the
 * batches in their original order. Throws JSON_INVALID naming file and line at the first bad line.
 */
export async function* validatedBatches(
  source: DropSource,
  files: DropFile[],
  aes: AesKey,
  collectStats: boolean,
  options: ReadDataOptions = {},
): AsyncGenerator<ValidatedBatch> {
  const progress = newProgress(files);
  const validator = createBatchValidator(options.workers);
  const queue: { file: DropFile; settled: Promise<Settled> }[] = [];
  const linesSeen = new Map<string, number>();
  const finish = async (): Promise<ValidatedBatch> => {
    const { file, settled } = queue.shift()!;
    const outcome = await settled;
    options.signal?.throwIfAborted();
    if (!outcome.ok) throw outcome.error;
    const before = linesSeen.get(file.path) ?? 0;
    if (outcome.result.error) {
      throw new DropError("JSON_INVALID", `${file.path} line ${before + outcome.result.error.line}: ${outcome.result.error.message}`);
    }
    linesSeen.set(file.path, before + outcome.result.lines);
    progress.rows += outcome.result.rows;
    progress.decryptedBytes += outcome.bytes.length;
    options.onProgress?.({ ...progress });
    return { file, bytes: outcome.bytes, result: outcome.result };
  };
  try {
    for (const file of files) {
      const chunks = decryptDataFile(source, file, aes, (n) => (progress.encryptedBytes += n), options.signal);
      const batches = lineBatches(chunks, file.path, { owned: validator.transfersBatches, minBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES });
      // Iterated by hand: a for-await would close `batches` on error before rootCause could drain it.
      try {
        for (let next = await batches.next(); !next.done; next = await batches.next()) {
          queue.push({ file, settled: settle(validator.validate(next.value, collectStats)) });
          while (queue.length >= validator.parallelism) yield await finish();
        }
      } catch (error) {
        throw await rootCause(error, batches);
      } finally {
        await batches.return(undefined);
      }
    }
    while (queue.length > 0) yield await finish();
  } finally {
    await validator.close();
  }
}

/**
 * Decrypts every data file in order and parses its rows on the calling thread.
 * Throws JSON_INVALID naming file and line at the first bad line.
 */
export async function* parsedRows(
  source: DropSource,
  files: DropFile[],
  aes: AesKey,
  options: Pick<ReadDataOptions, "onProgress" | "signal"> = {},
): AsyncGenerator<Record<string, unknown>> {
  const progress = newProgress(files);
  for (const file of files) {
    let line = 0;
    const chunks = decryptDataFile(source, file, aes, (n) => (progress.encryptedBytes += n), options.signal);
    const batches = lineBatches(chunks, file.path);
    try {
      for (let next = await batches.next(); !next.done; next = await batches.next()) {
        const bytes = next.value;
        if (!isUtf8(bytes)) throw new DropError("JSON_INVALID", `${file.path} line ${line + invalidUtf8Line(bytes)}: not valid UTF-8`);
        let start = 0;
        while (start < bytes.length) {
          const end = bytes.indexOf(NEWLINE, start);
          line++;
          // One string per line, not per chunk: a chunk-sized string would sit in V8's large-object space.
          const row = parseRow(bytes, start, end, file, line);
          start = end + 1;
          if (row === undefined) continue;
          options.signal?.throwIfAborted();
          progress.rows++;
          yield row;
        }
        progress.decryptedBytes += bytes.length;
        options.onProgress?.({ ...progress });
      }
    } catch (error) {
      throw await rootCause(error, batches);
    } finally {
      await batches.return(undefined);
    }
  }
}

// The same rules as validateBatch (json-lines.ts): blank is JSON whitespace only; JSON.parse has no depth limit.
function parseRow(bytes: Buffer, start: number, end: number, file: DropFile, lineNumber: number): Record<string, unknown> | undefined {
  if (isBlankLine(bytes, start, end)) return undefined;
  let row: unknown;
  try {
    row = JSON.parse(bytes.toString("utf8", start, end));
  } catch {
    throw new DropError("JSON_INVALID", `${file.path} line ${lineNumber}: ${describeBadLine(bytes, start, end)}`);
  }
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw new DropError("JSON_INVALID", `${file.path} line ${lineNumber}: not a JSON object`);
  }
  return row as Record<string, unknown>;
}

/**
 * Bad JSON is usually a symptom: tampering garbles the inflated text before gzip reaches its checksum at the
 * end of the file. So on JSON_INVALID, read the rest of that file; if decryption or gzip then fails, that is
 * the error to report.
 */
async function rootCause(error: unknown, rest: AsyncGenerator<Buffer>): Promise<unknown> {
  if (!isDropError(error, "JSON_INVALID")) return error;
  try {
    for await (const _ of rest) {
      // Discard: only the stream's own verdict matters now.
    }
  } catch (streamError) {
    if (streamError instanceof DropError) return streamError;
  }
  return error;
}

const NEWLINE = 0x0a;

// Only for a line JSON.parse rejected, so the validator finds the error.
function describeBadLine(bytes: Buffer, start: number, end: number): string {
  const error = findJsonObjectError(bytes, start, end);
  return error === undefined ? "invalid JSON" : badLineMessage(bytes, start, end, error);
}

type Settled = { ok: true; result: BatchResult; bytes: Buffer } | { ok: false; error: unknown };

// Settle eagerly so that a batch failing while an earlier one is awaited is never an unhandled rejection.
function settle(promise: Promise<{ result: BatchResult; bytes: Buffer }>): Promise<Settled> {
  return promise.then(
    ({ result, bytes }) => ({ ok: true, result, bytes }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function newProgress(files: DropFile[]): ReadProgress {
  return { encryptedBytes: 0, totalEncryptedBytes: files.reduce((sum, f) => sum + f.size, 0), decryptedBytes: 0, rows: 0 };
}
