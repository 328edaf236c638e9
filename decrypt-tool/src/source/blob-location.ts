import type { TokenCredential } from "@azure/identity";
import type { BlobServiceClient } from "@azure/storage-blob";
import { identitySdk, storageBlobSdk } from "../azure-sdk";
import { DropError } from "../errors";

/** Where a drop (or a tenant container) lives in Azure Storage. */
export interface BlobLocation {
  /** Account endpoint without container, e.g. `https://acct.blob.core.windows.net` or `http://127.0.0.1:10000/devstoreaccount1`. */
  accountUrl: string;
  containerName: string;
  /** Path inside the container without leading or trailing slash; `""` for the container root. */
  prefix: string;
  /** SAS query string (with leading `?`) when the URL carried one. */
  sasToken?: string;
}

/** How to authenticate to Azure Storage. */
export interface BlobAuthOptions {
  /** A storage connection string; wins over `credential`. */
  connectionString?: string;
  /** An Entra ID credential; defaults to `DefaultAzureCredential`. */
  credential?: TokenCredential;
}

/** True when `location` names Azure Storage rather than a local folder. */
export function isBlobLocation(location: string): boolean {
  return /^(https?|abfss?):\/\//i.test(location);
}

/**
 * Splits a storage URL into account endpoint, container and prefix.
 * Accepts `https://<account>.blob.core.windows.net/<container>/<prefix>`, the Data Lake form
 * (`.dfs.` host or `abfss://<container>@<account>.dfs.core.windows.net/<prefix>`, read through the Blob
 * endpoint) and the emulator's path style `http://127.0.0.1:<port>/<account>/<container>/<prefix>`.
 */
export function parseBlobLocation(location: string): BlobLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new DropError("USAGE", `not a valid storage URL: ${location}`);
  }
  const segments = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  const sasToken = url.search.length > 1 ? url.search : undefined;

  if (url.protocol === "abfs:" || url.protocol === "abfss:") {
    const containerName = decodeURIComponent(url.username);
    if (containerName === "") throw new DropError("USAGE", `missing container in ${location} (expected abfss://<container>@<account>.dfs.core.windows.net/<path>)`);
    return withSas({ accountUrl: `https://${toBlobHost(url.hostname)}`, containerName, prefix: segments.join("/") }, sasToken);
  }

  const pathStyle = isPathStyleHost(url.hostname);
  const accountSegments = pathStyle ? 1 : 0;
  const containerName = segments[accountSegments];
  if (pathStyle && segments.length === 0) throw new DropError("USAGE", `missing account name in ${location} (expected ${url.origin}/<account>/<container>/<path>)`);
  if (containerName === undefined) throw new DropError("USAGE", `missing container name in ${location}`);
  const origin = `${url.protocol}//${pathStyle ? url.host : toBlobHost(url.host)}`;
  const accountUrl = pathStyle ? `${origin}/${encodeURIComponent(segments[0])}` : origin;
  return withSas({ accountUrl, containerName, prefix: segments.slice(accountSegments + 1).join("/") }, sasToken);
}

/**
 * A Blob service client for `accountUrl`: from the connection string when given, anonymous when the
 * URL carries a SAS token, otherwise with `credential` (default `DefaultAzureCredential`).
 */
export function createBlobServiceClient(accountUrl: string, options: BlobAuthOptions = {}): BlobServiceClient {
  const { AnonymousCredential, BlobServiceClient } = storageBlobSdk();
  if (options.connectionString) return BlobServiceClient.fromConnectionString(options.connectionString);
  if (accountUrl.includes("?")) return new BlobServiceClient(accountUrl, new AnonymousCredential());
  return new BlobServiceClient(accountUrl, options.credential ?? new (identitySdk().DefaultAzureCredential)());
}

/** `createBlobServiceClient` for a parsed location (keeps a SAS token if the URL had one). */
export function blobServiceClientFor(location: BlobLocation, options: BlobAuthOptions = {}): BlobServiceClient {
  return createBlobServiceClient(location.accountUrl + (location.sasToken ?? ""), options);
}

function withSas(location: BlobLocation, sasToken: string | undefined): BlobLocation {
  return sasToken ? { ...location, sasToken } : location;
}

function isPathStyleHost(hostname: string): boolean {
  return hostname === "localhost" || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[") || hostname === "azurite";
}

// ADLS Gen2 accounts serve the Blob API on the .blob. host of the same account.
function toBlobHost(host: string): string {
  return host.replace(/\.dfs\./i, ".blob.");
}
