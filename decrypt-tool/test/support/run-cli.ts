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

export type CliChild = ChildProcessByStdio<null, Readable, Readable>;

/**
 * NODE_OPTIONS for a child whose `decrypt --output` temp file takes one write and then stalls forever
 * (support/stall-output.cjs): decrypted rows sit in the .partial file while the test signals the process.
 */
export const STALL_OUTPUT = `--require ${path.join(__dirname, "stall-output.cjs")}`;

/** Starts `viva-drop <args>` in a child process, with no storage connection string inherited from the environment. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliChild {
  return spawn(process.execPath, [CLI_BIN, ...args], { cwd, env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** The child's exit code (or the signal that ended it) and everything it wrote to stderr, once it has closed. */
export function exitOf(child: CliChild): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
