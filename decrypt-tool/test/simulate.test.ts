import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../src/demo/azurite";
import { openDrop } from "../src/drop";
import { listDrops } from "../src/list-drops";
import { parseColumnsRequested } from "../src/metadata/columns";
import { BlobDropWriter } from "../src/simulate/blob-writer";
import { LocalDropWriter } from "../src/simulate/local-writer";
import { simulateDrop, type SimulateOptions } from "../src/simulate/index";
import { assertBuilt, CLI_BIN, runCli } from "./support/run-cli";

const FIXTURE = path.resolve(__dirname, "../../fixtures/VivaInsightsDataset_v1.json");
const TENANT = "0b7f6e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

let work: string;
let inputFile: string;
let inputRows: Record<string, unknown>[];
let publicKeyFile: string;
let privateKeyFile: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "simulate-test-"));
  // 40 real rows with a blank line and CRLF endings mixed in: blank lines carry nothing.
  const lines = readFileSync(FIXTURE, "utf8").split("\n").slice(0, 40);
  inputRows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  inputFile = path.join(work, "rows.ndjson");
  writeFileSync(inputFile, `${lines.slice(0, 20).join("\r\n")}\n\n${lines.slice(20).join("\n")}\n`);
  publicKeyFile = path.join(work, "public.pem");
  privateKeyFile = path.join(work, "private.pem");
  writeFileSync(publicKeyFile, publicKey);
  writeFileSync(privateKeyFile, privateKey);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function freshOut(): string {
  return mkdtempSync(path.join(work, "out-"));
}

function simulate(overrides: Partial<SimulateOptions> = {}): ReturnType<typeof simulateDrop> {
  return simulateDrop({ input: inputFile, tenantId: TENANT, publicKeyPem: publicKey, out: freshOut(), ...overrides });
}

async function readBack(location: string, connectionString?: string): Promise<{ rows: Record<string, unknown>[]; drop: Awaited<ReturnType<typeof openDrop>> }> {
  const drop = await openDrop(location, { privateKeyPem: privateKey }, connectionString ? { connectionString } : {});
  const rows: Record<string, unknown>[] = [];
  for await (const row of drop.rows()) rows.push(row);
  return { rows, drop };
}

describe("simulateDrop round-trips through the decrypter", () => {
  const variants = [
    { keyText: "utf16le", rsaPadding: "RSA-OAEP", encoding: "utf16le-base64" },
    { keyText: "utf16le", rsaPadding: "RSA-OAEP-256", encoding: "utf16le-base64" },
    { keyText: "utf8", rsaPadding: "RSA-OAEP", encoding: "utf8-base64" },
    { keyText: "utf8", rsaPadding: "RSA-OAEP-256", encoding: "utf8-base64" },
    { keyText: "raw", rsaPadding: "RSA-OAEP", encoding: "raw" },
    { keyText: "raw", rsaPadding: "RSA-OAEP-256", encoding: "raw" },
  ] as const;

  it.each(variants)("key text $keyText wrapped with $rsaPadding", async ({ keyText, rsaPadding, encoding }) => {
    const written = await simulate({ keyText, rsaPadding });
    const { rows, drop } = await readBack(written.location);
    expect(rows).toEqual(inputRows);
    expect(drop.keyEncoding).toBe(encoding);
    expect(drop.rsaPadding).toBe(rsaPadding);
  });

  it("splits rows into parts whose name order is row order", async () => {
    const written = await simulate({ parts: 3 });
    expect(written.dataFiles).toEqual(["data/part-00001.json.gz.enc", "data/part-00002.json.gz.enc", "data/part-00003.json.gz.enc"]);
    const { rows, drop } = await readBack(written.location);
    expect(drop.dataFiles.map((f) => f.path)).toEqual(written.dataFiles);
    expect(rows).toEqual(inputRows);
  });

  it("writes empty parts when there are more parts than rows", async () => {
    const small = path.join(work, "three-rows.ndjson");
    writeFileSync(small, inputRows.slice(0, 3).map((r) => JSON.stringify(r)).join("\n"));
    const written = await simulate({ input: small, parts: 5 });
    expect(written.dataFiles).toHaveLength(5);
    expect((await readBack(written.location)).rows).toEqual(inputRows.slice(0, 3));
  });

  it("writes a valid drop from an empty input", async () => {
    const empty = path.join(work, "empty.ndjson");
    writeFileSync(empty, "\n");
    const written = await simulate({ input: empty });
    expect(written.metadata.NumberOfRowsExtracted).toBe(0);
    expect((await readBack(written.location)).rows).toEqual([]);
  });

  it("writes the Graph Data Connect layout", async () => {
    const written = await simulate({ layout: "mgdc", parts: 2 });
    expect(written.metadataPath).toBe("metadata/MoreMetadata/EncryptedDatasets/encryptionKeyDetails.json");
    expect(Object.keys(written.metadata).sort()).toEqual(["DecryptionKeyIV", "DecryptionKeyValue", "PublicKeyVersion"]);
    const { rows, drop } = await readBack(written.location);
    expect(drop.metadata.layout).toBe("mgdc");
    expect(rows).toEqual(inputRows);
  });
});

