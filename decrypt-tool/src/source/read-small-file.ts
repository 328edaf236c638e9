import { DropError } from "../errors";
import type { DropSource } from "./drop-source";

const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** Reads a small file (metadata) whole; refuses anything larger than 4 MiB. */
export async function readSmallFile(source: DropSource, path: string): Promise<Buffer> {
  const stream = await source.openRead(path);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_METADATA_BYTES) throw new DropError("METADATA_INVALID", `${path} is larger than ${MAX_METADATA_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof DropError) throw error;
    throw new DropError("SOURCE_UNREADABLE", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return Buffer.concat(chunks);
}
