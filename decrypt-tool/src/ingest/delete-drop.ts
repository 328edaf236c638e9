import { rm } from "node:fs/promises";
import path from "node:path";
import { describeAzureFailure } from "../azure-errors";
import { DropError, describeError } from "../errors";
import { blobServiceClientFor, isBlobLocation, parseBlobLocation, type SourceOptions } from "../source/index";

/**
 * Deletes every file of the drop in `runFolder` of a tenant container: the blobs under its prefix (deepest
 * first, so ADLS Gen2 directory markers are empty when their turn comes), or the local folder. Only ever
 * called after the drop's transaction committed. With blob soft delete on the account the blobs stay
 * recoverable for the retention period.
 */
export async function deleteDropFiles(containerLocation: string, runFolder: string, options: SourceOptions = {}): Promise<void> {
  if (!isBlobLocation(containerLocation)) {
    const folder = path.join(path.resolve(containerLocation), ...runFolder.split("/"));
    try {
      await rm(folder, { recursive: true, force: true });
    } catch (error) {
      throw new DropError("OUTPUT_FAILED", `loaded, but cannot delete ${folder}: ${describeError(error)}`, { cause: error });
    }
    return;
  }
  const location = parseBlobLocation(containerLocation);
  const container = blobServiceClientFor(location, options).getContainerClient(location.containerName);
  const prefix = [location.prefix, runFolder].filter((part) => part !== "").join("/");
  try {
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) names.push(blob.name);
    // Directory markers of ADLS Gen2 (the run folder's own one last); on a flat account the name does not exist.
    names.push(prefix);
    for (const name of names.sort((a, b) => b.length - a.length)) {
      await container.deleteBlob(name).catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
    }
  } catch (error) {
    throw new DropError("OUTPUT_FAILED", `loaded, but cannot delete the drop's blobs under ${prefix}/: ${describeAzureFailure(error, "Azure Storage")}`, { cause: error });
  }
}
