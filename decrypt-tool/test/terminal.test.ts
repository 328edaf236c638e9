// Issue 10 defect 6: the progress bar hides the cursor and turns line wrap off; every way the process ends
// must give both back, and the bar must never be drawn over rows on the terminal. Run in a real
// pseudo-terminal: util-linux `script` gives the child a terminal as stdin, stdout and stderr.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLI_BIN, STALL_OUTPUT, waitFor } from "./support/run-cli";
import { makeKeyedTempDir, sampleRows, type TestDrop, type TestKeyPair, toNdjson, writeTestDrop } from "./support/test-drop";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const WRAP_OFF = "\x1b[?7l";
const WRAP_ON = "\x1b[?7h";

let root: string;
let pemFile: string;
let big: TestDrop;
let small: TestDrop;
const smallRows = sampleRows(5);

beforeAll(() => {
  assertBuilt();
  let keys: TestKeyPair;
  ({ root, keys, pemFile } = makeKeyedTempDir());
  big = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(6000) });
  small = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: smallRows });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Terminal {
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** Everything the program wrote to the terminal so far. */
  screen: () => string;
  /** The pid of viva-drop itself (the shell `script` starts execs into it). */
  pid: () => number;
  ended: Promise<number | null>;
}

const quote = (arg: string): string => `'${arg.replace(/'/g, "'\\''")}'`;

// `viva-drop <args>` in a pseudo-terminal; `redirect` is appended to the shell command (e.g. "> file").
function inTerminal(args: string[], options: { env?: Record<string, string>; redirect?: string } = {}): Terminal {
  const pidFile = path.join(root, `pid-${Math.random().toString(16).slice(2)}`);
  const env = Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${quote(value)}`);
  const command = `echo $$ > ${quote(pidFile)}; exec env ${env.join(" ")} ${quote(process.execPath)} ${[CLI_BIN, ...args].map(quote).join(" ")} ${options.redirect ?? ""}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["pipe", "pipe", "ignore"] });
  let screen = "";
  child.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString("utf8")));
  const ended = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, screen: () => screen, pid: () => Number(readFileSync(pidFile, "utf8")), ended };
}

// The cursor and line wrap are back on after the last time the bar turned them off.
function expectTerminalRestored(screen: string): void {
  expect(screen).toContain(HIDE_CURSOR);
  expect(screen.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(screen.lastIndexOf(HIDE_CURSOR));
  expect(screen.lastIndexOf(WRAP_ON)).toBeGreaterThan(screen.lastIndexOf(WRAP_OFF));
}

describe("the progress bar gives the terminal back", () => {
  const barDrawn = (terminal: Terminal) => waitFor(() => terminal.screen().includes("MB encrypted"), "the progress bar");

  it("on Ctrl-C typed at the terminal, leaving no temp file", async () => {
    const folder = path.join(root, "ctrl-c");
    mkdirSync(folder);
    const terminal = inTerminal(["decrypt", big.dir, "--private-key", pemFile, "-o", path.join(folder, "rows.ndjson")], { env: { NODE_OPTIONS: STALL_OUTPUT } });
    try {
      await barDrawn(terminal);
      terminal.child.stdin.write("\x03");
      expect(await terminal.ended).toBe(130);
    } finally {
      terminal.child.kill("SIGKILL");
    }
    expectTerminalRestored(terminal.screen());
    expect(readdirSync(folder)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("on %s", async (signal) => {
    const folder = path.join(root, signal);
    mkdirSync(folder);
    const terminal = inTerminal(["decrypt", big.dir, "--private-key", pemFile, "-o", path.join(folder, "rows.ndjson")], { env: { NODE_OPTIONS: STALL_OUTPUT } });
    try {
      await barDrawn(terminal);
      process.kill(terminal.pid(), signal);
      await terminal.ended;
    } finally {
      terminal.child.kill("SIGKILL");
    }
    expectTerminalRestored(terminal.screen());
    expect(readdirSync(folder)).toEqual([]);
  });

  it("when the rows go to a file: the bar is drawn on the terminal, and removed at the end", async () => {
    const output = path.join(root, "redirected.ndjson");
    const terminal = inTerminal(["decrypt", small.dir, "--private-key", pemFile], { redirect: `> ${quote(output)}` });
    expect(await terminal.ended).toBe(0);
    expectTerminalRestored(terminal.screen());
    expect(readFileSync(output, "utf8")).toBe(toNdjson(smallRows));
  });
});

describe("rows on the terminal", () => {
  it("are never drawn over by a progress bar", async () => {
    const terminal = inTerminal(["decrypt", small.dir, "--private-key", pemFile]);
    expect(await terminal.ended).toBe(0);
    expect(terminal.screen()).not.toContain(HIDE_CURSOR);
    expect(terminal.screen()).not.toContain("MB encrypted");
    expect(terminal.screen().replace(/\r\n/g, "\n")).toBe(toNdjson(smallRows));
  });
});
