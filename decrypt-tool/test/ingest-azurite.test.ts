import { rmSync } from "node:fs";
import path from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAzurite, startAzurite } from "../src/demo/azurite";
import { assertBuilt, runCli } from "./support/run-cli";
import { OTHER_TENANT, personRows, TENANT, uploadFolder, userRows, writeDrop, writePem } from "./support/ingest-drops";
import { SINK_HARNESSES } from "./support/sinks";
import { makeKeyPair, makeTempDir, type TestKeyPair } from "./support/test-drop";

let azurite: RunningAzurite;
let keys: TestKeyPair;
let root: string;
let pem: string;
let service: BlobServiceClient;

beforeAll(async () => {
  assertBuilt();
  azurite = await startAzurite();
  keys = makeKeyPair();
  root = makeTempDir("viva-ingest-azurite-");
  pem = writePem(root, keys.privateKeyPem);
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await azurite?.stop();
  rmSync(root, { recursive: true, force: true });
});

const WEEK = ["2024-03-04", "2024-03-11"];

/** Blob names in the container. */
async function blobs(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

/** Writes drops locally and uploads them as run folders of the tenant's container. */
async function seed(tenant: string, drops: { run: string; spec: Parameters<typeof writeDrop>[4]; noData?: boolean }[]): Promise<ContainerClient> {
  const container = service.getContainerClient(tenant);
  await container.createIfNotExists();
  const local = makeTempDir("viva-ingest-seed-");
  try {
    for (const { run, spec, noData } of drops) {
      const dir = writeDrop(local, tenant, run, keys.publicKeyPem, spec);
      if (noData) rmSync(path.join(dir, "data"), { recursive: true, force: true });
      await uploadFolder(container, dir, run);
    }
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  return container;
}

afterAll(async () => {
  for (const harness of SINK_HARNESSES) await harness.stop();
});

describe.each(SINK_HARNESSES)("viva-drop ingest from Azure Blob Storage (Azurite) into $name", (harness) => {
  it("loads a whole storage account, then --delete-after-load deletes only what is committed", async () => {
    const tenant = await seed(TENANT, [
      { run: "r1", spec: { completedAt: "2024-03-11T06:00:00Z", rows: personRows([1, 2], WEEK, () => "1") } },
      { run: "r1-users", spec: { completedAt: "2024-03-11T06:01:00Z", table: "BasicDataSet_v0.User_v1", rows: userRows([1], () => "Sales") } },
      { run: "r2-failed", spec: { completedAt: "2024-03-18T06:00:00Z", metadata: { Errors: "Quota exceeded", DecryptionKeyDetails: undefined, NumberOfRowsExtracted: 0 } }, noData: true },
      { run: "r3-rejected", spec: { completedAt: "2024-03-19T06:00:00Z", rows: personRows([7], WEEK, () => "1"), metadata: { NumberOfRowsExtracted: 5 } } },
    ]);
    const other = await seed(OTHER_TENANT, [{ run: "r1", spec: { completedAt: "2024-03-12T06:00:00Z", rows: personRows([1], WEEK, () => "2") } }]);
    // Not a tenant container: never read.
    await service.getContainerClient("partner-notes").createIfNotExists();
    const db = await harness.create();
    const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    try {
      // First without deleting: everything stays.
      const before = await blobs(tenant);
      const plain = await runCli(["ingest", azurite.accountUrl, "--sink", db.target, "--private-key", pem, "--json"], env);
      expect(plain.stderr).toBe("");
      expect(plain.code).toBe(5);
      const summary = JSON.parse(plain.stdout) as { drops: { tenantId: string; runFolder: string; status: string }[] };
      expect(summary.drops.map((d) => [d.tenantId, d.runFolder, d.status])).toEqual([
        [TENANT, "r1", "loaded"],
        [TENANT, "r1-users", "loaded"],
        [OTHER_TENANT, "r1", "loaded"],
        [TENANT, "r2-failed", "failed"],
        [TENANT, "r3-rejected", "rejected"],
      ]);
      expect(await blobs(tenant)).toEqual(before);

      // A drop loaded earlier is deleted by a later run with --delete-after-load; failed and rejected drops never are.
      await seed(TENANT, [{ run: "r4", spec: { completedAt: "2024-03-25T06:00:00Z", rows: personRows([3], WEEK, () => "4") } }]);
      const deleting = await runCli(["ingest", `${azurite.accountUrl}/${TENANT}`, "--sink", db.target, "--private-key", pem, "--delete-after-load", "--json"], env);
      expect(deleting.code).toBe(5);
      const drops = (JSON.parse(deleting.stdout) as { drops: { runFolder: string; status: string; deleted?: boolean }[] }).drops;
      expect(drops.map((d) => [d.runFolder, d.status, d.deleted])).toEqual([
        ["r1", "alreadyLoaded", true],
        ["r1-users", "alreadyLoaded", true],
        ["r2-failed", "failed", undefined],
        ["r3-rejected", "rejected", undefined],
        ["r4", "loaded", true],
      ]);
      const left = await blobs(tenant);
      expect(left.every((name) => name.startsWith("r2-failed/") || name.startsWith("r3-rejected/"))).toBe(true);
      expect(left.filter((name) => name.startsWith("r3-rejected/data/"))).toHaveLength(1);
      expect(await blobs(other)).toHaveLength(2);
      const ledger = await db.query("SELECT tenant_id, run_folder, status FROM viva_drops ORDER BY tenant_id, run_folder");
      expect(ledger.map((r) => `${r.tenant_id === TENANT ? "T" : "O"} ${r.run_folder} ${r.status}`)).toEqual([
        "O r1 loaded",
        "T r1 loaded",
        "T r1-users loaded",
        "T r2-failed failed",
        "T r3-rejected rejected",
        "T r4 loaded",
      ]);
      expect(Number((await db.query("SELECT count(*) AS n FROM viva_person_report_users WHERE user_department = 'Sales'"))[0].n)).toBe(2);
    } finally {
      await db.drop();
      await tenant.deleteIfExists();
      await other.deleteIfExists();
    }
  });

  it("exits 3 with one line for a container that does not exist, and 2 for a URL that is not one", async () => {
    const db = await harness.create();
    try {
      const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
      const missing = await runCli(["ingest", `${azurite.accountUrl}/1b2c3d4e-0000-4000-8000-000000000000`, "--sink", db.target, "--private-key", pem], env);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toBe(`viva-drop: ${azurite.accountUrl}/1b2c3d4e-0000-4000-8000-000000000000: cannot list blobs: container not found\n`);
      const notTenant = await runCli(["ingest", `${azurite.accountUrl}/partner-notes`, "--sink", db.target, "--private-key", pem], env);
      expect(notTenant.code).toBe(3);
      expect(notTenant.stderr).toMatch(/partner-notes is neither a tenant container/);
      const noAccount = await runCli(["ingest", "http://127.0.0.1:1", "--sink", db.target, "--private-key", pem], env);
      expect(noAccount.code).toBe(2);
      expect(noAccount.stderr).toBe("viva-drop: http://127.0.0.1:1: missing account name in http://127.0.0.1:1 (expected http://127.0.0.1:1/<account>)\n");
    } finally {
      await db.drop();
    }
  });
});
