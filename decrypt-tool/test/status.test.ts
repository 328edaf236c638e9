import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeKeyVault } from "../../tests/providers/fake-key-vault";
import { staticCredential } from "../../tests/providers/http-recorder";
import { formatStatus } from "../src/cli/commands/status";
import { type RunningAzurite, startAzurite } from "../src/demo/azurite";
import { isDropError } from "../src/errors";
import { ingestDrops } from "../src/ingest/ingest-drops";
import { openSink } from "../src/ingest/sinks/index";
import type { LedgerRow } from "../src/ingest/sinks/sink";
import { parseSinkTarget } from "../src/ingest/sinks/target";
import { listDrops } from "../src/list-drops";
import { simulateDrop } from "../src/simulate/index";
import { parseStackOutputs, type StackOutputs } from "../src/stack-outputs";
import { allHealthy, fleetStatus } from "../src/status/fleet-status";
import { mapBounded } from "../src/status/map-bounded";
import type { TenantStatus } from "../src/status/tenant-status";
import { FakeDataFactoryRuns } from "./support/fake-data-factory-runs";
import { writeTestDrop } from "./support/test-drop";

const FABRIKAM = "8f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f";
const CONTOSO = "0b7f6e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b";
const DAY = 24 * 60 * 60 * 1000;
const FIXTURE = path.resolve(__dirname, "fixtures/stack-outputs.json");
const ROWS = path.resolve(__dirname, "../../fixtures/VivaInsightsDataset_v1.json");

