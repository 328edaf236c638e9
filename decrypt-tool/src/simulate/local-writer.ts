import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { DropError, describeError, libraryTerm } from "../errors";
import type { DropWriter } from "./drop-writer";

/** Writes a run folder under a local folder: into a hidden temp folder first, renamed into place on commit. */
export class LocalDropWriter implements DropWriter {
  readonly location: string;
  private readonly outDir: string;
  private tempDir?: string;
  private createdOutDir?: string;

  constructor(outDir: string, runFolder: string) {
    this.outDir = path.resolve(outDir);
    this.location = path.join(this.outDir, runFolder);
  }

  async prepare(): Promise<void> {
    const outInfo = await stat(this.outDir).catch(() => undefined);
    if (outInfo && !outInfo.isDirectory()) throw new DropError("OUTPUT_FAILED", `${libraryTerm("out")} ${this.outDir}: not a folder`);
    if (await stat(this.location).catch(() => undefined)) throw new DropError("OUTPUT_FAILED", `${this.location} already exists`);
    try {
      this.createdOutDir = await mkdir(this.outDir, { recursive: true });
      this.tempDir = await mkdtemp(path.join(this.outDir, `.${path.basename(this.location)}.partial-`));
    } catch (error) {
      await this.abort();
      throw new DropError("OUTPUT_FAILED", `${libraryTerm("out")} ${this.outDir}: cannot create a folder: ${describeError(error)}`, { cause: error });
    }
  }

  async writeFile(relativePath: string, write: (destination: Writable) => Promise<void>): Promise<void> {
    const file = path.join(this.requireTempDir(), ...relativePath.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await write(createWriteStream(file, { flags: "wx" }));
  }

  async commit(): Promise<void> {
    try {
      await rename(this.requireTempDir(), this.location);
    } catch (error) {
      throw new DropError("OUTPUT_FAILED", `cannot move the drop into ${this.location}: ${describeError(error)}`, { cause: error });
    }
    this.tempDir = undefined;
  }

  async abort(): Promise<void> {
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true }).catch(() => undefined);
    this.tempDir = undefined;
    if (this.createdOutDir) await removeEmptyFolders(this.outDir, this.createdOutDir);
  }

  private requireTempDir(): string {
    if (!this.tempDir) throw new Error("LocalDropWriter used before prepare()");
    return this.tempDir;
  }
}

// Removes `from` and its parents up to `top` (folders this writer created), as long as they are empty.
async function removeEmptyFolders(from: string, top: string): Promise<void> {
  for (let dir = from; dir.startsWith(top); dir = path.dirname(dir)) {
    if (!(await rmdir(dir).then(() => true, () => false))) return;
    if (dir === top) return;
  }
}
