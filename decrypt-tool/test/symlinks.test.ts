// Issue 10 defect 5: symbolic links in a local drop are followed when they stay inside the drop, and fail
// naming the link otherwise — never skipped. The Graph Data Connect layout has no row count, so a skipped
// data file there would be silent data loss.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectDrop, openDrop, verifyDrop } from "../src/index";
import { collectRows, rejectionOf } from "./support/collect";
import { assertBuilt, runCli } from "./support/run-cli";
import { makeKeyedTempDir, sampleRows, toNdjson, writeTestDrop, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;
let pemFile: string;
const first = sampleRows(3);
const second = sampleRows(4).map((row) => ({ ...row, part: 2 }));

beforeAll(() => {
  assertBuilt();
  ({ root, keys, pemFile } = makeKeyedTempDir());
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An MGDC-layout drop (no row count) with two data parts; `arrange` then rearranges its second part. */
function mgdcDrop(arrange: (dir: string, secondPart: string) => void): string {
  const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, layout: "mgdc", parts: [toNdjson(first), toNdjson(second)] });
  arrange(drop.dir, path.join(drop.dir, ...drop.partPaths[1].split("/")));
  return drop.dir;
}

const keyOptions = () => ({ privateKeyPem: keys.privateKeyPem });

describe("links that stay inside the drop are followed", () => {
  it("a data file that links to a file elsewhere in the drop (a hidden staging folder) is read under the link's name", async () => {
    const dir = mgdcDrop((drop, part) => {
      mkdirSync(path.join(drop, ".staging"));
      renameSync(part, path.join(drop, ".staging", "part"));
      symlinkSync("../.staging/part", part);
    });
    const opened = await openDrop(dir, keyOptions());
    expect(opened.dataFiles.map((f) => f.path)).toEqual(["data/part-00000.json.gz.enc", "data/part-00001.json.gz.enc"]);
    expect(await collectRows(opened.rows())).toEqual([...first, ...second]);
    expect((await verifyDrop(dir, keyOptions())).rows).toBe(first.length + second.length);
  });

  it("a folder link inside the drop is walked", async () => {
    const dir = mgdcDrop((drop, part) => {
      mkdirSync(path.join(drop, ".more"));
      renameSync(part, path.join(drop, ".more", "part-00001.json.gz.enc"));
      symlinkSync(".more", path.join(drop, "more"));
    });
    const opened = await openDrop(dir, keyOptions());
    expect(opened.dataFiles.map((f) => f.path)).toEqual(["data/part-00000.json.gz.enc", "more/part-00001.json.gz.enc"]);
    expect(await collectRows(opened.rows())).toEqual([...first, ...second]);
  });

  it("the drop folder itself may be a link (latest -> <run folder>)", async () => {
    const dir = mgdcDrop(() => undefined);
    const latest = path.join(path.dirname(dir), "latest");
    symlinkSync(dir, latest);
    expect((await verifyDrop(latest, keyOptions())).rows).toBe(first.length + second.length);
  });

  it("hidden links (an editor's lock file) are not data and are passed over", async () => {
    const dir = mgdcDrop((drop) => symlinkSync("nobody@host.1234", path.join(drop, "data", ".#part-00000.json.gz.enc")));
    expect((await verifyDrop(dir, keyOptions())).rows).toBe(first.length + second.length);
  });
});

describe("everything else fails, naming the link (exit 3)", () => {
  const cases: [string, (drop: string, part: string) => void, RegExp][] = [
    [
      "a data file linking outside the drop",
      (_drop, part) => {
        const outside = path.join(root, `outside-${Math.random().toString(16).slice(2)}.enc`);
        renameSync(part, outside);
        symlinkSync(outside, part);
      },
      /^data\/part-00001\.json\.gz\.enc is a symbolic link to \/.*outside-\w+\.enc, outside the drop; only the drop's own files are read/,
    ],
    ["a dangling link", (_drop, part) => (rmSync(part), symlinkSync("gone.enc", part)), /^data\/part-00001\.json\.gz\.enc is a symbolic link to a missing file \(the link dangles\)$/],
    ["a link to a folder it is in", (drop) => symlinkSync("..", path.join(drop, "data", "loop")), /^data\/loop is a symbolic link to a folder it is in \(.*\): a loop$/],
    [
      "a second name for a data file (its rows would be read twice)",
      (drop) => symlinkSync("part-00000.json.gz.enc", path.join(drop, "data", "part-00000-copy.json.gz.enc")),
      /^data\/part-00000-copy\.json\.gz\.enc and data\/part-00000\.json\.gz\.enc are one file \(a link, or a hard link\): its rows would be read twice/,
    ],
    ["a named pipe among the data files", (drop) => execFileSync("mkfifo", [path.join(drop, "data", "part-00002.json.gz.enc")]), /^data\/part-00002\.json\.gz\.enc is a named pipe \(FIFO\), not a file/],
  ];

  it.each(cases)("%s", async (_name, arrange, message) => {
    const dir = mgdcDrop(arrange);
    for (const failure of [await rejectionOf(() => verifyDrop(dir, keyOptions())), await rejectionOf(() => openDrop(dir, keyOptions())), await rejectionOf(() => inspectDrop(dir))]) {
      expect(failure.code).toBe("SOURCE_UNREADABLE");
      expect(failure.message).toMatch(message);
    }
    const result = await runCli(["decrypt", dir, "--private-key", pemFile]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0].slice(`viva-drop: ${dir}: `.length)).toMatch(message);
  });
});