let work: string;
let rowsFile: string;
let publicKeyPem: string;
let privateKeyPem: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "status-test-"));
  rowsFile = path.join(work, "rows.ndjson");
  writeFileSync(rowsFile, `${readFileSync(ROWS, "utf8").split("\n").slice(0, 5).join("\n")}\n`);
  ({ publicKey: publicKeyPem, privateKey: privateKeyPem } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The fixture outputs, with the client secret ending `secretDays` after now. */
function outputs(now: Date, secretDays = 400): StackOutputs {
  const parsed = parseStackOutputs(JSON.parse(readFileSync(FIXTURE, "utf8")), "fixture");
  return { ...parsed, appSecretEndDate: new Date(now.getTime() + secretDays * DAY).toISOString() };
}

/** A fleet of fakes: Data Factory, Key Vault, and a local folder per tenant container. */
function fleet(stack: StackOutputs) {
  const adf = new FakeDataFactoryRuns();
  const vault = new FakeKeyVault("kv-viva");
  const containers = mkdtempSync(path.join(work, "containers-"));
  const folderOf = (containerUrl: string) => path.join(containers, containerUrl.split("/").at(-1)!);
  const listed: string[] = [];
  for (const tenant of Object.values(stack.tenants)) adf.addTrigger(tenant.factory, tenant.paused ? "Stopped" : "Started");
  const run = (now: Date, extra: Parameters<typeof fleetStatus>[1] = {}) =>
    fleetStatus(stack, {
      now,
      azure: {
        credential: staticCredential(),
        dataFactoryClientOptions: { httpClient: adf.httpClient, retryOptions: { maxRetries: 0 } },
        keyClientOptions: { httpClient: vault.httpClient },
      },
      listDrops: async (containerUrl) => {
        listed.push(containerUrl);
        return listDrops(folderOf(containerUrl));
      },
      ...extra,
    });
  const drop = (tenantId: string, runFolder: string, tableName?: string) => simulateDrop({ input: rowsFile, tenantId, publicKeyPem, out: path.join(containers, tenantId), runFolder, ...(tableName ? { tableName } : {}) });
  const key = (name: string, expiresInDays: number | undefined, now: Date) =>
    vault.seed(name, [{ kty: "RSA", keySize: 2048, keyOps: ["decrypt"], enabled: true, exp: expiresInDays === undefined ? undefined : Math.floor((now.getTime() + expiresInDays * DAY) / 1000) }]);
  return { adf, vault, run, drop, key, listed, containers };
}

function byTenant(statuses: TenantStatus[], id: string): TenantStatus {
  return statuses.find((s) => s.tenantId === id)!;
}

describe("fleetStatus", () => {
  it("reports a healthy fleet: a running tenant with a recent run, drop and key, and a paused one without drops", async () => {
    const now = new Date();
    const stack = outputs(now);
    const f = fleet(stack);
    const fabrikam = stack.tenants[FABRIKAM];
    f.adf.seedRun(fabrikam.factory, { pipelineName: "ExportO365DataEvents", status: "Succeeded", runStart: iso(now, -2 * DAY), runEnd: iso(now, -2 * DAY + 47 * 60_000) });
    await f.drop(FABRIKAM, "run-1");
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);

    const statuses = await f.run(now);

    expect(allHealthy(statuses)).toBe(true);
    const row = byTenant(statuses, FABRIKAM);
    expect(row).toMatchObject({
      label: "Fabrikam",
      trigger: { name: "WeeklyMondayExport", runtimeState: "Started", paused: false },
      runs: { last: { status: "Succeeded", durationMs: 47 * 60_000 }, lastFinished: { status: "Succeeded" } },
      drop: { last: { runFolder: "run-1", failed: false } },
      key: { name: FABRIKAM, daysLeft: 199, enabled: true },
      secret: { daysLeft: 400 },
      problems: [],
    });
    expect(byTenant(statuses, CONTOSO)).toMatchObject({ trigger: { runtimeState: "Stopped", paused: true }, runs: {}, drop: {}, problems: [] });
    expect(f.listed.sort()).toEqual([stack.tenants[CONTOSO].containerUrl, fabrikam.containerUrl].sort());
    // Key Vault's challenge: the first request goes out without a token and is answered 401.
    expect(f.vault.requests[0].authorization).toBeUndefined();
    expect(f.vault.authorized.map((r) => r.path).sort()).toEqual([`/keys/${CONTOSO}/`, `/keys/${FABRIKAM}/`].sort());
  });

  it("puts tenants needing action first, each problem named: failed last run, expiring key, stopped trigger, stale drop", async () => {
    const stack = outputs(new Date());
    stack.tenants[CONTOSO] = { ...stack.tenants[CONTOSO], paused: false };
    const f = fleet(stack);
    await f.drop(FABRIKAM, "run-1");
    await f.drop(CONTOSO, "run-2");
    const now = new Date(Date.now() + 10 * DAY + 60_000); // the simulated drops are now 10 days old
    stack.appSecretEndDate = iso(now, 20 * DAY);
    f.adf.addTrigger(stack.tenants[CONTOSO].factory, "Stopped");
    const factory = stack.tenants[FABRIKAM].factory;
    f.adf.pageSize = 1;
    f.adf.seedRun(factory, { pipelineName: "ExportO365DataEvents", status: "Succeeded", runStart: iso(now, -9 * DAY), runEnd: iso(now, -9 * DAY + 3600_000) });
    f.adf.seedRun(factory, { pipelineName: "ExportO365DataEvents", status: "Failed", runStart: iso(now, -2 * DAY), runEnd: iso(now, -2 * DAY + 3600_000) });
    f.adf.seedRun(factory, { pipelineName: "SomethingElse", status: "Failed", runStart: iso(now, -1 * DAY), runEnd: iso(now, -1 * DAY + 60_000) });
    f.adf.seedRun(factory, { pipelineName: "ExportO365DataEvents", status: "InProgress", runStart: iso(now, -3600_000) });
    f.key(FABRIKAM, 10, now);

    const statuses = await f.run(now);

    expect(allHealthy(statuses)).toBe(false);
    const fabrikam = byTenant(statuses, FABRIKAM);
    expect(fabrikam.runs.last?.status).toBe("InProgress");
    expect(fabrikam.runs.lastFinished?.status).toBe("Failed");
    expect(fabrikam.problems).toEqual([`last run failed (${iso(now, -2 * DAY + 3600_000).slice(0, 10)})`, "key expires in 9 days", "client secret expires in 20 days", "no drop for 10 days"]);
    expect(byTenant(statuses, CONTOSO).problems).toEqual(["trigger stopped but the tenant is not paused", "key: not found in the vault", "client secret expires in 20 days", "no drop for 10 days"]);
    // Query By Factory: filtered by pipeline, newest first, pages followed only until a finished run appears.
    const queries = f.adf.requests.filter((r) => r.path.endsWith("/queryPipelineRuns") && r.path.includes(factory));
    expect(queries.map((q) => (q.body as { continuationToken?: string }).continuationToken)).toEqual([undefined, "page-1"]);
    expect(queries[0].body).toMatchObject({ filters: [{ operand: "PipelineName", operator: "Equals", values: ["ExportO365DataEvents"] }], orderBy: [{ orderBy: "RunStart", order: "DESC" }] });
  });

  it("sorts the rows needing action first, then by label", async () => {
    const now = new Date();
    const stack = outputs(now);
    const f = fleet(stack);
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);
    const statuses = await f.run(now);
    // Fabrikam has no drop yet (needs action); Contoso is paused (healthy).
    expect(statuses.map((s) => s.label)).toEqual(["Fabrikam", "Contoso"]);
    expect(statuses[0].problems).toHaveLength(1);
    expect(statuses[0].problems[0]).toMatch(/^no drop yet \(.+\)$/);
  });

  it("says whether the last person report drop is in the sink's ledger (users drops ride along)", async () => {
    const now = new Date(Date.now() + DAY);
    const stack = outputs(now);
    const f = fleet(stack);
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);
    await f.drop(FABRIKAM, "run-old");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await f.drop(FABRIKAM, "run-new");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await f.drop(FABRIKAM, "run-new-users", "BasicDataSet_v0.User_v1");
    const ledgerOf = (loaded: string[]) => async (tenantId: string) => new Map(loaded.map((runFolder) => [runFolder, { tenantId, runFolder, status: "loaded" } as LedgerRow]));

    const loaded = byTenant(await f.run(now, { ledger: ledgerOf(["run-new"]) }), FABRIKAM);
    expect(loaded.drop.last).toMatchObject({ runFolder: "run-new", loaded: true });
    expect(loaded.problems).toEqual([]);

    const behind = byTenant(await f.run(now, { ledger: ledgerOf(["run-old"]) }), FABRIKAM);
    expect(behind.drop.last).toMatchObject({ runFolder: "run-new", loaded: false });
    expect(behind.problems).toEqual(["last drop not loaded into the sink"]);
  });

  it("reads the ledger of a real ingest database through a read-only sink, which creates nothing", async () => {
    const now = new Date(Date.now() + DAY);
    const stack = outputs(now);
    const f = fleet(stack);
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);
    await f.drop(FABRIKAM, "run-1");
    const database = path.join(work, "status-ledger.duckdb");
    const ingested = await ingestDrops(path.join(f.containers, FABRIKAM), database, { privateKeyPem });
    expect(ingested.loaded).toBe(1);
    const withLedger = async (target: string) => {
      const sink = await openSink(parseSinkTarget(target)!, { readOnly: true });
      try {
        return byTenant(await f.run(now, { ledger: (tenantId) => sink.ledger(tenantId) }), FABRIKAM);
      } finally {
        await sink.close();
      }
    };

    expect((await withLedger(database)).drop.last).toMatchObject({ runFolder: "run-1", loaded: true });
    await f.drop(FABRIKAM, "run-2");
    const behind = await withLedger(database);
    expect(behind.drop.last).toMatchObject({ runFolder: "run-2", loaded: false });
    expect(behind.problems).toEqual(["last drop not loaded into the sink"]);

    const never = path.join(work, "never-ingested.duckdb");
    expect((await withLedger(never)).drop.last).toMatchObject({ runFolder: "run-2", loaded: false });
    expect(existsSync(never)).toBe(false);
  });

  it("turns a failed query into a problem of that row instead of failing the whole status", async () => {
    const now = new Date();
    const stack = outputs(now);
    const f = fleet(stack);
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);
    await f.drop(FABRIKAM, "run-1");
    f.adf.failNext((r) => r.path.includes(stack.tenants[FABRIKAM].factory) && r.path.includes("/triggers/"), {
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: "The client does not have authorization to perform action 'Microsoft.DataFactory/factories/triggers/read'" } },
    });
    const statuses = await f.run(now);
    expect(byTenant(statuses, FABRIKAM).problems).toEqual(["trigger: HTTP 403 AuthorizationFailed: The client does not have authorization to perform action 'Microsoft.DataFactory/factories/triggers/read'"]);
    expect(byTenant(statuses, CONTOSO).problems).toEqual([]);
  });

  it("flags a key without an expiry date and a drop whose metadata reports a failed run", async () => {
    const now = new Date();
    const stack = outputs(now);
    const f = fleet(stack);
    f.key(FABRIKAM, undefined, now);
    f.key(CONTOSO, -1, now);
    writeTestDrop(f.containers, { tenantId: FABRIKAM, publicKeyPem, metadata: { Errors: "Copy failed", JobCompletionTime: now.toISOString() } });
    const statuses = await f.run(now);
    expect(byTenant(statuses, FABRIKAM).drop.last?.failed).toBe(true);
    expect(byTenant(statuses, FABRIKAM).problems).toEqual(["key has no expiry date (Graph Data Connect needs one)", "last drop reports a failed run"]);
    expect(byTenant(statuses, CONTOSO).problems).toEqual(["key expired"]);
  });
});

