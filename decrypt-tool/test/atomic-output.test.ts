import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomically } from "../src/cli/atomic-output";
import { DropError } from "../src/index";
import { rejectionOf } from "./support/collect";
import { assertBuilt } from "./support/run-cli";
import { makeTempDir } from "./support/test-drop";

let root: string;
beforeAll(() => {
  assertBuilt();
  root = makeTempDir();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("writeFileAtomically", () => {
  it("publishes the file only once the data has ended", async () => {
    const target = path.join(root, "complete.ndjson");
    await writeFileAtomically(target, Readable.from([Buffer.from("a\n"), Buffer.from("b\n")]));
    expect(readFileSync(target, "utf8")).toBe("a\nb\n");
    expect(readdirSync(root).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it("passes the data's own error through and removes the temp file", async () => {
    const target = path.join(root, "failed.ndjson");
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from("a\n");
        throw new DropError("JSON_INVALID", "part-1 line 2: invalid JSON");
      })(),
    );
    const error = await rejectionOf(() => writeFileAtomically(target, failing));
    expect(error.code).toBe("JSON_INVALID");
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(root).filter((name) => name.includes("failed.ndjson"))).toEqual([]);
  });

  // A stalled write into `interrupted.ndjson`, then the process ends: by Ctrl-C, or by a bug (uncaught exception).
  it.each([
    ["interrupted with Ctrl-C (SIGINT)", "process.kill(process.pid, 'SIGINT')", { signal: "SIGINT", code: null }],
    ["ended by an uncaught exception", "throw new Error('a bug')", { signal: null, code: 1 }],
  ])("removes the temp file when %s", async (_how, end, expected) => {
    const target = path.join(root, "interrupted.ndjson");
    const script = `
      const { readdirSync } = require("node:fs");
      const { Readable } = require("node:stream");
      const { writeFileAtomically } = require(${JSON.stringify(path.resolve(__dirname, "../dist/cli/atomic-output.js"))});
      const stalled = new Readable({ read() {} });
      stalled.push("first row\\n");
      writeFileAtomically(${JSON.stringify(target)}, stalled);
      const timer = setInterval(() => {
        if (!readdirSync(${JSON.stringify(root)}).some((name) => name.startsWith(".interrupted.ndjson.") && name.endsWith(".partial"))) return;
        clearInterval(timer);
        setInterval(() => {}, 1000);
        ${end};
      }, 10);
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    expect(await exited).toEqual(expected);
    expect(readdirSync(root).filter((name) => name.startsWith(".interrupted.ndjson."))).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });
});
