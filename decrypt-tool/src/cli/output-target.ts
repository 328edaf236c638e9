import type { Stats } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { DropError } from "../errors";
import { isBlobLocation } from "../source/blob-location";

/**
 * Checks an `--output` path before any key is unwrapped or byte decrypted, and returns the path to write:
 * the output's real folder (symbolic links resolved) joined with its name, so the file written is the one
 * checked. Refused: a path inside the local drop, lexically or once links are resolved (USAGE); anything that
 * exists and is not a regular file — a folder, a symbolic link, a FIFO, a device, a socket — or a path whose
 * folder does not exist (OUTPUT_FAILED).
 */
export async function checkOutputFile(output: string, drop: string): Promise<string> {
  if (output.trim() === "") throw new DropError("USAGE", "--output needs a file name");
  assertOutside(path.resolve(drop), path.resolve(output), output, drop, false);
  const existing = await lstat(output).catch(() => undefined);
  if (existing && !existing.isFile()) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: ${describeNonFile(existing)}`);
  const folder = path.dirname(path.resolve(output));
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: no folder ${folder}`);
  if (!parent.isDirectory()) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: ${folder} is not a folder`);
  const target = path.join(await realpath(folder), path.basename(path.resolve(output)));
  const realDrop = await realpath(drop).catch(() => undefined);
  if (realDrop) assertOutside(realDrop, target, output, drop, true);
  return target;
}

/** The tool never adds to or changes a drop, also not through a symbolic link to it or into it. */
function assertOutside(dropPath: string, outputPath: string, output: string, drop: string, resolved: boolean): void {
  if (isBlobLocation(drop)) return;
  const relative = path.relative(dropPath, outputPath);
  if (relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))) {
    const links = resolved ? ` (with links resolved, ${outputPath} is inside ${dropPath})` : "";
    throw new DropError("USAGE", `--output ${output} is inside the drop${links}; write decrypted rows elsewhere (the drop is never modified)`);
  }
}

function describeNonFile(info: Stats): string {
  if (info.isDirectory()) return "it is a folder; give a file name";
  if (info.isSymbolicLink()) return "it is a symbolic link; give the file itself or a new path (a link is never replaced)";
  if (info.isFIFO()) return "it is a named pipe (FIFO), not a regular file; to write into it, use --output - (stdout) and redirect";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "it is a device, not a regular file; to write into it, use --output - (stdout) and redirect";
  if (info.isSocket()) return "it is a socket, not a regular file";
  return "it is not a regular file";
}
