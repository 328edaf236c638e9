import { generateKeyPairSync, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TokenCredential } from "@azure/identity";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import type { ReadProgress } from "../decrypt/read-data";
import { type DropSummary, inspectDrop, openDrop, type VerifyResult, verifyDrop } from "../drop";
import { describeAzureFailure } from "../azure-errors";
import { DropError, describeError } from "../errors";
import { GUID_PATTERN } from "../guid";
import { type DropListing, listDrops } from "../list-drops";
import { createBlobServiceClient, isPathStyleHost, redactLocation } from "../source/blob-location";
import { resolveSource, scopeSource, type SourceOptions } from "../source/index";
import { simulateDrop } from "../simulate/index";
import { usageErrorFrom } from "../usage-error";
import { startAzurite } from "./azurite";
import type { CleanupStack } from "./cleanup";
import { type MetricMean, MetricMeans } from "./headline-metrics";
import { type DemoIngest, demoWorkFolder, ingestDemo, joinableUsersSample } from "./ingest-demo";
import { type SampleDataset, sampleDatasets } from "./sample-data";

const demoOptionsSchema = z
  .object({
    tenantId: z.string().regex(GUID_PATTERN, "must be a GUID").optional(),
    keepEmulator: z.boolean().default(false),
    accountUrl: z
      .string()
      .refine(isAccountUrl, "must be a storage account URL such as https://<account>.blob.core.windows.net (no container or path: the demo creates the tenant container)")
      .optional(),
    keep: z.boolean().default(false),
    connectionString: z.string().min(1).optional(),
    credential: z.custom<TokenCredential>((value) => typeof (value as TokenCredential | undefined)?.getToken === "function").optional(),
  })
  .refine((o) => !(o.keepEmulator && o.accountUrl), { message: "--keep-emulator applies to the local emulator only, not to --account-url", path: ["keepEmulator"] })
  .refine((o) => !(o.keep && !o.accountUrl), { message: "--keep applies to --account-url only; use --keep-emulator to keep the local emulator's drops", path: ["keep"] });

