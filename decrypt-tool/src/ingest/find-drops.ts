import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describeAzureFailure } from "../azure-errors";
import { DropError, describeError } from "../errors";
import { GUID_PATTERN } from "../guid";
import { findRunFolders } from "../list-drops";
import type { DropMetadata } from "../metadata/drop-metadata";
import { readDropMetadata } from "../metadata/read-metadata";
import { createBlobServiceClient, isBlobLocation, isPathStyleHost, redactLocation } from "../source/blob-location";
import type { DropFile, DropSource } from "../source/drop-source";
import { resolveSource, scopeSource, type SourceOptions } from "../source/index";

/** One drop found in a tenant container, with what ingest needs to decide about it. */
export interface FoundDrop {
  /** Lower-case tenant GUID: the container's (or folder's) name. */
  tenantId: string;
  runFolder: string;
  /** The tenant container: where {@link runFolder} is. */
  containerLocation: string;
  /** The drop's own files, as a source scoped to its run folder. */
  source: DropSource;
  files: DropFile[];
  /** Its metadata, or why it could not be read. */
  metadata?: DropMetadata;
  problem?: string;
  /** See LedgerRow.filesFingerprint. */
  fingerprint: string;
  /** Total size of the drop's files. */
  sizeBytes: number;
}

/** Options of {@link findDrops}. */
export interface FindDropsOptions extends SourceOptions {
  /** Only these run folders of each tenant container. */
  runFolders?: string[];
}

const METADATA_CONCURRENCY = 8;

/**
 * The drops under `location`, as `list` finds them, oldest first by JobCompletionTime (drops without one
 * first, then by tenant and run folder). `location` is a tenant container (a folder or container URL
 * named by the tenant GUID, holding run folders) or a storage account (a folder holding tenant folders,
 * or an account URL): its containers named by a GUID are the tenants.
 */
export async function findDrops(location: string, options: FindDropsOptions = {}): Promise<FoundDrop[]> {
  const containers = await tenantContainers(location, options);
  const found: FoundDrop[] = [];
  for (const container of containers) found.push(...(await dropsInContainer(container, options)));
  return found.sort(compareDrops);
}

interface TenantContainer {
  tenantId: string;
  location: string;
  /** True when the user named this container (an empty or missing one is then an error). */
  named: boolean;
}

async function tenantContainers(location: string, options: SourceOptions): Promise<TenantContainer[]> {
  if (isBlobLocation(location)) {
    if (!URL.canParse(location)) throw new DropError("USAGE", `not a valid storage URL: ${redactLocation(location)}`);
    const account = accountOf(location);
    if (account === undefined) {
      const container = containerNameOf(location);
      if (!GUID_PATTERN.test(container)) throw notTenantContainer(location);
      return [{ tenantId: container.toLowerCase(), location, named: true }];
    }
    return (await listContainers(account, options)).map((name) => ({ tenantId: name.toLowerCase(), location: withPath(account, name), named: false }));
  }
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new DropError("SOURCE_NOT_FOUND", "no such folder");
  if (!info.isDirectory()) throw new DropError("SOURCE_NOT_FOUND", "not a folder");
  const name = path.basename(path.resolve(location));
  if (GUID_PATTERN.test(name)) return [{ tenantId: name.toLowerCase(), location, named: true }];
  const entries = await readdir(location, { withFileTypes: true }).catch((error: unknown) => {
    throw new DropError("SOURCE_UNREADABLE", `cannot read folder: ${describeError(error)}`, { cause: error });
  });
  const tenants = entries.filter((e) => e.isDirectory() && GUID_PATTERN.test(e.name)).map((e) => e.name).sort();
  if (tenants.length === 0) throw notTenantContainer(location);
  return tenants.map((tenant) => ({ tenantId: tenant.toLowerCase(), location: path.join(location, tenant), named: false }));
}

function notTenantContainer(location: string): DropError {
  return new DropError(
    "SOURCE_NOT_FOUND",
    `${redactLocation(location)} is neither a tenant container (named by the tenant GUID, holding run folders) nor a storage account or folder holding tenant containers`,
  );
}

