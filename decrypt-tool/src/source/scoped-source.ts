import type { Readable } from "node:stream";
import type { DropFile, DropSource } from "./drop-source";

/** A view of one sub-folder of `parent` (e.g. one run folder of a tenant container), with its files known. */
export function scopeSource(parent: DropSource, folder: string, files: DropFile[]): DropSource {
  const prefix = `${folder}/`;
  return {
    location: joinLocation(parent.location, folder),
    listFiles: async (): Promise<DropFile[]> =>
      files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ ...f, path: f.path.slice(prefix.length) })),
    openRead: (path: string): Promise<Readable> => parent.openRead(prefix + path),
  };
}

function joinLocation(location: string, folder: string): string {
  const query = location.indexOf("?");
  if (query >= 0) return `${location.slice(0, query).replace(/\/+$/, "")}/${folder}${location.slice(query)}`;
  return `${location.replace(/[/\\]+$/, "")}/${folder}`;
}
