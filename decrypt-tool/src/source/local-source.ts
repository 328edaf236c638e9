import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { DropError, describeError } from "../errors";
import type { DropFile, DropSource } from "./drop-source";

/**
 * Size of each read. Small on purpose: the read ahead waits in the stream's buffer while decryptDataFile
 * waits for gunzip, and a big one lives long enough to be promoted out of V8's young generation, to be
 * freed only by a mark-compact (see feedGunzip in decrypt/decrypt-file.ts). 64 KB reads die young; gunzip
 * still gets 1 MB writes.
 */
const READ_CHUNK_BYTES = 64 * 1024;

/** A drop (or a tenant folder of drops) in a local directory. Never writes to it. */
export class LocalDropSource implements DropSource {
  readonly location: string;
  private readonly root: string;

  constructor(location: string) {
    this.location = location;
    this.root = path.resolve(location);
  }

  async listFiles(): Promise<DropFile[]> {
    await this.assertDirectory();
    const files: DropFile[] = [];
    await this.walk("", files);
    return files.sort((a, b) => comparePaths(a.path, b.path));
  }

  async openRead(relativePath: string): Promise<Readable> {
    const file = this.resolveInside(relativePath);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new DropError("SOURCE_NOT_FOUND", `no file ${relativePath}`);
    return createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  }

  private async assertDirectory(): Promise<void> {
    const info = await stat(this.root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new DropError("SOURCE_NOT_FOUND", "no such folder");
      throw new DropError("SOURCE_UNREADABLE", `cannot read folder: ${describeError(error)}`, { cause: error });
    });
    if (!info.isDirectory()) throw new DropError("SOURCE_NOT_FOUND", "not a folder");
  }

  private async walk(relativeDir: string, into: DropFile[]): Promise<void> {
    const dir = path.join(this.root, relativeDir);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw new DropError("SOURCE_UNREADABLE", `cannot read folder ${relativeDir || "."}: ${describeError(error)}`, { cause: error });
    });
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(relative, into);
      else if (entry.isFile()) {
        const info = await stat(path.join(dir, entry.name));
        into.push({ path: relative, size: info.size, version: String(info.mtimeMs) });
      }
    }
  }

  private resolveInside(relativePath: string): string {
    const file = path.resolve(this.root, ...relativePath.split("/"));
    if (file !== this.root && !file.startsWith(this.root + path.sep)) {
      throw new DropError("SOURCE_NOT_FOUND", `path ${relativePath} is outside the drop`);
    }
    return file;
  }
}

/** Byte-wise (code unit) order, the same on every platform and for blob listings. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