// https://<account>.blob.core.windows.net, or an emulator's path-style http://127.0.0.1:<port>/<account>.
function isAccountUrl(value: string): boolean {
  if (!/^https?:\/\/[^/?#]+(\/[^/?#]+)?\/?$/.test(value)) return false;
  const url = new URL(value);
  const segments = url.pathname.split("/").filter((segment) => segment !== "").length;
  return isPathStyleHost(url.hostname) ? segments === 1 : segments === 0;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Tenant GUID (container name and TenantId); default: a random GUID. */
  tenantId?: string;
  /** Leave the emulator running (and its data) after the demo. */
  keepEmulator?: boolean;
  /** Use this storage account instead of the emulator (DefaultAzureCredential unless `connectionString`/`credential`). */
  accountUrl?: string;
  /** With `accountUrl`: keep the drops (and a container the demo created) instead of deleting them. */
  keep?: boolean;
  connectionString?: string;
  credential?: TokenCredential;
  /** Undo steps are registered here; the caller runs them (also on signals). */
  cleanup: CleanupStack;
  /** One status line (for stderr). */
  log?: (line: string) => void;
  /** Read progress of the verify pass of each drop. */
  onProgress?: (drop: string, progress: ReadProgress) => void;
}

/** Where the demo wrote. */
export interface DemoStorage {
  kind: "emulator" | "account";
  accountUrl: string;
  containerUrl: string;
  /** Emulator only. */
  connectionString?: string;
  pid?: number;
  dataDir?: string;
  /** True when the demo created the container. */
  createdContainer: boolean;
  /**
   * With --keep-emulator only: the tenant's private key, written (mode 0600) into the emulator's data
   * folder so the kept drops stay decryptable; removed with that folder.
   */
  privateKeyFile?: string;
}

/** One drop as the demo read it back. */
export interface DemoDrop {
  runFolder: string;
  tableName: string;
  summary: DropSummary;
  verified: VerifyResult;
}

/** Everything the demo found, for the summary. */
export interface DemoResult {
  tenantId: string;
  storage: DemoStorage;
  /** What listDrops found in the tenant container. */
  listed: DropListing[];
  personReport: DemoDrop & { metrics: MetricMean[] };
  users: DemoDrop;
  /** Both drops ingested into a temporary DuckDB file, and the join queried. */
  ingest: DemoIngest;
}

/**
 * The end-to-end demo: a tenant container (on a local Azurite emulator, or a real account), a fresh
 * RSA-2048 tenant key pair, two simulated drops from the bundled samples, read back through the
 * production path (listDrops → inspectDrop → verifyDrop → openDrop().rows()), then ingested into a
 * temporary DuckDB file (ingestDrops) and queried through the join view. Registers every undo step on
 * `options.cleanup`; the caller runs it.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const resolved = resolveDemoOptions(options);
  const log = options.log ?? (() => undefined);
  const { cleanup } = options;
  const tenantId = resolved.tenantId ?? randomUUID();
  const samples = sampleDatasets();

  const { storage, auth } = resolved.accountUrl
    ? { storage: accountStorage(resolved.accountUrl, tenantId), auth: { connectionString: resolved.connectionString, credential: resolved.credential } }
    : await emulatorStorage(tenantId, resolved.keepEmulator, cleanup, log);
  const container = createBlobServiceClient(storage.accountUrl, auth).getContainerClient(tenantId);
  storage.createdContainer = await createContainer(container);
  log(`${storage.createdContainer ? "created" : "using existing"} tenant container ${storage.containerUrl}`);
  if (storage.kind === "account" && storage.createdContainer && !resolved.keep) cleanup.add("delete the demo container", () => container.delete().then(() => undefined));

  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  log("generated a tenant RSA-2048 key pair in memory");
  if (storage.kind === "emulator" && resolved.keepEmulator && storage.dataDir) {
    storage.privateKeyFile = path.join(storage.dataDir, `${tenantId}.private-key.pem`);
    writeFileSync(storage.privateKeyFile, privateKey, { mode: 0o600 });
  }

  const simulateInto = async (sample: SampleDataset, parts: number): Promise<string> => {
    const runFolder = `demo-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomUUID().slice(0, 8)}`;
    if (storage.kind === "account" && !resolved.keep) cleanup.add(`delete drop ${runFolder}`, () => deleteFolder(container, runFolder));
    const drop = await simulateDrop({
      input: sample.file,
      tenantId,
      publicKeyPem: publicKey,
      out: storage.containerUrl,
      tableName: sample.tableName,
      parts,
      runFolder,
      ...auth,
    });
    log(`simulated ${sample.tableName}: ${drop.rows} rows in ${drop.dataFiles.length} data file(s) → ${drop.location}`);
    return runFolder;
  };
  const work = demoWorkFolder(cleanup);
  const personFolder = await simulateInto(samples.personReport, 2);
  const usersFolder = await simulateInto({ ...samples.users, file: joinableUsersSample(samples.users.file, samples.personReport.file, work) }, 1);

  // The container is listed once: listDrops and every later step of each drop share that listing.
  const containerSource = resolveSource(storage.containerUrl, auth);
  const files = await containerSource.listFiles();
  const listed = await listDrops({ location: containerSource.location, listFiles: async () => files, openRead: (file) => containerSource.openRead(file) });
  log(`listed ${listed.length} drop(s) in the tenant container`);
  const keyOptions = { privateKeyPem: privateKey };
  const readBack = async (runFolder: string): Promise<DemoDrop> => {
    const listing = listed.find((d) => d.runFolder === runFolder);
    if (!listing) throw new DropError("SOURCE_NOT_FOUND", `listDrops did not find the drop ${runFolder} just written`);
    const drop = scopeSource(containerSource, runFolder, files);
    const summary = await inspectDrop(drop);
    const verified = await verifyDrop(drop, keyOptions, { onProgress: (p) => options.onProgress?.(runFolder, p) });
    log(`verified ${runFolder}: ${verified.rows} rows`);
    return { runFolder, tableName: summary.metadata.tableName ?? "", summary, verified };
  };

  const personDrop = await readBack(personFolder);
  const means = new MetricMeans();
  for await (const row of (await openDrop(scopeSource(containerSource, personFolder, files), keyOptions)).rows()) means.add(row);
  const usersDrop = await readBack(usersFolder);
  const ingest = await ingestDemo(storage.containerUrl, keyOptions, { ...auth, runFolders: [personFolder, usersFolder] }, work);
  log(`ingested ${ingest.summary.loaded} drop(s), ${ingest.summary.rows} rows, into a temporary DuckDB file`);
  return { tenantId, storage, listed, personReport: { ...personDrop, metrics: means.results() }, users: usersDrop, ingest };
}

function resolveDemoOptions(options: DemoOptions): z.output<typeof demoOptionsSchema> {
  const { cleanup: _cleanup, log: _log, onProgress: _onProgress, ...rest } = options;
  const result = demoOptionsSchema.safeParse(rest);
  if (result.success) return result.data;
  throw usageErrorFrom(result.error, rest, { tenantId: "--tenant", accountUrl: "--account-url", keepEmulator: "--keep-emulator", keep: "--keep" });
}

function accountStorage(accountUrl: string, tenantId: string): DemoStorage {
  const trimmed = accountUrl.replace(/\/+$/, "");
  return { kind: "account", accountUrl: trimmed, containerUrl: `${trimmed}/${tenantId}`, createdContainer: false };
}

async function emulatorStorage(
  tenantId: string,
  keep: boolean,
  cleanup: CleanupStack,
  log: (line: string) => void,
): Promise<{ storage: DemoStorage; auth: SourceOptions }> {
  log("starting the Azurite emulator on a free loopback port...");
  let emulator;
  try {
    emulator = await startAzurite({
      detached: keep,
      onLaunched: (launched) => {
        if (!keep) cleanup.add("stop Azurite and remove its data", () => launched.stop());
      },
    });
  } catch (error) {
    throw new DropError("SOURCE_UNREADABLE", `cannot start the Azurite emulator: ${describeError(error)}`, { cause: error });
  }
  log(`Azurite answering at ${emulator.accountUrl} (pid ${emulator.pid}, data in ${emulator.dataDir})`);
  return {
    storage: {
      kind: "emulator",
      accountUrl: emulator.accountUrl,
      containerUrl: `${emulator.accountUrl}/${tenantId}`,
      connectionString: emulator.connectionString,
      pid: emulator.pid,
      dataDir: emulator.dataDir,
      createdContainer: false,
    },
    auth: { connectionString: emulator.connectionString },
  };
}

async function createContainer(container: ContainerClient): Promise<boolean> {
  try {
    return (await container.createIfNotExists()).succeeded;
  } catch (error) {
    throw new DropError("SOURCE_UNREADABLE", `cannot create or reach container ${redactLocation(container.url)}: ${describeAzureFailure(error, "Azure Storage")}`, {
      cause: error,
    });
  }
}

// Deepest names first, so ADLS Gen2 directory markers are empty when their turn comes.
async function deleteFolder(container: ContainerClient, folder: string): Promise<void> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${folder}/` })) names.push(blob.name);
  names.push(folder);
  for (const name of names.sort((a, b) => b.length - a.length)) await container.deleteBlob(name).catch(() => undefined);
}
