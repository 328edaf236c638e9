/**
 * Files that exist only in memory and have no name while they hold data, for handing decrypted NDJSON to
 * DuckDB's reader: a file is created in a private (0700) folder on a RAM file system (tmpfs), unlinked at
 * once — before a single byte is written — and reached only through its descriptor, as /proc/self/fd/<n>
 * (DuckDB runs in this process). Its memory is freed when the descriptor is closed, and by the kernel if
 * the process dies, even by kill -9: no decrypted row is ever written to a disk or left behind.
 *
 * Only on Linux with a tmpfs at /dev/shm; elsewhere memoryFolder() is undefined and the sink loads rows
 * the other way. The private folder holds no file longer than the instant between create and unlink; one
 * left by a killed process (its name carries the pid) is removed by the next ingest.
 */
import { closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync, statfsSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

const ROOT = "/dev/shm";
const PREFIX = "viva-drop-ingest-";
/** A folder's name: the prefix, the pid of the process that made it, then mkdtemp's suffix. */
const FOLDER_NAME = new RegExp(`^${PREFIX}(\\d+)-`);
/** statfs f_type of tmpfs and ramfs: file systems whose files live in memory only. */
const MEMORY_FILE_SYSTEMS = new Set([0x01021994, 0x858458f6]);

/** A private folder on a memory file system, removed by close(). */
export class MemoryFolder {
  private count = 0;

  private constructor(readonly dir: string) {}

  /** A new folder, or undefined where this platform has none (see the module comment). */
  static create(root = ROOT): MemoryFolder | undefined {
    if (process.platform !== "linux") return undefined;
    try {
      if (!MEMORY_FILE_SYSTEMS.has(Number(statfsSync(root).type)) || !statSync("/proc/self/fd").isDirectory()) return undefined;
      sweepStaleFolders(root);
      return new MemoryFolder(mkdtempSync(path.join(root, `${PREFIX}${process.pid}-`)));
    } catch {
      return undefined;
    }
  }

  /** A new empty file with no name; DuckDB reads it at `file.path`. */
  createFile(): MemoryFile {
    const name = path.join(this.dir, `chunk-${++this.count}`);
    const fd = openSync(name, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      unlinkSync(name);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new MemoryFile(fd);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An unlinked file in memory, written from the start; close() frees it. */
export class MemoryFile {
  bytes = 0;
  rows = 0;
  private closed = false;

  constructor(private readonly fd: number) {}

  /** Where this process can open the file by name (its descriptor's entry in /proc). */
  get path(): string {
    return `/proc/self/fd/${this.fd}`;
  }

  write(data: Buffer): void {
    for (let done = 0; done < data.length; ) done += writeSync(this.fd, data, done, data.length - done, this.bytes + done);
    this.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

// Folders of processes that no longer run (killed before they could remove theirs), owned by this user.
function sweepStaleFolders(root: string): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(root)) {
    const pid = FOLDER_NAME.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    const dir = path.join(root, name);
    try {
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
