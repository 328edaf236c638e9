// `viva-drop run --ingest` end to end: the real Data Factory client against the fake service, the real
// ingest library reading Azurite and writing a real database. The run's drops appear in the tenant's
// container when the service first reports the run Succeeded, as Graph Data Connect's copy writes them
// before the run ends.
import { rmSync } from "node:fs";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticCredential } from "../../tests/providers/http-recorder";
import { type RunningAzurite, startAzurite } from "../src/demo/azurite";
import type { PipelineTarget } from "../src/data-factory";
import { type DropError, isDropError } from "../src/errors";
import { ingestDrops } from "../src/ingest/ingest-drops";
import { runTenantPipeline } from "../src/run/run-tenant";
import { fakeClock } from "./support/fake-clock";
import { FakeDataFactoryRuns } from "./support/fake-data-factory-runs";
import { TENANT, personRows, uploadFolder, userRows, writeDrop } from "./support/ingest-drops";
import { SINK_HARNESSES } from "./support/sinks";
import { makeKeyPair, makeTempDir, type TestKeyPair } from "./support/test-drop";

const TARGET: PipelineTarget = { subscriptionId: "00000000-0000-4000-8000-0000000000aa", resourceGroupName: "rg-viva", factoryName: "adf-viva-6f1c2b3a", pipelineName: "ExportO365DataEvents" };
const WEEK = ["2026-02-16", "2026-02-23"];

let azurite: RunningAzurite;
let keys: TestKeyPair;
let service: BlobServiceClient;
let scratch: string;

beforeAll(async () => {
  azurite = await startAzurite();
  keys = makeKeyPair();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  scratch = makeTempDir("viva-run-ingest-");
});
afterAll(async () => {
  await azurite?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** What the run's copy writes: `<runId>` (person report) and `<runId>-users`; `rowsClaimed` overrides NumberOfRowsExtracted. */
async function writeRunDrops(container: ContainerClient, runId: string, rowsClaimed?: number): Promise<void> {
  const local = makeTempDir("viva-run-drop-");
  try {
    const report = writeDrop(local, TENANT, runId, keys.publicKeyPem, {
      completedAt: "2026-03-02T04:10:00Z",
      rows: personRows([1, 2, 3], WEEK, (p) => String(p * 10)),
      ...(rowsClaimed === undefined ? {} : { metadata: { NumberOfRowsExtracted: rowsClaimed } }),
    });
    await uploadFolder(container, report, runId);
    const users = writeDrop(local, TENANT, `${runId}-users`, keys.publicKeyPem, { completedAt: "2026-03-02T04:11:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows([1, 2], () => "Sales") });
    await uploadFolder(container, users, `${runId}-users`);
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}

/**
 * The fake Data Factory, with the run's drops written into the container the first time a poll
 * reports Succeeded — before that answer reaches the client.
 */
function dataFactoryWritingDrops(container: ContainerClient, rowsClaimed?: number) {
  const adf = new FakeDataFactoryRuns();
  adf.addPipeline(TARGET.factoryName);
  adf.nextRuns.push({ statuses: ["Queued", "InProgress", "Succeeded"] });
  const written: string[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request) {
      const response = await adf.httpClient.sendRequest(request);
      const run = request.method === "GET" && /\/pipelineruns\/[^/]+$/i.test(new URL(request.url).pathname) ? (JSON.parse(response.bodyAsText ?? "{}") as { runId?: string; status?: string }) : {};
      if (run.status === "Succeeded" && run.runId && !written.includes(run.runId)) {
        written.push(run.runId);
        await writeRunDrops(container, run.runId, rowsClaimed);
      }
      return response;
    },
  };
  return { written, azure: { credential: staticCredential(), dataFactoryClientOptions: { httpClient, retryOptions: { maxRetries: 0 } } } };
}

/** Runs the tenant's pipeline against the fake service and ingests its drops from Azurite into `sink`. */
function runAndIngest(container: ContainerClient, sink: string, options: { rowsClaimed?: number; usersDataset: boolean }) {
  const { written, azure } = dataFactoryWritingDrops(container, options.rowsClaimed);
  const clock = fakeClock(Date.parse("2026-03-02T03:00:00Z"));
  const result = runTenantPipeline({
    target: TARGET,
    azure,
    timing: { sleep: clock.sleep, now: clock.now },
    ingest: {
      container: `${azurite.accountUrl}/${TENANT}`,
      sink,
      keyOptions: { privateKeyPem: keys.privateKeyPem },
      sourceOptions: { connectionString: azurite.connectionString },
      usersDataset: options.usersDataset,
      ingestDrops,
    },
  });
  return { written, result };
}

describe.each(SINK_HARNESSES)("run --ingest: a pipeline run, then its drops into $name", (harness) => {
  afterAll(() => harness.stop());

  it("loads the run's person report and users drops once the run has succeeded", async () => {
    const container = service.getContainerClient(TENANT);
    await container.createIfNotExists();
    const db = await harness.create();
    try {
      const run = runAndIngest(container, db.target, { usersDataset: true });
      const result = await run.result;
      const { written } = run;

      expect(written).toEqual([result.runId]);
      expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Succeeded");
      expect(result.ingest?.drops.map((d) => [d.runFolder, d.status, d.rows])).toEqual([
        [result.runId, "loaded", 6],
        [`${result.runId}-users`, "loaded", 2],
      ]);
      const ledger = await db.query("SELECT run_folder, status, rows FROM viva_drops ORDER BY run_folder");
      expect(ledger.map((r) => [r.run_folder, r.status, Number(r.rows)])).toEqual([
        [result.runId, "loaded", 6],
        [`${result.runId}-users`, "loaded", 2],
      ]);
      const joined = await db.query("SELECT count(*) AS n FROM viva_person_report_users WHERE user_department = 'Sales'");
      expect(Number(joined[0].n)).toBe(4);
    } finally {
      await db.drop();
      await container.deleteIfExists();
    }
  });

  it("exits as ingest does (5) when the run succeeded but its drop fails verification, and loads none of its rows", async () => {
    const container = service.getContainerClient(TENANT);
    await container.createIfNotExists();
    const db = await harness.create();
    try {
      const error = await runAndIngest(container, db.target, { rowsClaimed: 99, usersDataset: false }).result.catch((e: unknown) => e);

      expect(isDropError(error, "DROP_REJECTED"), String(error)).toBe(true);
      expect((error as DropError).exitCode).toBe(5);
      expect((error as Error).message).toMatch(/succeeded but ingest rejected its drop: .*NumberOfRowsExtracted is 99/);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report"))[0].n)).toBe(0);
      expect((await db.query("SELECT status FROM viva_drops")).map((r) => r.status)).toEqual(["rejected"]);
    } finally {
      await db.drop();
      await container.deleteIfExists();
    }
  });
});
