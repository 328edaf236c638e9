import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite } from "../src/demo/azurite";
import { CleanupStack } from "../src/demo/cleanup";
import { runDemo } from "../src/demo/run-demo";
import { verifyDrop } from "../src/drop";
import { listDrops } from "../src/list-drops";
import { assertBuilt, CLI_BIN } from "./support/run-cli";

const FIXTURES = path.resolve(__dirname, "../../fixtures");

// Expected figures, computed here from the fixture without any project code.
function expectedSummary(): {
  rows: number;
  people: number;
  min: string;
  max: string;
  means: Record<string, string>;
  users: number;
  matched: number;
  byDepartment: Record<string, string>;
} {
  const rows = readFileSync(path.join(FIXTURES, "VivaInsightsDataset_v1.json"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, string>);
  const dates = rows.map((r) => r.MetricDate).sort();
  const means: Record<string, string> = {};
  for (const metric of ["Collaboration hours", "Meeting hours", "Email hours", "After-hours collaboration hours"]) {
    means[metric] = (rows.reduce((sum, r) => sum + parseFloat(r[metric]), 0) / rows.length).toFixed(2);
  }
  const userRows = readFileSync(path.join(FIXTURES, "BasicDataSet_v0.User_v1.json"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line) => JSON.parse(line) as { department: string | null });
  // The demo re-keys user i to the i-th distinct PersonId of the person report sample, so the join matches.
  const personIds = [...new Set(rows.map((r) => r.PersonId))];
  const departmentOf = new Map(userRows.map((u, i) => [personIds[i], u.department]));
  const joined = rows.filter((r) => departmentOf.has(r.PersonId));
  const byDepartment: Record<string, string> = {};
  for (const department of new Set(joined.map((r) => departmentOf.get(r.PersonId)).filter((d): d is string => d !== null))) {
    const of = joined.filter((r) => departmentOf.get(r.PersonId) === department);
    byDepartment[department] = `${(of.reduce((sum, r) => sum + parseFloat(r["Collaboration hours"]), 0) / of.length).toFixed(2)} +${of.length} +${of.length}`;
  }
  return { rows: rows.length, people: new Set(rows.map((r) => r.PersonId)).size, min: dates[0], max: dates.at(-1)!, means, users: userRows.length, matched: joined.length, byDepartment };
}

interface DemoRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(tmp: string, args: string[] = []): DemoRun {
  const child = spawn(process.execPath, [CLI_BIN, "demo", ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function emulatorOf(stderr: string): { pid: number; port: number; dataDir: string } {
  const match = /Azurite answering at http:\/\/127\.0\.0\.1:(\d+)\/devstoreaccount1 \(pid (\d+), data in (.+)\)/.exec(stderr);
  if (!match) throw new Error(`no Azurite line in stderr: ${stderr}`);
  return { port: Number(match[1]), pid: Number(match[2]), dataDir: match[3] };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let tmpRoot: string;
beforeAll(() => {
  assertBuilt();
  tmpRoot = mkdtempSync(path.join(tmpdir(), "demo-test-"));
});
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function freshTmp(): string {
  return mkdtempSync(path.join(tmpRoot, "tmp-"));
}

describe("viva-drop demo (built CLI)", () => {
  it("prints the summary with the fixture's real numbers and leaves no process and no temp files", async () => {
    const tmp = freshTmp();
    const run = startDemo(tmp);
    const { code } = await run.exited;
    expect(run.stderr()).not.toMatch(/viva-drop: demo:/);
    expect(code).toBe(0);
    const expected = expectedSummary();
    const out = run.stdout();
    expect(out).toMatch(new RegExp(`rows +${expected.rows.toLocaleString("en-US")} \\(matches NumberOfRowsExtracted\\)`));
    expect(out).toMatch(new RegExp(`people +${expected.people}\\n`));
    expect(out).toContain(`MetricDate  ${expected.min} to ${expected.max}`);
    for (const [metric, mean] of Object.entries(expected.means)) expect(out).toMatch(new RegExp(`\\n  ${metric} +${mean.replace(".", "\\.")} `));
    expect(out).toMatch(new RegExp(`BasicDataSet_v0\\.User_v1 .*\\n  rows +${expected.users} \\(matches`));
    expect(out).toContain("drops listed  2 in http://127.0.0.1:");
    // The drops went on into a temporary DuckDB file and the join view was queried.
    expect(out).toContain(`viva-drop ingest → temporary DuckDB file: 2 drops loaded, ${(expected.rows + expected.users).toLocaleString("en-US")} rows`);
    expect(out).toContain(`${expected.matched} of ${expected.rows.toLocaleString("en-US")} person report rows matched a user`);
    for (const [department, line] of Object.entries(expected.byDepartment)) expect(out).toMatch(new RegExp(`\\n  ${department} +${line}\\n`));

    const emulator = emulatorOf(run.stderr());
    expect(isRunning(emulator.pid)).toBe(false);
    expect(await portAnswers(emulator.port)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("cleans up on SIGINT mid-run", async () => {
    const tmp = freshTmp();
    const run = startDemo(tmp);
    await waitFor(() => run.stderr().includes("created tenant container"), "the tenant container");
    const emulator = emulatorOf(run.stderr());
    expect(isRunning(emulator.pid)).toBe(true);
    run.child.kill("SIGINT");
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(run.stdout()).toBe("");
    expect(isRunning(emulator.pid)).toBe(false);
    expect(await portAnswers(emulator.port)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("--keep-emulator leaves Azurite running with the drops and says how to stop it", async () => {
    const tmp = freshTmp();
    const run = startDemo(tmp, ["--keep-emulator"]);
    const { code } = await run.exited;
    expect(code).toBe(0);
    const emulator = emulatorOf(run.stderr());
    try {
      expect(isRunning(emulator.pid)).toBe(true);
      const connectionString = /connection string: (\S+)/.exec(run.stderr())![1];
      const container = /drops in (\S+)/.exec(run.stderr())![1];
      expect(run.stderr()).toContain(`stop it: kill ${emulator.pid} && rm -rf ${emulator.dataDir}`);
      const drops = await listDrops(container, { connectionString });
      expect(drops.map((d) => d.tableName).sort()).toEqual(["BasicDataSet_v0.User_v1", "VivaInsightsDataset_PersonReport_v1"]);
      const keyFile = /tenant private key: (\S+)/.exec(run.stderr())![1];
      expect(path.dirname(keyFile)).toBe(emulator.dataDir);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const kept = drops.find((d) => d.tableName === "BasicDataSet_v0.User_v1")!;
      const verified = await verifyDrop(`${container}/${kept.runFolder}`, { privateKeyPem: readFileSync(keyFile, "utf8") }, { connectionString });
      expect(verified.rows).toBe(10);
    } finally {
      process.kill(emulator.pid, "SIGTERM");
      await waitFor(() => !isRunning(emulator.pid), "Azurite to stop");
      rmSync(emulator.dataDir, { recursive: true, force: true });
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("rejects a bad --tenant with one line and exit code 2, starting nothing", async () => {
    const tmp = freshTmp();
    const run = startDemo(tmp, ["--tenant", "contoso"]);
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toBe('viva-drop: demo: --tenant "contoso": must be a GUID\n');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe("runDemo failing half-way", () => {
  it("leaves its cleanup stack able to stop Azurite and remove its data", async () => {
    const lines: string[] = [];
    const cleanup = new CleanupStack();
    const failingLog = (line: string): void => {
      lines.push(line);
      if (line.startsWith("simulated")) throw new Error("simulated failure after the first drop");
    };
    await expect(runDemo({ cleanup, log: failingLog })).rejects.toThrow("simulated failure after the first drop");
    const emulator = /Azurite answering at http:\/\/127\.0\.0\.1:(\d+)\/devstoreaccount1 \(pid (\d+), data in (.+)\)/.exec(lines.join("\n"))!;
    expect(isRunning(Number(emulator[2]))).toBe(true);
    expect(await cleanup.run()).toEqual([]);
    expect(isRunning(Number(emulator[2]))).toBe(false);
    expect(await portAnswers(Number(emulator[1]))).toBe(false);
    expect(existsSync(emulator[3])).toBe(false);
  });
});

describe("runDemo against existing storage (the --account-url path, on Azurite with a connection string)", () => {
  it("creates the tenant container, reads the drops back, then deletes the drops and the container it created", async () => {
    const azurite = await startAzurite();
    try {
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      const tenantId = "5d0c1a1e-8f5b-4c7e-9a40-2b7d6c1e9f00";
      const cleanup = new CleanupStack();
      const result = await runDemo({ accountUrl: azurite.accountUrl, connectionString: azurite.connectionString, tenantId, cleanup });
      expect(result.storage).toMatchObject({ kind: "account", createdContainer: true, containerUrl: `${azurite.accountUrl}/${tenantId}` });
      expect(result.personReport.verified.rows).toBe(expectedSummary().rows);
      expect(await service.getContainerClient(tenantId).exists()).toBe(true);
      expect(await cleanup.run()).toEqual([]);
      expect(await service.getContainerClient(tenantId).exists()).toBe(false);

      // An existing container is kept; only the demo's drops go.
      await service.getContainerClient(tenantId).create();
      await service.getContainerClient(tenantId).uploadBlockBlob("partner-file.txt", "keep me", 7);
      const again = new CleanupStack();
      await runDemo({ accountUrl: azurite.accountUrl, connectionString: azurite.connectionString, tenantId, cleanup: again });
      await again.run();
      const left: string[] = [];
      for await (const blob of service.getContainerClient(tenantId).listBlobsFlat()) left.push(blob.name);
      expect(left).toEqual(["partner-file.txt"]);
    } finally {
      await azurite.stop();
    }
  });
});

describe("runDemo --account-url without any Azure credential", () => {
  it("fails at once with one short line saying how to sign in, and leaves nothing to clean up", async () => {
    const unavailable = (text: string) => Object.assign(new Error(text), { name: "CredentialUnavailableError" });
    const credential = {
      getToken: async () => {
        const chain = [unavailable("EnvironmentCredential is unavailable. ".repeat(5)), unavailable("Azure CLI could not be found.")];
        throw Object.assign(new Error(chain.map((e) => e.message).join("\n")), { name: "AggregateAuthenticationError", errors: chain });
      },
    };
    const tenantId = "5d0c1a1e-8f5b-4c7e-9a40-2b7d6c1e9f01";
    const cleanup = new CleanupStack();
    const error = await runDemo({ accountUrl: "https://contoso.blob.core.windows.net", credential, tenantId, cleanup }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("SOURCE_UNREADABLE");
    expect(error?.message).toBe(
      `cannot create or reach container https://contoso.blob.core.windows.net/${tenantId}: no Azure sign-in found for Azure Storage: DefaultAzureCredential found no credential (run az login, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity)`,
    );
    expect(await cleanup.run()).toEqual([]);
  });
});

describe("runDemo option checks (before anything starts)", () => {
  it.each([
    [{ keep: true }, "--keep: --keep applies to --account-url only; use --keep-emulator to keep the local emulator's drops"],
    [
      { accountUrl: "https://contoso.blob.core.windows.net/tenant" },
      '--account-url "https://contoso.blob.core.windows.net/tenant": must be a storage account URL such as https://<account>.blob.core.windows.net (no container or path: the demo creates the tenant container)',
    ],
    [
      { accountUrl: "http://127.0.0.1:10000" },
      '--account-url "http://127.0.0.1:10000": must be a storage account URL such as https://<account>.blob.core.windows.net (no container or path: the demo creates the tenant container)',
    ],
  ])("rejects %j as a usage error", async (options, message) => {
    const cleanup = new CleanupStack();
    const registered: string[] = [];
    const add = cleanup.add.bind(cleanup);
    cleanup.add = (label, undo) => {
      registered.push(label);
      add(label, undo);
    };
    const error = await runDemo({ ...options, cleanup }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("USAGE");
    expect(error?.message).toBe(message);
    expect(registered).toEqual([]);
  });
});
