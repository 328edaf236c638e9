// What a drop holds, read without a key: no decryption code is loaded for it (`viva-drop inspect`, `list`).
import type { DropMetadata } from "./metadata/drop-metadata";
import { isMetadataFile, readDropMetadata } from "./metadata/read-metadata";
import type { DropFile, DropSource } from "./source/drop-source";
import { resolveSource, type SourceOptions } from "./source/index";

/** A drop's metadata and files, read without a key. */
export interface DropSummary {
  location: string;
  metadata: DropMetadata;
  dataFiles: DropFile[];
  /** Total size of the data files. */
  encryptedBytes: number;
}

/** A drop's metadata and files, read without a key. */
export interface DropSummary {
  location: string;
  metadata: DropMetadata;
  dataFiles: DropFile[];
  /** Total size of the data files. */
  encryptedBytes: number;
}

/** Reads and validates a drop's metadata; needs no key. A failed run is reported in `metadata.errors`, not thrown. */
export async function inspectDrop(source: string | DropSource, sourceOptions: SourceOptions = {}): Promise<DropSummary> {
  const dropSource = resolveSource(source, sourceOptions);
  const files = await dropSource.listFiles();
  const metadata = await readDropMetadata(dropSource, files);
  const dataFiles = selectDataFiles(files);
  return { location: dropSource.location, metadata, dataFiles, encryptedBytes: sumSizes(dataFiles) };
}

/** The data files of a listing: every file outside metadata/ (any depth), hidden files excepted, in path order. */
export function selectDataFiles(files: DropFile[]): DropFile[] {
  return files.filter((f) => !isMetadataFile(f.path) && !f.path.split("/").some((part) => part.startsWith(".")));
}

/** Total size of `files`. */
export function sumSizes(files: DropFile[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

