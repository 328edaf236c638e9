import type { TokenCredential } from "@azure/identity";
import type { BlobServiceClient } from "@azure/storage-blob";
import { identitySdk, storageBlobSdk } from "../azure-sdk";
import { DropError, libraryTerm } from "../errors";

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
 * `location` fit for messages and logs: the signature of a SAS token in a storage URL is replaced by `REDACTED`
 * (the other SAS fields, e.g. the expiry, stay readable). Anything else is returned as it is.
 */
export function redactLocation(location: string): string {
  if (!isBlobLocation(location) || !location.includes("?")) return location;
  return location.replace(/([?&]sig=)[^&#]*/gi, "$1REDACTED");
}

/**
 * Splits a storage URL into account endpoint, container and prefix.
 * Accepts `https://<account>.blob.core.windows.net/<container>/<prefix>`, the Data Lake form
 * (`.dfs.` host or `abfss://<container>@<account>.dfs.core.windows.net/<prefix>`, read through the Blob
 * endpoint) and the emulator's path style `http://127.0.0.1:<port>/<account>/<container>/<prefix>`.
 */
export function parseBlobLocation(location: string): BlobLocation {
  const shown = redactLocation(location);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new DropError("USAGE", `not a valid storage URL: ${shown}`);
  }
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new DropError("USAGE", `not a valid storage URL: ${shown} (bad %-escape)`);
    }
  };
  const segments = url.pathname.split("/").filter((s) => s !== "").map(decode);
  const sasToken = url.search.length > 1 ? url.search : undefined;

  if (url.protocol === "abfs:" || url.protocol === "abfss:") {
    const containerName = decode(url.username);
    if (containerName === "") throw new DropError("USAGE", `missing container in ${shown} (expected abfss://<container>@<account>.dfs.core.windows.net/<path>)`);
    return withSas({ accountUrl: `https://${toBlobHost(url.hostname)}`, containerName, prefix: segments.join("/") }, sasToken);
  }

  const pathStyle = isPathStyleHost(url.hostname);
  const accountSegments = pathStyle ? 1 : 0;
  const containerName = segments[accountSegments];
  if (pathStyle && segments.length === 0) throw new DropError("USAGE", `missing account name in ${shown} (expected ${url.origin}/<account>/<container>/<path>)`);
  if (containerName === undefined) throw new DropError("USAGE", `missing container name in ${shown}`);
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
  if (options.connectionString) {
    let client: BlobServiceClient;
    try {
      client = BlobServiceClient.fromConnectionString(options.connectionString);
    } catch (error) {
      // Not the SDK's message: it may quote the string, account key included.
      throw new DropError("USAGE", `${libraryTerm("connectionString")} is not a valid Azure Storage connection string`, { cause: error });
    }
    // The connection string names its own account; reading another account's container of the same name by
    // mistake (an AZURE_STORAGE_CONNECTION_STRING left over in the shell) must not happen silently.
    const fromString = endpointOf(client.url);
    const fromUrl = endpointOf(accountUrl);
    if (fromString !== fromUrl) {
      throw new DropError("USAGE", `${libraryTerm("connectionString")} is for ${fromString}, but the URL names ${fromUrl}`);
    }
    return client;
  }
  if (accountUrl.includes("?")) return new BlobServiceClient(accountUrl, new AnonymousCredential());
  return new BlobServiceClient(accountUrl, options.credential ?? new (identitySdk().DefaultAzureCredential)());
}

/** `createBlobServiceClient` for a parsed location (keeps a SAS token if the URL had one). */
export function blobServiceClientFor(location: BlobLocation, options: BlobAuthOptions = {}): BlobServiceClient {
  return createBlobServiceClient(location.accountUrl + (location.sasToken ?? ""), options);
}

// Scheme, host and (emulator) account path, lower-cased, without query or trailing slash.
function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

function withSas(location: BlobLocation, sasToken: string | undefined): BlobLocation {
  return sasToken ? { ...location, sasToken } : location;
}

/** True for emulator hosts (localhost, an IP address, `azurite`), whose URLs carry the account name as the first path segment. */
export function isPathStyleHost(hostname: string): boolean {
  return hostname === "localhost" || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[") || hostname === "azurite";
}

// ADLS Gen2 accounts serve the Blob API on the .blob. host of the same account.
function toBlobHost(host: string): string {
  return host.replace(/\.dfs\./i, ".blob.");
}
