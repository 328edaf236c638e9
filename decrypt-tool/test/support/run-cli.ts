import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

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

/** Runs `viva-drop <args>` in a child process and collects its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/** Runs `viva-drop <args>` and closes its stdout after `bytes` bytes, as `| head -c` would. */
export function runCliPiped(args: string[], bytes: number): Promise<{ code: number | null; stderr: string; firstBytes: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let received = Buffer.alloc(0);
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= bytes) child.stdout.destroy();
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr: Buffer.concat(stderr).toString("utf8"), firstBytes: received.subarray(0, bytes).toString("utf8") }));
  });
}