async function dropsInContainer(container: TenantContainer, options: FindDropsOptions): Promise<FoundDrop[]> {
  const source = resolveSource(container.location, options);
  let files: DropFile[];
  try {
    files = await source.listFiles();
  } catch (error) {
    // An empty container is a tenant with no drops yet; a missing one the user named is an error.
    if (error instanceof DropError && error.code === "SOURCE_NOT_FOUND" && (!container.named || /no blobs/.test(error.message))) return [];
    throw error;
  }
  let folders = findRunFolders(files);
  if (folders.includes("")) {
    throw new DropError("USAGE", `${redactLocation(container.location)} is a single drop; give its tenant container (the folder or container above it)`);
  }
  if (options.runFolders) folders = folders.filter((folder) => options.runFolders!.includes(folder));
  const drops: FoundDrop[] = new Array(folders.length);
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < folders.length) {
      const index = next++;
      drops[index] = await describe(container, source, folders[index], files);
    }
  };
  await Promise.all(Array.from({ length: Math.min(METADATA_CONCURRENCY, folders.length) }, readNext));
  return drops;
}

async function describe(container: TenantContainer, parent: DropSource, runFolder: string, all: DropFile[]): Promise<FoundDrop> {
  const source = scopeSource(parent, runFolder, all);
  const files = await source.listFiles();
  const drop: FoundDrop = {
    tenantId: container.tenantId,
    runFolder,
    containerLocation: container.location,
    source,
    files,
    fingerprint: filesFingerprint(files),
    sizeBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
  try {
    drop.metadata = await readDropMetadata(source, files);
  } catch (error) {
    if (!(error instanceof DropError) || (error.code !== "METADATA_MISSING" && error.code !== "METADATA_INVALID")) throw error;
    drop.problem = error.message;
  }
  return drop;
}

/** SHA-256 of the drop's file listing: each file's path, size and version (ETag or modification time). */
export function filesFingerprint(files: DropFile[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(`${file.path}\t${file.size}\t${file.version ?? ""}\n`);
  return hash.digest("hex");
}

function compareDrops(a: FoundDrop, b: FoundDrop): number {
  const ta = completionTime(a);
  const tb = completionTime(b);
  if (ta !== tb) return ta - tb;
  if (a.tenantId !== b.tenantId) return a.tenantId < b.tenantId ? -1 : 1;
  return a.runFolder < b.runFolder ? -1 : a.runFolder > b.runFolder ? 1 : 0;
}

function completionTime(drop: FoundDrop): number {
  const time = drop.metadata?.jobCompletionTime ? Date.parse(drop.metadata.jobCompletionTime) : Number.NaN;
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

// The account URL (with any SAS) when `location` names a storage account rather than a container.
function accountOf(location: string): string | undefined {
  const url = new URL(location);
  if (/^abfss?:$/.test(url.protocol)) return undefined;
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const pathStyle = isPathStyleHost(url.hostname);
  if (segments.length > (pathStyle ? 1 : 0)) return undefined;
  if (pathStyle && segments.length === 0) throw new DropError("USAGE", `missing account name in ${redactLocation(location)} (expected ${url.origin}/<account>)`);
  return location.replace(/\/+(\?|$)/, "$1");
}

function containerNameOf(location: string): string {
  const url = new URL(location);
  if (/^abfss?:$/.test(url.protocol)) return decodeURIComponent(url.username);
  const segments = url.pathname.split("/").filter((s) => s !== "");
  return decodeURIComponent(segments[isPathStyleHost(url.hostname) ? 1 : 0]);
}

// `<account URL>/<name>`, keeping a SAS query string at the end.
function withPath(accountUrl: string, name: string): string {
  const query = accountUrl.indexOf("?");
  return query < 0 ? `${accountUrl}/${name}` : `${accountUrl.slice(0, query)}/${name}${accountUrl.slice(query)}`;
}

async function listContainers(accountUrl: string, options: SourceOptions): Promise<string[]> {
  const client = createBlobServiceClient(accountUrl, options);
  const names: string[] = [];
  try {
    for await (const container of client.listContainers()) if (GUID_PATTERN.test(container.name)) names.push(container.name);
  } catch (error) {
    throw new DropError("SOURCE_UNREADABLE", `cannot list the account's containers: ${describeAzureFailure(error, "Azure Storage")}`, { cause: error });
  }
  if (names.length === 0) throw notTenantContainer(accountUrl);
  return names.sort();
}
