import { randomBytes, randomUUID } from "node:crypto";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DropError, describeError, libraryTerm } from "../errors";
import { isBlobLocation } from "../source/blob-location";
import { BlobDropWriter } from "./blob-writer";
import { MGDC_KEY_DETAILS_PATH, VIVA_METADATA_PATH } from "../metadata/read-metadata";
import { mgdcKeyDetailsJson, type SimulatedRun, vivaMetadataJson } from "./drop-metadata";
import type { DropWriter } from "./drop-writer";
import { partPath, partSizes, writeEncryptedPart } from "./encrypt-parts";
import { createFileKey, loadTenantPublicKey } from "./file-key";
import { LocalDropWriter } from "./local-writer";
import { type ResolvedSimulateOptions, type SimulateOptions, resolveSimulateOptions } from "./options";
import { assertInputFile, inputLines, scanRows } from "./scan-rows";

/** What {@link simulateDrop} wrote. */
export interface SimulatedDrop {
  /** The finished run folder: a local path or a storage URL. */
  location: string;
  runFolder: string;
  rows: number;
  /** Paths of the data files, relative to the run folder, in row order. */
  dataFiles: string[];
  /** Path of the metadata file written, relative to the run folder. */
  metadataPath: string;
  /** The metadata file's content. */
  metadata: Record<string, unknown>;
}

/**
 * Writes a data drop exactly as the service delivers one: rows from an NDJSON file, gzip'd and encrypted
 * with a fresh AES-256-CBC key whose Base64 text is wrapped with the tenant's RSA public key, plus
 * Metadata.json (or the Graph Data Connect key file). Streams the input twice (scan, then encrypt);
 * memory stays flat whatever its size. On any failure nothing of the drop is left behind.
 * @throws DropError USAGE for bad options or input rows, OUTPUT_FAILED when the drop cannot be written.
 */
export async function simulateDrop(options: SimulateOptions): Promise<SimulatedDrop> {
  const { signal, ...rest } = options;
  const resolved = resolveSimulateOptions(rest);
  const publicKey = loadTenantPublicKey(resolved.publicKeyPem);
  await assertInputFile(resolved.input);
  const submitted = new Date();
  const run: SimulatedRun = {
    copyActivityId: randomUUID(),
    extractionResultId: randomUUID(),
    applicationId: resolved.applicationId ?? randomUUID(),
    publicKeyVersion: resolved.publicKeyVersion ?? randomBytes(16).toString("hex"),
    submitted,
    completed: submitted,
  };
  const runFolder = resolved.runFolder ?? defaultRunFolder(submitted, run.copyActivityId);
  const writer = createWriter(resolved, runFolder);
  const scan = await scanRows(resolved.input, signal);
  const fileKey = createFileKey(publicKey, resolved.keyText, resolved.rsaPadding);

  signal?.throwIfAborted();
  await writer.prepare();
  const rows = inputLines(resolved.input);
  try {
    const sizes = partSizes(scan.rows, resolved.parts);
    const dataFiles = sizes.map((_, index) => partPath(index, resolved.parts));
    for (const [index, file] of dataFiles.entries()) {
      await writer.writeFile(file, (destination) => writeEncryptedPart(rows, sizes[index], fileKey, destination, signal));
    }
    if (!(await rows.next()).done) throw new DropError("USAGE", `${libraryTerm("input")} ${resolved.input} changed while the drop was being written (more rows than scanned)`);
    run.completed = new Date();
    const [metadataPath, metadata] =
      resolved.layout === "mgdc" ? [MGDC_KEY_DETAILS_PATH, mgdcKeyDetailsJson(run, fileKey)] : [VIVA_METADATA_PATH, vivaMetadataJson(resolved, scan, run, fileKey)];
    signal?.throwIfAborted();
    await writer.writeFile(metadataPath, (destination) => writeJson(metadata, destination));
    signal?.throwIfAborted();
    await writer.commit();
    return { location: writer.location, runFolder, rows: scan.rows, dataFiles, metadataPath, metadata };
  } catch (error) {
    await writer.abort();
    if (error instanceof DropError || signal?.aborted) throw error;
    throw new DropError("OUTPUT_FAILED", `cannot write the drop to ${writer.location}: ${describeError(error)}`, { cause: error });
  } finally {
    await rows.return(undefined);
  }
}

function createWriter(options: ResolvedSimulateOptions, runFolder: string): DropWriter {
  if (isBlobLocation(options.out)) {
    return new BlobDropWriter(options.out, runFolder, { connectionString: options.connectionString, credential: options.credential });
  }
  return new LocalDropWriter(options.out, runFolder);
}

// Sorts by time, like the service's run folders, and stays unique per run.
function defaultRunFolder(submitted: Date, copyActivityId: string): string {
  const stamp = submitted.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${copyActivityId.slice(0, 8)}`;
}

async function writeJson(value: unknown, destination: Writable): Promise<void> {
  await pipeline(Readable.from([Buffer.from(`${JSON.stringify(value, null, 2)}\n`)]), destination);
}
