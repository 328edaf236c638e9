// Issue 10 defect 2: a terminating signal during `decrypt --output` must leave nothing behind — no .partial
// file with decrypted rows, no output file. Real signals, sent to a real viva-drop child process while
// decrypted rows sit in its temp file.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exitOf, spawnCli, STALL_OUTPUT, waitFor } from "./support/run-cli";
import { makeKeyedTempDir, sampleRows, type TestDrop, type TestKeyPair, writeTestDrop } from "./support/test-drop";

let root: string;
let pemFile: string;
let drop: TestDrop;

beforeAll(() => {
  assertBuilt();
  let keys: TestKeyPair;
  ({ root, keys, pemFile } = makeKeyedTempDir());
  // About 1 MB of rows: several writes, so the stalled temp file holds rows but not all of them.
  drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(6000) });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function outputFolder(): string {
  const folder = path.join(root, `out-${Math.random().toString(16).slice(2)}`);
  mkdirSync(folder);
  return folder;
}

const partials = (folder: string): string[] => readdirSync(folder).filter((name) => name.endsWith(".partial"));

describe("a terminating signal during decrypt --output", () => {
  // SIGHUP: the terminal closed; SIGINT: Ctrl-C; SIGQUIT: Ctrl-\; SIGTERM: a supervisor; SIGPIPE: the reader went away.
  it.each(["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGPIPE"] as const)("%s removes the temp file and ends the process by that signal", async (signal) => {
    const folder = outputFolder();
    const output = path.join(folder, "rows.ndjson");
    // cwd in the temp folder: a SIGQUIT core dump, where enabled, lands where it is cleaned up.
    const child = spawnCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", output], { NODE_OPTIONS: STALL_OUTPUT }, folder);
    const exited = exitOf(child);
    try {
      await waitFor(() => partials(folder).some((name) => statSync(path.join(folder, name)).size > 0), "decrypted rows in the temp file");
      child.kill(signal);
      const result = await Promise.race([exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 10_000))]);
      expect(result === "still running" ? result : result.signal).toBe(signal);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    expect(partials(folder)).toEqual([]);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(folder).filter((name) => name !== "core")).toEqual([]);
  });
});
