import path from "node:path";
import { Readable } from "node:stream";
import { DropError } from "./errors";
import { GUID_PATTERN } from "./guid";
import { type ReadDataOptions, type ReadProgress, parsedRows, validatedBatches } from "./decrypt/read-data";
import { DistinctIds } from "./decrypt/distinct-ids";
import { dropBlankLines } from "./decrypt/validate-batch";
import type { KeyOptions, RsaPadding } from "./key/key-options";
import type { KeyEncoding } from "./key/key-text";
import { type FileKey, unwrapFileKey } from "./key/unwrap-file-key";
import type { DropMetadata } from "./metadata/drop-metadata";
import { assertRunSucceeded } from "./metadata/read-metadata";
import { type Abortable, readDrop, selectDataFiles, sumSizes } from "./inspect-drop";
import { isBlobLocation, parseBlobLocation } from "./source/blob-location";
import type { DropFile, DropSource } from "./source/drop-source";
import type { SourceOptions } from "./source/index";

export { type Abortable, type DropSummary, type InspectOptions, inspectDrop, selectDataFiles } from "./inspect-drop";

/** A drop whose file key is unwrapped, ready to read. */
export interface OpenedDrop {
  location: string;
  metadata: DropMetadata;
  /** Encrypted data files, in the order they are read. */
  dataFiles: DropFile[];
  /** How the unwrapped file key was written. */
  keyEncoding: KeyEncoding;
  /** The RSA padding that unwrapped it. */
  rsaPadding: Exclude<RsaPadding, "auto">;
  /**
   * Every row of every data file, parsed, in order. Ends with ROW_COUNT_MISMATCH if the count differs
   * from NumberOfRowsExtracted. `signal` stops the reading at once (see {@link Abortable}).
   */
  rows(options?: RowsOptions): AsyncIterable<Record<string, unknown>>;
  /**
   * The rows as NDJSON bytes (one object per line, blank lines dropped), validated byte by byte (in worker
   * threads with `workers`) and passed through without re-serializing. Errors like {@link rows}; on `signal`
   * the stream is destroyed with the signal's reason.
   */
  ndjson(options?: ReadDataOptions): Readable;
  /**
   * The NDJSON of {@link ndjson} in its validated batches (whole lines, blank lines dropped), each with its
   * row count and the exact top-level keys of its rows, as `verify` collects them. Ends with
   * ROW_COUNT_MISMATCH like {@link rows}. For a consumer that hands the bytes to a parser of its own.
   */
  ndjsonBatches(options?: ReadDataOptions): AsyncIterable<NdjsonBatch>;
}

/** One validated batch of {@link OpenedDrop.ndjsonBatches}. */
export interface NdjsonBatch {
  bytes: Buffer;
  rows: number;
  /** The keys of the batch's rows, in first-seen order. */
  columns: string[];
}

/** Options for {@link OpenedDrop.rows}. */
export type RowsOptions = Pick<ReadDataOptions, "onProgress" | "signal">;

/** Options for {@link openDrop}. Its `signal` covers opening (listing, metadata, key unwrap); give `rows()` its own. */
export interface OpenDropOptions extends SourceOptions, Abortable {}

/**
 * Opens a drop: lists its files, validates its metadata, rejects failed runs (RUN_FAILED) and drops without
 * data (DATA_MISSING), and unwraps the file key. No data is read until `rows()` or `ndjson()`.
 */
export async function openDrop(source: string | DropSource, keyOptions: KeyOptions, options: OpenDropOptions = {}): Promise<OpenedDrop> {
  const { dropSource, metadata, dataFiles, fileKey } = await prepareDrop(source, keyOptions, options);
  return {
    location: dropSource.location,
    metadata,
    dataFiles,
    keyEncoding: fileKey.keyEncoding,
    rsaPadding: fileKey.rsaPadding,
    rows: (readOptions) => countedRows(dropSource, dataFiles, fileKey, metadata, readOptions),
    ndjson: (readOptions) => Readable.from(ndjsonBytes(dropSource, dataFiles, fileKey, metadata, readOptions), { objectMode: false }),
    ndjsonBatches: (readOptions) => ndjsonBatches(dropSource, dataFiles, fileKey, metadata, readOptions),
  };
}

interface PreparedDrop {
  dropSource: DropSource;
  metadata: DropMetadata;
  dataFiles: DropFile[];
  fileKey: FileKey;
}

async function prepareDrop(source: string | DropSource, keyOptions: KeyOptions, options: OpenDropOptions): Promise<PreparedDrop> {
  const { signal } = options;
  const { dropSource, files, metadata } = await readDrop(source, options);
  assertRunSucceeded(metadata);
  const dataFiles = selectDataFiles(files);
  if (dataFiles.length === 0 && metadata.rowsClaimed !== 0) {
    throw new DropError("DATA_MISSING", `no data file outside metadata/${metadata.rowsClaimed ? ` (metadata claims ${metadata.rowsClaimed} rows)` : ""}`);
  }
  const fileKey = await unwrapFileKey(metadata, keyOptions, tenantFromLocation(dropSource.location), signal);
  signal?.throwIfAborted();
  return { dropSource, metadata, dataFiles, fileKey };
}