describe("Metadata.json", () => {
  it("fills every field of the seed's table from the rows", async () => {
    const written = await simulate();
    const file = JSON.parse(readFileSync(path.join(written.location, "metadata/JobMetadata/Metadata.json"), "utf8")) as Record<string, unknown>;
    expect(file).toEqual(written.metadata);
    expect(Object.keys(file)).toEqual([
      "CopyActivityId", "JobSubmissionTime", "JobCompletionTime", "RequestStartDate", "RequestEndDate", "ColumnsRequested",
      "NumberOfRowsExtracted", "DataFactoryName", "TenantId", "Errors", "TableName", "ApplicationId", "OfficeGeo",
      "ExtractionResultId", "PublicKeyVersion", "DecryptionKeyDetails",
    ]);
    const dates = inputRows.map((r) => r.MetricDate as string).sort();
    const columns = [...new Set(inputRows.flatMap((r) => Object.keys(r)))];
    expect(file).toMatchObject({
      RequestStartDate: dates[0],
      RequestEndDate: dates.at(-1),
      NumberOfRowsExtracted: 40,
      TenantId: TENANT,
      Errors: "",
      TableName: "VivaInsightsDataset_PersonReport_v1",
      DecryptionKeyDetails: { DecryptionKeyType: "File" },
    });
    expect(parseColumnsRequested(file.ColumnsRequested as string).columns).toEqual(columns);
    expect(file.CopyActivityId).toMatch(GUID);
    expect(file.ExtractionResultId).toMatch(GUID);
    expect(file.ApplicationId).toMatch(GUID);
    expect(file.PublicKeyVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(file.JobCompletionTime as string)).toBeGreaterThanOrEqual(Date.parse(file.JobSubmissionTime as string));
    const details = file.DecryptionKeyDetails as { value: string; iv: string };
    expect(Buffer.from(details.value, "base64")).toHaveLength(256);
    expect(Buffer.from(details.iv, "base64")).toHaveLength(16);
    const again = await simulate();
    expect(again.metadata.CopyActivityId).not.toBe(file.CopyActivityId);
  });

  it("without MetricDate, requests the pipeline's default 14 days up to the run", async () => {
    const users = path.resolve(__dirname, "../../fixtures/BasicDataSet_v0.User_v1.json");
    const written = await simulate({ input: users, tableName: "BasicDataSet_v0.User_v1" });
    const { RequestStartDate, RequestEndDate, JobSubmissionTime, NumberOfRowsExtracted } = written.metadata as Record<string, string>;
    expect(RequestEndDate).toBe(JobSubmissionTime);
    expect(Date.parse(RequestEndDate) - Date.parse(RequestStartDate)).toBe(14 * 24 * 3600 * 1000);
    expect(NumberOfRowsExtracted).toBe(10);
  });

  it("takes table name, dates, key version and run folder from options", async () => {
    const written = await simulate({
      tableName: "BasicDataSet_v0.User_v1",
      requestStartDate: "2022-09-01T00:00:00Z",
      requestEndDate: "2022-09-30T00:00:00Z",
      publicKeyVersion: "0123456789abcdef0123456789abcdef",
      runFolder: "run-42",
    });
    expect(path.basename(written.location)).toBe("run-42");
    expect(written.metadata).toMatchObject({
      TableName: "BasicDataSet_v0.User_v1",
      RequestStartDate: "2022-09-01T00:00:00Z",
      RequestEndDate: "2022-09-30T00:00:00Z",
      PublicKeyVersion: "0123456789abcdef0123456789abcdef",
    });
  });
});

