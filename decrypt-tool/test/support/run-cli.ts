import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";

/** The built CLI entry (tests exercise the compiled dist, including its worker threads). */
export const CLI_BIN = path.resolve(__dirname, "../../bin/viva-drop.js");
const BUILT_MAIN = path.resolve(__dirname, "../../dist/cli/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Fails fast with a clear message when dist/ is missing (root `npm test` builds before vitest). */
export function assertBuilt(): void {
  if (!existsSync(BUILT_MAIN)) throw new Error("decrypt-tool/dist is missing: run `npm run build` before these tests");
}

type CliChild = ChildProcessByStdio<null, Readable, Readable>;

// `viva-drop <args>` in a child process, with no storage connection string inherited from the environment.
function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliChild {
  return spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

// The child's exit code and everything it wrote to stderr, once it has closed.
function exitOf(child: CliChild): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/** Runs `viva-drop <args>` in a child process and collects its output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  const stdout: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  const { code, stderr } = await exitOf(child);
  return { code, stdout: Buffer.concat(stdout).toString("utf8"), stderr };
}

/** Runs `viva-drop <args>` and closes its stdout after `bytes` bytes, as `| head -c` would. */
export async function runCliPiped(args: string[], bytes: number): Promise<{ code: number | null; stderr: string; firstBytes: string }> {
  const child = spawnCli(args);
  let received = Buffer.alloc(0);
  child.stdout.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (received.length >= bytes) child.stdout.destroy();
  });
  const { code, stderr } = await exitOf(child);
  return { code, stderr, firstBytes: received.subarray(0, bytes).toString("utf8") };
}

/** Runs `viva-drop <args>` with a stdout pipe that is already closed when the CLI first writes to it. */
export function runCliWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(args);
  child.stdout.destroy();
  return exitOf(child);
}
