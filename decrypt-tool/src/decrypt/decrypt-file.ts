import { createDecipheriv } from "node:crypto";
import type { Readable } from "node:stream";
import { type Gunzip, type ZlibOptions, createGunzip } from "node:zlib";
import { DropError, describeError } from "../errors";
import type { DropFile, DropSource } from "../source/drop-source";

/** AES-256-CBC key and IV of a drop. */
export interface AesKey {
  key: Buffer;
  iv: Buffer;
}

const GUNZIP_CHUNK_BYTES = 512 * 1024;
/** Size of each write into gunzip; see {@link feedGunzip}. */
const GUNZIP_INPUT_BYTES = 1024 * 1024;

/**
 * The decrypted, decompressed bytes of one data file: AES-256-CBC with PKCS#7 padding over gzip.
 * Failures come out as DropErrors naming the file: DECRYPT_FAILED (wrong key, bad padding) or
 * DATA_CORRUPT (truncation, tampering caught by the gzip checksum, bytes after the gzip stream).
 * `signal` stops the read at once: the file is closed and the generator fails with the signal's reason.
 */
export async function* decryptDataFile(
  source: DropSource,
  file: DropFile,
  aes: AesKey,
  onEncryptedBytes?: (bytes: number) => void,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  signal?.throwIfAborted();
  const input = await source.openRead(file.path, { signal });
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: 4 * GUNZIP_CHUNK_BYTES } as ZlibOptions);
  const header: GzipHeader = { bytes: [] };
  // A failure while reading or deciphering ends the inflated stream with that error.
  const fed = feedGunzip(input, aes, gunzip, header, onEncryptedBytes).catch((error: unknown) => void gunzip.destroy(error as Error));
  const abort = (): void => {
    input.destroy();
    gunzip.destroy(signal?.reason as Error);
  };
  signal?.addEventListener("abort", abort, { once: true });
  try {
    let first = true;
    for await (const chunk of gunzip) {
      // Some writers start text files with a UTF-8 byte order mark; it is not part of the first row.
      yield first && hasUtf8Bom(chunk as Buffer) ? (chunk as Buffer).subarray(3) : (chunk as Buffer);
      first = false;
    }
  } catch (error) {
    signal?.throwIfAborted();
    throw classifyDecodeError(error, file, header);
  } finally {
    signal?.removeEventListener("abort", abort);
    input.destroy();
    gunzip.destroy();
    await fed;
  }
}

/**
 * Deciphers `input` into gunzip through two reused 1 MB buffers. Why not pipe decipher into gunzip:
 * each compressed buffer stays alive until gunzip has inflated all of it, i.e. while rows() parses 5-8
 * times its size. Freshly allocated, a buffer that big outlives two young-generation GCs, is promoted to
 * V8's old space and is freed only by a mark-compact, which external memory starts only after ~64 MB of
 * them: rows() peaked near 150 MB RSS on a 1 GB drop. Small writes would die young but cost speed (gunzip
 * returns a short chunk at the end of every write). Reused buffers are never garbage; what is allocated per
 * chunk (the source's reads and the decipher's output) dies as soon as it is copied.
 */
async function feedGunzip(input: Readable, aes: AesKey, gunzip: Gunzip, header: GzipHeader, onEncryptedBytes?: (bytes: number) => void): Promise<void> {
  const decipher = createAesDecipher(aes);
  const spare = [Buffer.allocUnsafeSlow(GUNZIP_INPUT_BYTES), Buffer.allocUnsafeSlow(GUNZIP_INPUT_BYTES)];
  const closed = new Promise<void>((resolve) => gunzip.once("close", resolve));
  let buffer = spare.pop()!;
  let used = 0;
  let onSpare: (() => void) | undefined;
  // False once gunzip is gone (the reader stopped, or gunzip failed and reports it).
  const send = async (): Promise<boolean> => {
    const sent = buffer;
    // The write callback runs once gunzip is done with the bytes, so the buffer can be filled again.
    gunzip.write(sent.subarray(0, used), () => {
      spare.push(sent);
      onSpare?.();
    });
    while (spare.length === 0 && !gunzip.destroyed) await Promise.race([new Promise<void>((resolve) => (onSpare = resolve)), closed]);
    buffer = spare.pop()!;
    used = 0;
    return !gunzip.destroyed;
  };
  const add = async (bytes: Buffer): Promise<boolean> => {
    for (let k = 0; header.bytes.length < GZIP_MAGIC.length && k < bytes.length; k++) header.bytes.push(bytes[k]);
    for (let at = 0; at < bytes.length; ) {
      const n = bytes.copy(buffer, used, at);
      used += n;
      at += n;
      if (used === buffer.length && !(await send())) return false;
    }
    return true;
  };
  try {
    for await (const chunk of input) {
      onEncryptedBytes?.((chunk as Buffer).length);
      if (!(await add(decipher.update(chunk as Buffer)))) return;
    }
    if (!(await add(decipher.final()))) return;
    if (used > 0 && !(await send())) return;
    gunzip.end();
  } finally {
    input.destroy();
  }
}

/** The first bytes of the deciphered stream, kept to tell a wrong key from bytes after a valid gzip stream. */
export interface GzipHeader {
  bytes: number[];
}

// ID1, ID2 and CM (deflate) of a gzip member header (RFC 1952).
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

function startsAsGzip(header: GzipHeader | undefined): boolean {
  return header !== undefined && GZIP_MAGIC.every((byte, k) => header.bytes[k] === byte);
}

function hasUtf8Bom(chunk: Buffer): boolean {
  return chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
}

/** A node:crypto AES-256-CBC decipher for the drop's key and IV. */
export function createAesDecipher(aes: AesKey) {
  return createDecipheriv("aes-256-cbc", aes.key, aes.iv);
}

/**
 * Maps node:crypto and zlib errors to what they mean for a drop. `header` (the first deciphered bytes) tells
 * the two causes of zlib's "incorrect header check" apart: no gzip header at all (wrong key or IV), or a valid
 * gzip stream followed by bytes that are not another gzip member (zlib checks the header again there).
 */
export function classifyDecodeError(error: unknown, file: DropFile, header?: GzipHeader): DropError {
  if (error instanceof DropError) return error;
  const code = (error as { code?: string }).code ?? "";
  const message = describeError(error);
  if (code === "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH" || /wrong final block length/i.test(message)) {
    return new DropError("DATA_CORRUPT", `${file.path} is truncated or altered: ${file.size} bytes is not a whole number of AES blocks`, { cause: error });
  }
  if (code === "ERR_OSSL_BAD_DECRYPT" || /bad decrypt/i.test(message)) {
    return new DropError("DECRYPT_FAILED", `${file.path} does not decrypt (bad padding): wrong file key, or the file was truncated or altered`, { cause: error });
  }
  if (/incorrect header check/i.test(message) && startsAsGzip(header)) {
    return new DropError("DATA_CORRUPT", `${file.path} has data after the end of its gzip stream (bytes that are not another gzip member): altered, or not written by the service`, {
      cause: error,
    });
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