describe("fleetStatus on Azure Storage (Azurite)", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("lists the tenants' containers through the Blob API; a container that does not exist yet is no drop yet", async () => {
    const now = new Date(Date.now() + DAY);
    const stack = outputs(now);
    for (const [id, tenant] of Object.entries(stack.tenants)) stack.tenants[id] = { ...tenant, paused: false, containerUrl: `${azurite.accountUrl}/${id}` };
    const f = fleet(stack);
    f.key(FABRIKAM, 200, now);
    f.key(CONTOSO, 200, now);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(FABRIKAM);
    await container.createIfNotExists();
    await simulateDrop({ input: rowsFile, tenantId: FABRIKAM, publicKeyPem, out: `${azurite.accountUrl}/${FABRIKAM}`, runFolder: "run-blob", connectionString: azurite.connectionString });

    const statuses = await f.run(now, { listDrops: undefined, sourceOptions: { connectionString: azurite.connectionString } });

    expect(byTenant(statuses, FABRIKAM).drop.last).toMatchObject({ runFolder: "run-blob", failed: false });
    expect(byTenant(statuses, FABRIKAM).problems).toEqual([]);
    expect(byTenant(statuses, CONTOSO).problems).toEqual(["no drop yet (cannot list blobs: container not found)"]);
  });
});

