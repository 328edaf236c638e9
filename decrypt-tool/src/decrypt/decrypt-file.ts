import { createDecipheriv } from "node:crypto";
import { pipeline, type Readable } from "node:stream";
import { type ZlibOptions, createGunzip } from "node:zlib";
import { DropError, describeError } from "../errors";
import type { DropFile, DropSource } from "../source/drop-source";

/** AES-256-CBC key and IV of a drop. */
export interface AesKey {
  key: Buffer;
  iv: Buffer;
}

const GUNZIP_CHUNK_BYTES = 512 * 1024;

/**
 * The decrypted, decompressed bytes of one data file: AES-256-CBC with PKCS#7 padding over gzip.
 * Failures come out as DropErrors naming the file: DECRYPT_FAILED (wrong key, bad padding) or
 * DATA_CORRUPT (truncation, tampering caught by the gzip checksum).
 */
export async function* decryptDataFile(
  source: DropSource,
  file: DropFile,
  aes: AesKey,
  onEncryptedBytes?: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const input = await source.openRead(file.path);
  if (onEncryptedBytes) input.on("data", (chunk: Buffer) => onEncryptedBytes(chunk.length));
  let pipelineError: Error | undefined;
  // Read-ahead on the inflated side only. The compressed side keeps the default 16 KB write buffer: every
  // compressed chunk queued there waits for all of the ones before it to be inflated (and parsed), long
  // enough to be promoted out of V8's young generation and held until a mark-compact (see LocalDropSource).
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: 4 * GUNZIP_CHUNK_BYTES } as ZlibOptions);
  const output = pipeline(input, createAesDecipher(aes), gunzip, (error) => {
    if (error) pipelineError = error;
  }) as Readable;
  try {
    let first = true;
    for await (const chunk of output) {
      // Some writers start text files with a UTF-8 byte order mark; it is not part of the first row.
      yield first && hasUtf8Bom(chunk as Buffer) ? (chunk as Buffer).subarray(3) : (chunk as Buffer);
      first = false;
    }
  } catch (error) {
    throw classifyDecodeError(pipelineError ?? error, file);
  } finally {
    output.destroy();
  }
  if (pipelineError) throw classifyDecodeError(pipelineError, file);
}

function hasUtf8Bom(chunk: Buffer): boolean {
  return chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
}

/** A node:crypto AES-256-CBC decipher for the drop's key and IV. */
export function createAesDecipher(aes: AesKey) {
  return createDecipheriv("aes-256-cbc", aes.key, aes.iv);
}

/** Maps node:crypto and zlib errors to what they mean for a drop. */
export function classifyDecodeError(error: unknown, file: DropFile): DropError {
  if (error instanceof DropError) return error;
  const code = (error as { code?: string }).code ?? "";
  const message = describeError(error);
  if (code === "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH" || /wrong final block length/i.test(message)) {
    return new DropError("DATA_CORRUPT", `${file.path} is truncated or altered: ${file.size} bytes is not a whole number of AES blocks`, { cause: error });
  }
  if (code === "ERR_OSSL_BAD_DECRYPT" || /bad decrypt/i.test(message)) {
    return new DropError("DECRYPT_FAILED", `${file.path} does not decrypt (bad padding): wrong file key, or the file was truncated or altered`, { cause: error });
  }
  if (/incorrect header check/i.test(message)) {
    return new DropError("DECRYPT_FAILED", `${file.path} does not decrypt to gzip data: wrong file key or IV, or not a drop data file`, { cause: error });
  }
  if (/incorrect data check|incorrect length check/i.test(message)) {
    return new DropError("DATA_CORRUPT", `${file.path} is altered: gzip checksum mismatch`, { cause: error });
  }
  if (/unexpected end of file/i.test(message)) {
    return new DropError("DATA_CORRUPT", `${file.path} is truncated: the gzip stream ends early`, { cause: error });
  }
  if (code.startsWith("Z_") || code.startsWith("ERR_OSSL")) {
    return new DropError("DATA_CORRUPT", `${file.path} is corrupt: ${message}`, { cause: error });
  }
  return new DropError("SOURCE_UNREADABLE", `cannot read ${file.path}: ${message}`, { cause: error });
}
