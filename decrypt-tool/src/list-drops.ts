import { type Abortable, selectDataFiles } from "./inspect-drop";
import { DropError, describeError } from "./errors";
import { MGDC_KEY_DETAILS_PATH, VIVA_METADATA_PATH, readDropMetadata } from "./metadata/read-metadata";
import type { DropFile, DropSource } from "./source/drop-source";
import { resolveSource, scopeSource, type SourceOptions } from "./source/index";

/** One drop found in a tenant container. */
export interface DropListing {
  /** Run folder name, relative to the listed location. */
  runFolder: string;
  tableName?: string;
  requestStartDate?: string;
  requestEndDate?: string;
  /** JobCompletionTime (Viva layout only): when the run delivered the drop. */
  jobCompletionTime?: string;
  /** NumberOfRowsExtracted. */
  rowsClaimed?: number;
  /** The service's error text for a failed run. */
  errors?: string;
  /** Total size of the drop's files. */
  sizeBytes: number;
  /** Number of data files (files outside metadata/). */
  dataFiles: number;
  /** Set when the drop's metadata could not be read or validated. */
  problem?: string;
}

/** Options for {@link listDrops}. */
export interface ListDropsOptions extends SourceOptions, Abortable {}

/**
 * The drops in a tenant container or folder: every sub-folder (any depth) holding a drop's metadata,
 * sorted by run folder; a single drop given as the location is listed as run folder ".". A drop with
 * unreadable metadata is listed with `problem` set instead of failing the list.
 */
export async function listDrops(location: string | DropSource, options: ListDropsOptions = {}): Promise<DropListing[]> {
  const { signal } = options;
  const source = resolveSource(location, options);
  const files = await source.listFiles({ signal });
  const folders = findRunFolders(files);
  const listings: DropListing[] = new Array(folders.length);
  // A few metadata reads at a time: a busy tenant container holds many weekly drops.
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < folders.length) {
      signal?.throwIfAborted();
      const index = next++;
      const folder = folders[index];
      // "" is the location itself: a single drop given to list.
      listings[index] = folder === "" ? await describeDrop(source, ".") : await describeDrop(scopeSource(source, folder, files), folder);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, folders.length) }, readNext));
  return listings;
}

const LIST_CONCURRENCY = 8;

async function describeDrop(drop: DropSource, runFolder: string): Promise<DropListing> {
  const dropFiles = await drop.listFiles();
  const sizeBytes = dropFiles.reduce((sum, f) => sum + f.size, 0);
  const dataFiles = selectDataFiles(dropFiles).length;
  try {
    const metadata = await readDropMetadata(drop, dropFiles);
    return {
      runFolder,
      tableName: metadata.tableName,
      requestStartDate: metadata.requestStartDate,
      requestEndDate: metadata.requestEndDate,
      jobCompletionTime: metadata.jobCompletionTime,
      rowsClaimed: metadata.rowsClaimed,
      errors: metadata.errors,
      sizeBytes,
      dataFiles,
    };
  } catch (error) {
    if (!(error instanceof DropError)) throw error;
    return { runFolder, sizeBytes, dataFiles, problem: describeError(error) };
  }
}

const METADATA_MARKERS = [VIVA_METADATA_PATH, MGDC_KEY_DETAILS_PATH];

/** The folders of a listing that directly contain a drop's metadata/, sorted; "" is the listed location itself (a single drop). */
export function findRunFolders(files: DropFile[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    for (const marker of METADATA_MARKERS) {
      if (file.path === marker) folders.add("");
      else if (file.path.endsWith(`/${marker}`)) folders.add(file.path.slice(0, -marker.length - 1));
    }
  }
  return [...folders].sort();
}
