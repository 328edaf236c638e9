import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** A digest of every file's path, bytes, mode and modification time under `dir`. */
export function hashFolder(dir: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(relative, entry.name);
      const full = path.join(dir, child);
      const info = statSync(full);
      hash.update(`${child}\0${info.mode}\0${info.mtimeMs}\0`);
      if (entry.isDirectory()) walk(child);
      else hash.update(readFileSync(full));
    }
  };
  walk("");
  return hash.digest("hex");
}