describe("a drop from simulate, read by other implementations", () => {
  it("decrypts with the openssl and gzip command-line tools", async () => {
    const written = await simulate({ parts: 2 });
    const details = written.metadata.DecryptionKeyDetails as { value: string; iv: string };
    const wrapped = path.join(work, `wrapped-${randomUUID()}.bin`);
    writeFileSync(wrapped, Buffer.from(details.value, "base64"));
    const keyText = execFileSync("openssl", ["pkeyutl", "-decrypt", "-inkey", privateKeyFile, "-pkeyopt", "rsa_padding_mode:oaep", "-in", wrapped]);
    expect(keyText).toHaveLength(88);
    const keyHex = Buffer.from(keyText.toString("utf16le"), "base64").toString("hex");
    const ivHex = Buffer.from(details.iv, "base64").toString("hex");
    const text = written.dataFiles
      .map((file) => {
        const gzip = execFileSync("openssl", ["enc", "-d", "-aes-256-cbc", "-K", keyHex, "-iv", ivHex, "-in", path.join(written.location, file)]);
        return execFileSync("gzip", ["-dc"], { input: gzip }).toString("utf8");
      })
      .join("");
    expect(text.trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual(inputRows);
  });

  const cliVariants = [
    { keyText: "utf16le", rsaPadding: "RSA-OAEP", layout: "viva", parts: "1" },
    { keyText: "utf8", rsaPadding: "RSA-OAEP-256", layout: "viva", parts: "2" },
    { keyText: "raw", rsaPadding: "RSA-OAEP-256", layout: "mgdc", parts: "3" },
  ];

  it.each(cliVariants)("round-trips through the built CLI: simulate --key-text $keyText --rsa-padding $rsaPadding --layout $layout --parts $parts, then decrypt", async (variant) => {
    assertBuilt();
    const out = freshOut();
    const flags = Object.entries(variant).flatMap(([name, value]) => [`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value]);
    const simulated = await runCli(["simulate", "--input", inputFile, "--tenant", TENANT, "--public-key", publicKeyFile, "--out", out, "--run-folder", "cli-run", ...flags]);
    expect(simulated.stderr).toBe("");
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toMatch(/rows +40\n/);
    const decrypted = await runCli(["decrypt", path.join(out, "cli-run"), "--private-key", privateKeyFile]);
    expect(decrypted.stderr).toBe("");
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual(inputRows);
  });
});

describe("simulate into blob storage (Azurite)", () => {
  let azurite: RunningAzurite;
  let containerUrl: string;
  let blobService: BlobServiceClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await blobService.getContainerClient(TENANT).create();
    containerUrl = `${azurite.accountUrl}/${TENANT}`;
  });
  afterAll(async () => azurite?.stop());

  async function blobNames(container = TENANT): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of blobService.getContainerClient(container).listBlobsFlat()) names.push(blob.name);
    return names.sort();
  }

  it("uploads a drop that the decrypter lists and reads from the container", async () => {
    const written = await simulate({ out: containerUrl, connectionString: azurite.connectionString, parts: 2, runFolder: "blob-run" });
    expect(written.location).toBe(`${containerUrl}/blob-run`);
    const listed = await listDrops(containerUrl, { connectionString: azurite.connectionString });
    expect(listed.map((d) => [d.runFolder, d.rowsClaimed])).toEqual([["blob-run", 40]]);
    expect((await readBack(written.location, azurite.connectionString)).rows).toEqual(inputRows);
  });

  it("refuses a missing container and an existing run folder, writing nothing", async () => {
    const before = await blobNames();
    await expect(simulate({ out: `${azurite.accountUrl}/no-such-container`, connectionString: azurite.connectionString })).rejects.toThrow(
      /container no-such-container not found/,
    );
    await expect(simulate({ out: containerUrl, connectionString: azurite.connectionString, runFolder: "blob-run" })).rejects.toThrow(/already exists/);
    expect(await blobNames()).toEqual(before);
  });

  it("deletes what it uploaded when a file fails half-way", async () => {
    const writer = new BlobDropWriter(containerUrl, "failing-run", { connectionString: azurite.connectionString });
    await writer.prepare();
    await writer.writeFile("data/part-00001.json.gz.enc", async (destination) => {
      destination.end(Buffer.alloc(1000, 1));
      await new Promise((resolve) => destination.once("finish", resolve));
    });
    expect((await blobNames()).filter((n) => n.startsWith("failing-run/"))).toHaveLength(1);
    await expect(
      writer.writeFile("data/part-00002.json.gz.enc", async (destination) => {
        destination.write(Buffer.alloc(1000, 2));
        throw new Error("disk on fire");
      }),
    ).rejects.toThrow(/disk on fire/);
    await writer.abort();
    expect((await blobNames()).filter((n) => n.startsWith("failing-run/"))).toEqual([]);
  });
});

describe("local output leaves nothing behind on failure", () => {
  it("never overwrites an existing run folder", async () => {
    const out = freshOut();
    const first = await simulate({ out, runFolder: "same" });
    const before = readFileSync(path.join(first.location, "metadata/JobMetadata/Metadata.json"), "utf8");
    await expect(simulate({ out, runFolder: "same" })).rejects.toThrow(/same already exists/);
    expect(readdirSync(out)).toEqual(["same"]);
    expect(readFileSync(path.join(first.location, "metadata/JobMetadata/Metadata.json"), "utf8")).toBe(before);
  });

  it("removes the temp run folder and the folders it created", async () => {
    const parent = freshOut();
    const writer = new LocalDropWriter(path.join(parent, "a", "b"), "run");
    await writer.prepare();
    await writer.writeFile("data/part-00001.json.gz.enc", async (destination) => {
      destination.end("x");
      await new Promise((resolve) => destination.once("finish", resolve));
    });
    expect(readdirSync(path.join(parent, "a", "b"))).toHaveLength(1);
    await writer.abort();
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe("interrupted (Ctrl-C): nothing of the drop is kept", () => {
  let bigInput: string;
  beforeAll(() => {
    // ~20 MB of rows: writing takes long enough that the interruption lands mid-way.
    const lines = readFileSync(FIXTURE, "utf8").split("\n").filter((l) => l.trim() !== "");
    bigInput = path.join(work, "big.ndjson");
    writeFileSync(bigInput, `${Array.from({ length: 8 }, () => lines.join("\n")).join("\n")}\n`);
  });

  // Calls `act` once the writer's hidden temp run folder appears in `out`.
  function whenTempFolderAppears(out: string, act: () => void): () => void {
    const watcher = watch(out, () => {
      if (readdirSync(out).some((name) => name.includes(".partial-"))) {
        watcher.close();
        act();
      }
    });
    return () => watcher.close();
  }

  it("simulateDrop with an aborted signal rejects and removes its temp folder", async () => {
    const out = freshOut();
    const controller = new AbortController();
    const stop = whenTempFolderAppears(out, () => controller.abort());
    try {
      await expect(simulate({ out, input: bigInput, parts: 4, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    } finally {
      stop();
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("viva-drop simulate on %s exits %i with one line and leaves the --out folder empty", async (signal, exitCode) => {
    const out = freshOut();
    const child = spawn(process.execPath, [CLI_BIN, "simulate", "--input", bigInput, "--tenant", TENANT, "--public-key", publicKeyFile, "--out", out, "--parts", "4", "-q"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const stop = whenTempFolderAppears(out, () => child.kill(signal));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    stop();
    expect(code).toBe(exitCode);
    expect(Buffer.concat(stderr).toString()).toBe(`viva-drop: simulate: interrupted (${signal}); nothing of the drop was kept\n`);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("bad input: one clear message, exit code 2, nothing written", () => {
  const cases: [string, (files: { out: string }) => string[], RegExp][] = [
    ["missing input file", ({ out }) => ["--input", path.join(work, "nope.ndjson"), "--tenant", TENANT, "--public-key", publicKeyFile, "--out", out], /--input .*nope\.ndjson: no such file/],
    ["bad tenant GUID", ({ out }) => ["--input", inputFile, "--tenant", "contoso", "--public-key", publicKeyFile, "--out", out], /--tenant "contoso": must be a GUID/],
    ["non-PEM key", ({ out }) => ["--input", inputFile, "--tenant", TENANT, "--public-key", inputFile, "--out", out], /--public-key: not a PEM public key/],
    ["private key passed as public", ({ out }) => ["--input", inputFile, "--tenant", TENANT, "--public-key", privateKeyFile, "--out", out], /--public-key: this is a private key/],
    ["--parts 0", ({ out }) => ["--input", inputFile, "--tenant", TENANT, "--public-key", publicKeyFile, "--out", out, "--parts", "0"], /--parts 0: must be at least 1/],
    ["a row that is not JSON", ({ out }) => ["--input", badRowsFile(), "--tenant", TENANT, "--public-key", publicKeyFile, "--out", out], /--input .*bad-rows\.ndjson line 2: not JSON/],
  ];

  function badRowsFile(): string {
    const file = path.join(work, "bad-rows.ndjson");
    writeFileSync(file, '{"PersonId":"a"}\n{"PersonId":\n');
    return file;
  }

  it.each(cases)("%s", async (_name, args, message) => {
    assertBuilt();
    const parent = freshOut();
    const out = path.join(parent, TENANT);
    const result = await runCli(["simulate", ...args({ out })]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(parent)).toEqual([]);
  });
});