/** Throws ROW_COUNT_MISMATCH unless `rows` equals the metadata's NumberOfRowsExtracted (when it has one). */
export function assertRowCount(metadata: DropMetadata, rows: number): void {
  if (metadata.rowsClaimed !== undefined && metadata.rowsClaimed !== rows) {
    throw new DropError("ROW_COUNT_MISMATCH", `the data has ${rows} rows but NumberOfRowsExtracted is ${metadata.rowsClaimed}`);
  }
}

async function* countedRows(
  source: DropSource,
  files: DropFile[],
  fileKey: FileKey,
  metadata: DropMetadata,
  options?: RowsOptions,
): AsyncGenerator<Record<string, unknown>> {
  let rows = 0;
  for await (const row of parsedRows(source, files, fileKey, options)) {
    rows++;
    yield row;
  }
  assertRowCount(metadata, rows);
}

async function* ndjsonBytes(
  source: DropSource,
  files: DropFile[],
  fileKey: FileKey,
  metadata: DropMetadata,
  options?: ReadDataOptions,
): AsyncGenerator<Buffer> {
  let rows = 0;
  for await (const batch of validatedBatches(source, files, fileKey, false, options)) {
    rows += batch.result.rows;
    yield batch.result.blankLines > 0 ? dropBlankLines(batch.bytes) : batch.bytes;
  }
  assertRowCount(metadata, rows);
}

async function* ndjsonBatches(source: DropSource, files: DropFile[], fileKey: FileKey, metadata: DropMetadata, options?: ReadDataOptions): AsyncGenerator<NdjsonBatch> {
  let rows = 0;
  for await (const batch of validatedBatches(source, files, fileKey, true, options)) {
    rows += batch.result.rows;
    yield { bytes: batch.result.blankLines > 0 ? dropBlankLines(batch.bytes) : batch.bytes, rows: batch.result.rows, columns: batch.result.stats!.columns };
  }
  assertRowCount(metadata, rows);
}

/** What `verify` found. */
export interface VerifyResult {
  location: string;
  rows: number;
  /** NumberOfRowsExtracted, when the metadata has it (then equal to `rows`). */
  rowsClaimed?: number;
  /** Distinct PersonId values. */
  people: number;
  metricDateRange?: { min: string; max: string };
  /** Column names found in the data, in first-seen order. */
  columns: string[];
  encryptedBytes: number;
  decryptedBytes: number;
  dataFiles: number;
  keyEncoding: KeyEncoding;
  rsaPadding: Exclude<RsaPadding, "auto">;
  seconds: number;
}

/** Options for {@link verifyDrop}. */
export interface VerifyOptions extends SourceOptions, Abortable {
  onProgress?: (progress: ReadProgress) => void;
  /** Parser worker threads; 0 validates on the calling thread. Default: CPU cores − 2, at most 4. */
  workers?: number;
}

/**
 * Decrypts and checks a whole drop without emitting rows: padding, gzip checksums, every line a JSON object,
 * the row count against NumberOfRowsExtracted.
 */
export async function verifyDrop(source: string | DropSource, keyOptions: KeyOptions, options: VerifyOptions = {}): Promise<VerifyResult> {
  const started = process.hrtime.bigint();
  const drop = await prepareDrop(source, keyOptions, options);
  const people = new DistinctIds();
  const columns = new Set<string>();
  let rows = 0;
  let decryptedBytes = 0;
  let min: string | undefined;
  let max: string | undefined;
  for await (const batch of validatedBatches(drop.dropSource, drop.dataFiles, drop.fileKey, true, options)) {
    rows += batch.result.rows;
    decryptedBytes += batch.bytes.length;
    const stats = batch.result.stats!;
    for (const id of stats.personIds) people.add(id);
    for (const name of stats.columns) columns.add(name);
    if (stats.minMetricDate !== undefined && (min === undefined || stats.minMetricDate < min)) min = stats.minMetricDate;
    if (stats.maxMetricDate !== undefined && (max === undefined || stats.maxMetricDate > max)) max = stats.maxMetricDate;
  }
  assertRowCount(drop.metadata, rows);
  return {
    location: drop.dropSource.location,
    rows,
    rowsClaimed: drop.metadata.rowsClaimed,
    people: people.size,
    metricDateRange: min !== undefined && max !== undefined ? { min, max } : undefined,
    columns: [...columns],
    encryptedBytes: sumSizes(drop.dataFiles),
    decryptedBytes,
    dataFiles: drop.dataFiles.length,
    keyEncoding: drop.fileKey.keyEncoding,
    rsaPadding: drop.fileKey.rsaPadding,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

// The Graph Data Connect layout carries no TenantId; the container (or parent folder) is named by it.
function tenantFromLocation(location: string): string | undefined {
  if (isBlobLocation(location)) {
    const { containerName } = parseBlobLocation(location);
    return GUID_PATTERN.test(containerName) ? containerName : undefined;
  }
  const parent = path.basename(path.dirname(path.resolve(location)));
  return GUID_PATTERN.test(parent) ? parent : undefined;
}
