import { DropError, describeError } from "./errors";
import { readDropMetadata } from "./metadata/read-metadata";
import type { DropFile, DropSource } from "./source/drop-source";
import { resolveSource, scopeSource, type SourceOptions } from "./source/index";

/** One drop found in a tenant container. */
export interface DropListing {
  /** Run folder name, relative to the listed location. */
  runFolder: string;
  tableName?: string;
  requestStartDate?: string;
  requestEndDate?: string;
  /** NumberOfRowsExtracted. */
  rowsClaimed?: number;
  /** The service's error text for a failed run. */
  errors?: string;
  /** Total size of the drop's files. */
  sizeBytes: number;
  /** Set when the drop's metadata could not be read or validated. */
  problem?: string;
}

/**
 * The drops in a tenant container or folder: every sub-folder (any depth) holding a drop's metadata,
 * sorted by run folder. A drop with unreadable metadata is listed with `problem` set instead of failing the list.
 */
export async function listDrops(location: string | DropSource, sourceOptions: SourceOptions = {}): Promise<DropListing[]> {
  const source = resolveSource(location, sourceOptions);
  const files = await source.listFiles();
  const folders = runFolders(files);
  const listings: DropListing[] = [];
  for (const folder of folders) {
    const drop = scopeSource(source, folder, files);
    const dropFiles = await drop.listFiles();
    const sizeBytes = dropFiles.reduce((sum, f) => sum + f.size, 0);
    try {
      const metadata = await readDropMetadata(drop, dropFiles);
      listings.push({
        runFolder: folder,
        tableName: metadata.tableName,
        requestStartDate: metadata.requestStartDate,
        requestEndDate: metadata.requestEndDate,
        rowsClaimed: metadata.rowsClaimed,
        errors: metadata.errors,
        sizeBytes,
      });
    } catch (error) {
      if (!(error instanceof DropError)) throw error;
      listings.push({ runFolder: folder, sizeBytes, problem: describeError(error) });
    }
  }
  return listings;
}

const METADATA_MARKER = /^(.*?)\/?metadata\/(JobMetadata\/Metadata\.json|MoreMetadata\/EncryptedDatasets\/encryptionKeyDetails\.json)$/;

// Folders that directly contain metadata/… ; "" would be the location itself (a single drop).
function runFolders(files: DropFile[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const match = METADATA_MARKER.exec(file.path);
    if (match && match[1] !== "") folders.add(match[1]);
  }
  return [...folders].sort();
}
