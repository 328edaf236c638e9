import { PassThrough, type Writable } from "node:stream";
import type { ContainerClient } from "@azure/storage-blob";
import { describeAzureFailure, isNoCredentialAvailable, noCredentialMessage } from "../azure-errors";
import { DropError, libraryTerm } from "../errors";
import { type BlobAuthOptions, blobServiceClientFor, parseBlobLocation, redactLocation } from "../source/blob-location";
import type { DropWriter } from "./drop-writer";

const UPLOAD_BUFFER_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;

/**
 * Writes a run folder into a blob container (Azure Storage, ADLS Gen2 or Azurite). Files are streamed;
 * the caller writes data files first and metadata last, so a reader never sees metadata without data.
 * {@link abort} deletes every blob written.
 */
export class BlobDropWriter implements DropWriter {
  readonly location: string;
  private readonly container: ContainerClient;
  private readonly folderPrefix: string;
  private readonly written: string[] = [];

  constructor(outUrl: string, runFolder: string, auth: BlobAuthOptions = {}) {
    const parsed = parseBlobLocation(outUrl);
    this.container = blobServiceClientFor(parsed, auth).getContainerClient(parsed.containerName);
    this.folderPrefix = `${parsed.prefix === "" ? "" : `${parsed.prefix}/`}${runFolder}/`;
    this.location = `${parsed.accountUrl}/${parsed.containerName}/${this.folderPrefix.slice(0, -1)}`;
  }

  async prepare(): Promise<void> {
    try {
      if (!(await this.container.exists())) {
        throw new DropError("OUTPUT_FAILED", `${libraryTerm("out")}: container ${this.container.containerName} not found; create it first`);
      }
      const first = await this.container.listBlobsFlat({ prefix: this.folderPrefix }).byPage({ maxPageSize: 1 }).next();
      if (!first.done && first.value.segment.blobItems.length > 0) throw new DropError("OUTPUT_FAILED", `${this.location} already exists`);
    } catch (error) {
      throw storageError(error, `${libraryTerm("out")} ${redactLocation(this.container.url)}`);
    }
  }

  async writeFile(path: string, write: (destination: Writable) => Promise<void>): Promise<void> {
    const name = this.folderPrefix + path;
    this.written.push(name);
    const body = new PassThrough();
    const upload = this.container
      .getBlockBlobClient(name)
      .uploadStream(body, UPLOAD_BUFFER_BYTES, UPLOAD_CONCURRENCY)
      .catch((error: unknown) => {
        body.destroy(error as Error);
        throw error;
      });
    try {
      await Promise.all([write(body), upload]);
    } catch (error) {
      throw storageError(error, `cannot upload ${name}`);
    }
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {
    for (const name of this.written) {
      await this.container.deleteBlob(name).catch(() => undefined);
    }
    this.written.length = 0;
  }
}

function storageError(error: unknown, what: string): DropError {
  if (error instanceof DropError) return error;
  if (isNoCredentialAvailable(error)) {
    return new DropError("OUTPUT_FAILED", `${what}: ${noCredentialMessage("Azure Storage")}; or pass ${libraryTerm("connectionString")}`, { cause: error });
  }
  return new DropError("OUTPUT_FAILED", `${what}: ${describeAzureFailure(error, "Azure Storage")}`, { cause: error });
}
