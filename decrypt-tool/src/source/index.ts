import { isBlobLocation, type BlobAuthOptions } from "./blob-location";
import { BlobDropSource } from "./blob-source";
import type { DropSource } from "./drop-source";
import { LocalDropSource } from "./local-source";

export * from "./blob-location";
export { BlobDropSource } from "./blob-source";
export type { DropFile, DropSource } from "./drop-source";
export { LocalDropSource, comparePaths } from "./local-source";
export { scopeSource } from "./scoped-source";

/** Options for reaching a drop's storage. */
export type SourceOptions = BlobAuthOptions;

/** A {@link DropSource} for a local folder path or a storage URL (`https://`, `http://` emulator, `abfss://`). */
export function resolveSource(location: string | DropSource, options: SourceOptions = {}): DropSource {
  if (typeof location !== "string") return location;
  return isBlobLocation(location) ? new BlobDropSource(location, options) : new LocalDropSource(location);
}
