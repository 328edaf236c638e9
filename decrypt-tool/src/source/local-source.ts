import { createReadStream, type Dirent, type Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { DropError, describeError } from "../errors";
import type { DropFile, DropSource, SourceReadOptions } from "./drop-source";

/**
 * Size of each read. Small on purpose: the read ahead waits in the stream's buffer while decryptDataFile
 * waits for gunzip, and a big one lives long enough to be promoted out of V8's young generation, to be
 * freed only by a mark-compact (see feedGunzip in decrypt/decrypt-file.ts). 64 KB reads die young; gunzip
 * still gets 1 MB writes.
 */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A drop (or a tenant folder of drops) in a local directory. Never writes to it.
 *
 * Symbolic links: the root may be one. Below it, a link is followed when it resolves inside the root (to a
 * file, listed under the link's own path, or to a folder); a link that points outside the root, dangles, loops,
 * or names something other than a file or folder fails the listing naming the link, as does a FIFO, socket or
 * device: nothing is skipped in silence. Hidden entries (a name starting with "."), which are never data, are
 * listed when they are files and otherwise passed over.
 */
export class LocalDropSource implements DropSource {
  readonly location: string;
  private readonly root: string;

  constructor(location: string) {
    this.location = location;
    this.root = path.resolve(location);
  }

  async listFiles(options: SourceReadOptions = {}): Promise<DropFile[]> {
    await this.assertDirectory();
    const realRoot = await realpath(this.root);
    const files: DropFile[] = [];
    await this.walk({ relativeDir: "", realDir: realRoot, realRoot, ancestors: [realRoot], hidden: false, into: files, signal: options.signal });
    return files.sort((a, b) => comparePaths(a.path, b.path));
  }

  async openRead(relativePath: string, options: SourceReadOptions = {}): Promise<Readable> {
    options.signal?.throwIfAborted();
    const file = this.resolveInside(relativePath);
    const real = await realpath(file).catch(() => undefined);
    if (real === undefined) throw new DropError("SOURCE_NOT_FOUND", `no file ${relativePath}`);
    if (!isInside(await realpath(this.root), real)) throw linkOutside(relativePath, real);
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) throw new DropError("SOURCE_NOT_FOUND", `no file ${relativePath}`);
    return createReadStream(real, { highWaterMark: READ_CHUNK_BYTES, signal: options.signal });
  }

  private async assertDirectory(): Promise<void> {
    const info = await stat(this.root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new DropError("SOURCE_NOT_FOUND", "no such folder");
      throw new DropError("SOURCE_UNREADABLE", `cannot read folder: ${describeError(error)}`, { cause: error });
    });
    if (!info.isDirectory()) throw new DropError("SOURCE_NOT_FOUND", "not a folder");
  }

  private async walk(at: WalkState): Promise<void> {
    at.signal?.throwIfAborted();
    const dir = path.join(this.root, at.relativeDir);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw new DropError("SOURCE_UNREADABLE", `cannot read folder ${at.relativeDir || "."}: ${describeError(error)}`, { cause: error });
    });
    for (const entry of entries) {
      const relative = at.relativeDir === "" ? entry.name : `${at.relativeDir}/${entry.name}`;
      const hidden = at.hidden || entry.name.startsWith(".");
      if (entry.isDirectory()) {
        const realDir = path.join(at.realDir, entry.name);
        await this.walk({ ...at, relativeDir: relative, realDir, ancestors: [...at.ancestors, realDir], hidden });
      } else if (entry.isFile()) {
        at.into.push(fileEntry(relative, await stat(path.join(dir, entry.name))));
      } else if (!hidden) {
        await this.follow(entry, relative, path.join(dir, entry.name), at);
      }
    }
  }

  // A symbolic link, or something that is neither file nor folder.
  private async follow(entry: Dirent, relative: string, full: string, at: WalkState): Promise<void> {
    if (!entry.isSymbolicLink()) throw new DropError("SOURCE_UNREADABLE", `${relative} is ${describeSpecial(entry)}, not a file; a drop holds only files`);
    const target = await realpath(full).catch((error: NodeJS.ErrnoException) => {
      const why = error.code === "ELOOP" ? "a loop of links" : error.code === "ENOENT" ? "a missing file (the link dangles)" : describeError(error);
      throw new DropError("SOURCE_UNREADABLE", `${relative} is a symbolic link to ${why}`, { cause: error });
    });
    if (!isInside(at.realRoot, target)) throw linkOutside(relative, target);
    const info = await stat(target);
    if (info.isFile()) {
      at.into.push(fileEntry(relative, info));
    } else if (info.isDirectory()) {
      if (at.ancestors.includes(target)) throw new DropError("SOURCE_UNREADABLE", `${relative} is a symbolic link to a folder it is in (${target}): a loop`);
      await this.walk({ ...at, relativeDir: relative, realDir: target, ancestors: [...at.ancestors, target] });
    } else {
      throw new DropError("SOURCE_UNREADABLE", `${relative} is a symbolic link to ${target}, which is not a file or folder`);
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

interface WalkState {
  relativeDir: string;
  /** The folder's path with every link resolved. */
  realDir: string;
  realRoot: string;
  /** Real paths of the folders from the root down to this one, to stop a link loop. */
  ancestors: string[];
  /** Inside a hidden folder: never data, so links and special files there are passed over. */
  hidden: boolean;
  into: DropFile[];
  signal?: AbortSignal;
}

// The same file reached twice (a link and its target, or two hard links) has the same identity.
function fileEntry(relative: string, info: Stats): DropFile {
  return { path: relative, size: info.size, version: String(info.mtimeMs), identity: `${info.dev}:${info.ino}` };
}

function isInside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function linkOutside(relative: string, target: string): DropError {
  return new DropError(
    "SOURCE_UNREADABLE",
    `${relative} is a symbolic link to ${target}, outside the drop; only the drop's own files are read (copy the file into the drop, or link the whole drop folder instead)`,
  );
}

function describeSpecial(entry: Dirent): string {
  if (entry.isFIFO()) return "a named pipe (FIFO)";
  if (entry.isSocket()) return "a socket";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "a device";
  return "of an unknown type";
}

/** Byte-wise (code unit) order, the same on every platform and for blob listings. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
