import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const LOG_FILE = "azurite.log";

/** A running Azurite Blob emulator. */
export interface RunningAzurite {
  pid: number;
  port: number;
  /** Azurite's data folder (a fresh temp folder). */
  dataDir: string;
  /** Path-style account URL, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  accountUrl: string;
  connectionString: string;
  /** Stops the emulator and removes its data folder. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options of {@link startAzurite}. */
export interface StartAzuriteOptions {
  /** Let the emulator outlive this process (for `demo --keep-emulator`). */
  detached?: boolean;
  /** Called as soon as the process exists, before it answers: register its cleanup here. */
  onLaunched?: (emulator: RunningAzurite) => void;
  /** Milliseconds to wait until it answers. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Starts Azurite's Blob service on a free loopback port with its data in a fresh temp folder (under
 * `os.tmpdir()`), telemetry off, and waits until it answers HTTP.
 * @throws Error with the emulator's last log lines when it exits or does not answer in time.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const emulator = launch(await freeLoopbackPort(), options.detached ?? false);
    options.onLaunched?.(emulator);
    try {
      await waitUntilAnswering(emulator, options.timeoutMs ?? 30_000);
      return emulator;
    } catch (error) {
      await emulator.stop();
      // Another process may have taken the port between our probe and Azurite's listen.
      if (attempt >= attempts || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The connection string of Azurite's development account on `port`. */
export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
}

// Synchronous from mkdtemp to spawn, so a signal cannot arrive between creating the folder and
// the caller registering stop().
function launch(port: number, detached: boolean): RunningAzurite {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "viva-drop-azurite-"));
  const log = openSync(path.join(dataDir, LOG_FILE), "a");
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [azuriteBlobMain(), "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--location", dataDir, "--blobHost", "127.0.0.1", "--blobPort", String(port)],
      { stdio: ["ignore", log, log], detached, windowsHide: true },
    );
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    closeSync(log);
  }
  if (detached) child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid ?? -1,
    port,
    dataDir,
    accountUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    connectionString: azuriteConnectionString(port),
    stop: () => (stopping ??= stopProcess(child, exited).then(() => rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }))),
  };
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

function azuriteBlobMain(): string {
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
}

async function waitUntilAnswering(emulator: RunningAzurite, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(emulator.pid)) throw new Error(`Azurite exited while starting: ${lastLogLines(emulator.dataDir)}`);
    if (await answers(emulator.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Azurite did not answer on port ${emulator.port} within ${timeoutMs / 1000} s: ${lastLogLines(emulator.dataDir)}`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path: `/${AZURITE_ACCOUNT}?comp=list`, timeout: 1_000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function lastLogLines(dataDir: string): string {
  try {
    const lines = readFileSync(path.join(dataDir, LOG_FILE), "utf8").trim().split("\n");
    return lines.slice(-3).join(" | ") || "(no output)";
  } catch {
    return "(no output)";
  }
}
