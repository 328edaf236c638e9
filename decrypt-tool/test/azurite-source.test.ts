import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BlobServiceClient, ContainerSASPermissions, type ContainerClient, generateBlobSASQueryParameters, StorageSharedKeyCredential } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectDrop, listDrops, openDrop } from "../src/index";
import { type RunningAzurite, startAzurite } from "../src/demo/azurite";
import { collectRows, rejectionOf } from "./support/collect";
import { uploadFolder } from "./support/ingest-drops";
import { assertBuilt, runCli } from "./support/run-cli";
import { makeKeyPair, makeTempDir, sampleRows, toNdjson, writeTestDrop, type TestKeyPair } from "./support/test-drop";

const TENANT = "a1b2c3d4-0000-4000-8000-00000000abcd";

let azurite: RunningAzurite;
let keys: TestKeyPair;
let root: string;
let pemFile: string;
let container: ContainerClient;
const rows = sampleRows(9);

beforeAll(async () => {
  assertBuilt();
  azurite = await startAzurite();
  keys = makeKeyPair();
  root = makeTempDir();
  pemFile = path.join(root, "key.pem");
  writeFileSync(pemFile, keys.privateKeyPem);
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(TENANT);
  await container.create();
  const good = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, tenantId: TENANT, parts: [toNdjson(rows.slice(0, 4)), toNdjson(rows.slice(4))] });
  const failed = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, tenantId: TENANT, metadata: { Errors: "Quota exceeded", DecryptionKeyDetails: undefined, NumberOfRowsExtracted: 0 } });
  rmSync(path.join(failed.dir, "data"), { recursive: true });
  await uploadFolder(container, good.dir, "2024-04-01-run");
  await uploadFolder(container, failed.dir, "2024-04-08-run");
  // ADLS Gen2 accounts list their directories as empty marker blobs; a reader must skip them.
  await container.getBlockBlobClient("2024-04-01-run/data").upload("", 0, { metadata: { hdi_isfolder: "true" } });
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function blobSnapshot(): Promise<string[]> {
  const out: string[] = [];
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) out.push(`${blob.name} ${blob.properties.etag} ${blob.properties.lastModified?.toISOString()}`);
  return out;
}

const dropUrl = () => `${azurite.accountUrl}/${TENANT}/2024-04-01-run`;

describe("drops in Azure Blob Storage (Azurite)", () => {
  it("decrypts a drop read through the Blob API, skipping directory markers", async () => {
    const opened = await openDrop(dropUrl(), { privateKeyPem: keys.privateKeyPem }, { connectionString: azurite.connectionString });
    expect(opened.dataFiles.map((f) => f.path)).toEqual(["data/part-00000.json.gz.enc", "data/part-00001.json.gz.enc"]);
    expect(await collectRows(opened.rows())).toEqual(rows);
  });

  it("inspects without a key", async () => {
    const summary = await inspectDrop(dropUrl(), { connectionString: azurite.connectionString });
    expect(summary.metadata.tenantId).toBe(TENANT);
    expect(summary.metadata.rowsClaimed).toBe(9);
  });

  it("lists the drops of a tenant container, failed runs included", async () => {
    const drops = await listDrops(`${azurite.accountUrl}/${TENANT}`, { connectionString: azurite.connectionString });
    expect(drops.map((d) => [d.runFolder, d.rowsClaimed, d.errors])).toEqual([
      ["2024-04-01-run", 9, undefined],
      ["2024-04-08-run", 0, "Quota exceeded"],
    ]);
    expect(drops[0].sizeBytes).toBeGreaterThan(0);
    expect(drops[0].tableName).toBe("VivaInsightsDataset_PersonReport_v1");
  });

  it("verify, list and decrypt --output work from the CLI with the connection string from the environment", async () => {
    const before = await blobSnapshot();
    const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    const verify = await runCli(["verify", dropUrl(), "--private-key", pemFile, "--json"], env);
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ rows: 9, rowsClaimed: 9, people: 3, dataFiles: 2, keyEncoding: "utf16le-base64" });

    const list = await runCli(["list", `${azurite.accountUrl}/${TENANT}`], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/2024-04-01-run\s+VivaInsightsDataset_PersonReport_v1 .* 9 .* ok/);
    expect(list.stdout).toMatch(/2024-04-08-run .* failed: Quota exceeded/);

    const output = path.join(root, "from-blob.ndjson");
    const decrypt = await runCli(["decrypt", dropUrl(), "--private-key", pemFile, "--output", output, "--quiet"], env);
    expect(decrypt.code).toBe(0);
    expect(readFileSync(output, "utf8")).toBe(toNdjson(rows));
    expect(await blobSnapshot()).toEqual(before);
  });

  it("exits 3 with the service's text for a failed run", async () => {
    const result = await runCli(["inspect", `${azurite.accountUrl}/${TENANT}/2024-04-08-run`, "--connection-string", azurite.connectionString]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/status\s+FAILED: Quota exceeded/);
    expect(result.stderr).toBe(`viva-drop: ${azurite.accountUrl}/${TENANT}/2024-04-08-run: the service reported a failed run: Quota exceeded\n`);
  });

  it("reports a missing container or run folder as SOURCE_NOT_FOUND", async () => {
    const noContainer = await rejectionOf(() => inspectDrop(`${azurite.accountUrl}/no-such-container/run`, { connectionString: azurite.connectionString }));
    expect(noContainer).toMatchObject({ code: "SOURCE_NOT_FOUND", exitCode: 3 });
    expect(noContainer.message).toMatch(/container not found/);
    const noRun = await runCli(["verify", `${azurite.accountUrl}/${TENANT}/no-such-run`, "--private-key", pemFile], { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
    expect(noRun.code).toBe(3);
    expect(noRun.stderr).toBe(`viva-drop: ${azurite.accountUrl}/${TENANT}/no-such-run: no blobs at this location\n`);
  });

  it("reads a drop through a SAS URL and never prints the SAS signature, also when it is refused", async () => {
    // Azurite's well-known development account, as in its connection string.
    const accountKey = /AccountKey=([^;]+)/.exec(azurite.connectionString)![1];
    const credential = new StorageSharedKeyCredential("devstoreaccount1", accountKey);
    const sas = generateBlobSASQueryParameters(
      { containerName: TENANT, permissions: ContainerSASPermissions.parse("rl"), expiresOn: new Date(Date.now() + 3_600_000) },
      credential,
    ).toString();
    const signature = new URLSearchParams(sas).get("sig")!;
    const good = await runCli(["verify", `${azurite.accountUrl}/${TENANT}/2024-04-01-run?${sas}`, "--private-key", pemFile, "--json"]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ rows: 9, location: expect.stringContaining("sig=REDACTED") });
    expect(good.stdout + good.stderr).not.toContain(signature);

    const forged = sas.replace(/sig=[^&]+/, "sig=Zm9yZ2Vk");
    const refused = await runCli(["list", `${azurite.accountUrl}/${TENANT}?${forged}`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^viva-drop: \S+sig=REDACTED\S*: cannot list blobs: access denied \(HTTP 403 \w+\); the identity needs the Storage Blob Data Reader role, or the SAS token/);
    expect(refused.stderr).not.toContain("Zm9yZ2Vk");
    expect(refused.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  });
});
