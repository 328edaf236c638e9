import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const AZURITE_BIN = path.resolve(__dirname, "../../../node_modules/.bin/azurite-blob");
const ACCOUNT = "devstoreaccount1";
// Azurite's documented, public development account key.
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite blob emulator with its data in a temp folder. */
export interface Azurite {
  /** Path-style account URL, e.g. http://127.0.0.1:41234/devstoreaccount1 */
  accountUrl: string;
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite on a free loopback port; `stop()` ends that process and removes its data. */
export async function startAzurite(): Promise<Azurite> {
  const port = await freePort();
  const location = mkdtempSync(path.join(tmpdir(), "viva-drop-azurite-"));
  const child = spawn(AZURITE_BIN, ["--silent", "--location", location, "--blobHost", "127.0.0.1", "--blobPort", String(port), "--skipApiVersionCheck", "--loose"], {
    stdio: "ignore",
  });
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(location, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
  } catch (error) {
    await stop();
    throw error;
  }
  const accountUrl = `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    accountUrl,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${accountUrl};`,
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite exited with code ${child.exitCode}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("azurite did not start within 30 s");
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