describe("fleetStatus without a sign-in", () => {
  it("fails once with the sign-in problem instead of repeating it in every row, before any request", async () => {
    const now = new Date();
    const stack = outputs(now);
    const adf = new FakeDataFactoryRuns();
    const noCredential = {
      getToken: async () => {
        throw Object.assign(new Error("EnvironmentCredential is unavailable"), { name: "CredentialUnavailableError" });
      },
    };
    const error = await fleetStatus(stack, { now, azure: { credential: noCredential, dataFactoryClientOptions: { httpClient: adf.httpClient } } }).catch((e: unknown) => e);
    expect(isDropError(error, "PIPELINE_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toMatch(/^no Azure sign-in found for Azure Resource Manager: DefaultAzureCredential found no credential/);
    expect(adf.requests).toHaveLength(0);
  });
});

describe("formatStatus", () => {
  it("prints one row per tenant with the trigger, runs, drop, expiries and what to do", () => {
    const row: TenantStatus = {
      tenantId: FABRIKAM,
      label: "Fabrikam",
      trigger: { name: "WeeklyMondayExport", runtimeState: "Stopped", paused: true },
      runs: { last: { runId: "r2", status: "InProgress" }, lastFinished: { runId: "r1", status: "Failed", runEnd: "2026-11-30T03:47:00.000Z", durationMs: 47 * 60_000 } },
      drop: { last: { runFolder: "r0", completedAt: "2026-11-23T03:50:00.000Z", failed: false, loaded: false } },
      key: { name: FABRIKAM, expiresOn: "2027-01-01T00:00:00.000Z", daysLeft: 30 },
      secret: { endDate: "2027-11-02T00:00:00Z", daysLeft: 335 },
      problems: ["last run failed (2026-11-30)", "last drop not loaded into the sink"],
    };
    const table = formatStatus([row], true).split("\n");
    expect(table[0].split(/\s{2,}/)).toEqual(["TENANT", "TRIGGER", "LAST RUN", "FINISHED", "DURATION", "LAST DROP", "LOADED", "KEY EXPIRES", "SECRET ENDS", "ACTION"]);
    expect(table[1].split(/\s{2,}/)).toEqual([
      "Fabrikam (8f1c2d3e)",
      "paused",
      "InProgress (before: Failed)",
      "2026-11-30 03:47",
      "47m 0s",
      "2026-11-23 03:50",
      "no",
      "2027-01-01 (30d)",
      "2027-11-02 (335d)",
      "last run failed (2026-11-30); last drop not loaded into the sink",
    ]);
    expect(formatStatus([], false)).toBe("no tenants in the stack outputs\n");
  });
});

describe("mapBounded", () => {
  it("never runs more than the bound at once and keeps the order of results", async () => {
    let active = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 6, 0], 3, async (value) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, value));
      active -= 1;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 60, 0]);
    expect(peak).toBe(3);
  });
});

function iso(now: Date, offsetMs: number): string {
  return new Date(now.getTime() + offsetMs).toISOString();
}
