import { DropError } from "../errors";
import type { DropFile, DropSource } from "../source/drop-source";
import { type AesKey, decryptDataFile } from "./decrypt-file";
import { DEFAULT_BATCH_BYTES, lineBatches } from "./line-batches";
import type { BatchResult } from "./validate-batch";
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
  /** Parser worker threads; 0 parses on the calling thread. Default: one per spare core. */
  workers?: number;
  /** Bytes of whole lines per parse batch. */
  batchBytes?: number;
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
  const queue: { file: DropFile; bytes: Buffer; settled: Promise<Settled> }[] = [];
  const linesSeen = new Map<string, number>();
  const finish = async (): Promise<ValidatedBatch> => {
    const { file, bytes, settled } = queue.shift()!;
    const outcome = await settled;
    if (!outcome.ok) throw outcome.error;
    const before = linesSeen.get(file.path) ?? 0;
    if (outcome.result.error) {
      throw new DropError("JSON_INVALID", `${file.path} line ${before + outcome.result.error.line}: ${outcome.result.error.message}`);
    }
    linesSeen.set(file.path, before + outcome.result.lines);
    progress.rows += outcome.result.rows;
    progress.decryptedBytes += bytes.length;
    options.onProgress?.({ ...progress });
    return { file, bytes, result: outcome.result };
  };
  try {
    for (const file of files) {
      const chunks = decryptDataFile(source, file, aes, (n) => (progress.encryptedBytes += n));
      for await (const bytes of lineBatches(chunks, file.path, options.batchBytes ?? DEFAULT_BATCH_BYTES)) {
        queue.push({ file, bytes, settled: settle(validator.validate(bytes, collectStats)) });
        while (queue.length >= validator.parallelism) yield await finish();
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
  options: Omit<ReadDataOptions, "workers"> = {},
): AsyncGenerator<Record<string, unknown>> {
  const progress = newProgress(files);
  for (const file of files) {
    let line = 0;
    const chunks = decryptDataFile(source, file, aes, (n) => (progress.encryptedBytes += n));
    for await (const bytes of lineBatches(chunks, file.path, options.batchBytes ?? DEFAULT_BATCH_BYTES)) {
      const text = bytes.toString("utf8");
      let start = 0;
      while (start < text.length) {
        const end = text.indexOf("\n", start);
        line++;
        const row = parseRow(text.slice(start, end), file, line);
        start = end + 1;
        if (row === undefined) continue;
        progress.rows++;
        yield row;
      }
      progress.decryptedBytes += bytes.length;
      options.onProgress?.({ ...progress });
    }
  }
}

function parseRow(line: string, file: DropFile, lineNumber: number): Record<string, unknown> | undefined {
  if (line.trim() === "") return undefined;
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (error) {
    throw new DropError("JSON_INVALID", `${file.path} line ${lineNumber}: invalid JSON: ${(error as Error).message}`);
  }
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw new DropError("JSON_INVALID", `${file.path} line ${lineNumber}: not a JSON object`);
  }
  return row as Record<string, unknown>;
}

type Settled = { ok: true; result: BatchResult } | { ok: false; error: unknown };

// Settle eagerly so that a batch failing while an earlier one is awaited is never an unhandled rejection.
function settle(promise: Promise<BatchResult>): Promise<Settled> {
  return promise.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function newProgress(files: DropFile[]): ReadProgress {
  return { encryptedBytes: 0, totalEncryptedBytes: files.reduce((sum, f) => sum + f.size, 0), decryptedBytes: 0, rows: 0 };
}
