// Issue 10 defects 1, 3 and 4: --output never writes into the drop (also through symbolic links), never
// replaces anything but a regular file, `-o -` is stdout, and a stdout that cannot be written is exit 6.
import { execFileSync, spawn } from "node:child_process";
import { lstatSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOutputFile } from "../src/cli/output-target";
import { rejectionOf } from "./support/collect";
import { hashFolder } from "./support/folder-hash";
import { assertBuilt, CLI_BIN, runCli } from "./support/run-cli";
import { makeKeyedTempDir, sampleRows, type TestDrop, type TestKeyPair, toNdjson, writeTestDrop } from "./support/test-drop";

let root: string;
let pemFile: string;
let drop: TestDrop;
const rows = sampleRows(8);

beforeAll(() => {
  assertBuilt();
  let keys: TestKeyPair;
  ({ root, keys, pemFile } = makeKeyedTempDir());
  drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const decrypt = (dropArg: string, output: string) => runCli(["decrypt", dropArg, "--private-key", pemFile, "--output", output]);
const lines = (stderr: string) => stderr.split("\n").filter((line) => line !== "");

function link(target: string, name: string): string {
  const file = path.join(root, `${name}-${Math.random().toString(16).slice(2)}`);
  symlinkSync(target, file);
  return file;
}

describe("--output into the drop through a symbolic link", () => {
  it.each([
    ["the drop is given through a link and --output names its real folder", () => ({ dropArg: link(drop.dir, "latest"), output: path.join(drop.dir, "rows.ndjson") })],
    ["--output goes through a link to the drop, onto an encrypted part", () => ({ dropArg: drop.dir, output: path.join(link(drop.dir, "run"), ...drop.partPaths[0].split("/")) })],
    ["--output's folder is a link into the drop", () => ({ dropArg: drop.dir, output: path.join(link(path.join(drop.dir, "data"), "out"), "rows.ndjson") })],
  ])("is refused when %s (exit 2, the drop unchanged)", async (_case, make) => {
    const { dropArg, output } = make();
    const before = hashFolder(drop.dir);
    const result = await decrypt(dropArg, output);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^viva-drop: ${dropArg}: --output ${output} is inside the drop \\(with links resolved, ${drop.dir}/\\S+ is inside ${drop.dir}\\); write decrypted rows elsewhere`))]);
    expect(hashFolder(drop.dir)).toBe(before);
  });

  it("still writes through a link to a folder outside the drop", async () => {
    const elsewhere = path.join(root, "elsewhere");
    mkdirSync(elsewhere);
    const output = path.join(link(elsewhere, "to-elsewhere"), "rows.ndjson");
    const result = await decrypt(drop.dir, output);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(elsewhere, "rows.ndjson"), "utf8")).toBe(toNdjson(rows));
  });
});

describe("--output onto something that is not a regular file", () => {
  it("refuses a symbolic link (exit 6), leaving the link and its target as they were", async () => {
    const target = path.join(root, "link-target.txt");
    writeFileSync(target, "keep me\n");
    const output = link(target, "rows-link");
    const result = await decrypt(drop.dir, output);
    expect(result.code).toBe(6);
    expect(lines(result.stderr)).toEqual([`viva-drop: ${drop.dir}: cannot write ${output}: it is a symbolic link; give the file itself or a new path (a link is never replaced)`]);
    expect(lstatSync(output).isSymbolicLink()).toBe(true);
    expect(readlinkSync(output)).toBe(target);
    expect(readFileSync(target, "utf8")).toBe("keep me\n");
  });

  it("refuses a named pipe (exit 6) and leaves it a pipe; -o - writes to stdout, which can be redirected into it", async () => {
    const fifo = path.join(root, "rows.fifo");
    execFileSync("mkfifo", [fifo]);
    const result = await decrypt(drop.dir, fifo);
    expect(result.code).toBe(6);
    expect(lines(result.stderr)).toEqual([
      `viva-drop: ${drop.dir}: cannot write ${fifo}: it is a named pipe (FIFO), not a regular file; to write into it, use --output - (stdout) and redirect`,
    ]);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(root).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it("refuses a device (exit 6), checked before anything is opened", async () => {
    // Called directly rather than through the CLI: an old build would replace /dev/null itself.
    const error = await rejectionOf(() => checkOutputFile("/dev/null", drop.dir));
    expect(error.code).toBe("OUTPUT_FAILED");
    expect(error.exitCode).toBe(6);
    expect(error.message).toBe("cannot write /dev/null: it is a device, not a regular file; to write into it, use --output - (stdout) and redirect");
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  it("-o - means stdout", async () => {
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "-o", "-"]);
    expect(result).toEqual({ code: 0, stdout: toNdjson(rows), stderr: "" });
    expect(readdirSync(process.cwd())).not.toContain("-");
  });
});

describe("stdout that cannot be written (> /dev/full)", () => {
  // stdout opened on /dev/full: every write fails with ENOSPC, as on a full disk.
  function runToFullDevice(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const full = openSync("/dev/full", "w");
    try {
      const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", full, "pipe"] });
      const stderr: Buffer[] = [];
      child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
      return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr: Buffer.concat(stderr).toString("utf8") })));
    } finally {
      closeSync(full);
    }
  }

  it.each([
    ["decrypt", () => ["decrypt", drop.dir, "--private-key", pemFile]],
    ["verify", () => ["verify", drop.dir, "--private-key", pemFile]],
    ["inspect", () => ["inspect", drop.dir]],
    ["list", () => ["list", path.dirname(drop.dir)]],
  ])("%s prints one line naming the cause and exits 6", async (_command, args) => {
    const result = await runToFullDevice(args());
    expect(result.code).toBe(6);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^viva-drop: .+: cannot write to stdout: ENOSPC: no space left on device/)]);
  });

  it("--help too", async () => {
    const result = await runToFullDevice(["--help"]);
    expect(result.code).toBe(6);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^viva-drop: cannot write to stdout: ENOSPC: no space left on device/)]);
  });
});
