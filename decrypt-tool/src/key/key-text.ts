import { DropError } from "../errors";

/** How the unwrapped file key was written. */
export type KeyEncoding = "utf16le-base64" | "utf8-base64" | "raw";

/** Human names of each {@link KeyEncoding}, for `--verbose` and summaries. */
export const KEY_ENCODING_LABELS: Record<KeyEncoding, string> = {
  "utf16le-base64": "Base64 text in UTF-16LE (88 bytes, as the Viva doc describes)",
  "utf8-base64": "Base64 text in UTF-8 (44 bytes, as the Graph Data Connect doc describes)",
  raw: "raw 32-byte key",
};

const AES_KEY_BYTES = 32;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);

/**
 * Turns the RSA plaintext into the 32-byte AES key. Accepts the Base64 text of the key in UTF-16LE
 * (88 bytes, optionally after a BOM), in UTF-8 (44 bytes), or the raw key (32 bytes).
 * @throws DropError KEY_TEXT_INVALID naming the length found and the accepted forms.
 */
export function decodeKeyText(plaintext: Buffer): { key: Buffer; encoding: KeyEncoding } {
  const body = plaintext.length === 90 && plaintext.subarray(0, 2).equals(UTF16LE_BOM) ? plaintext.subarray(2) : plaintext;
  if (body.length === 88 && isUtf16leAscii(body)) {
    const text = body.toString("utf16le");
    if (BASE64_KEY.test(text)) return { key: Buffer.from(text, "base64"), encoding: "utf16le-base64" };
  }
  if (body.length === 44) {
    const text = body.toString("latin1");
    if (BASE64_KEY.test(text)) return { key: Buffer.from(text, "base64"), encoding: "utf8-base64" };
  }
  if (body.length === AES_KEY_BYTES) return { key: Buffer.from(body), encoding: "raw" };
  throw new DropError(
    "KEY_TEXT_INVALID",
    `the unwrapped file key is ${plaintext.length} bytes${describeShape(plaintext)}; expected 88 bytes (Base64 text in UTF-16LE), 44 bytes (Base64 text in UTF-8) or 32 bytes (raw AES-256 key)`,
  );
}

function isUtf16leAscii(bytes: Buffer): boolean {
  for (let i = 1; i < bytes.length; i += 2) if (bytes[i] !== 0) return false;
  return true;
}

function describeShape(bytes: Buffer): string {
  if (bytes.length === 88 && isUtf16leAscii(bytes)) return " of UTF-16LE text that is not the Base64 of a 32-byte key";
  if (bytes.length === 44) return " that are not the Base64 of a 32-byte key";
  return "";
}
