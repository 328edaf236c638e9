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
const UTF16BE_BOM = Buffer.from([0xfe, 0xff]);
const ACCEPTED = "expected 88 bytes (Base64 text in UTF-16LE), 44 bytes (Base64 text in UTF-8) or 32 bytes (raw AES-256 key)";

/**
 * Turns the RSA plaintext into the 32-byte AES key. Accepts the Base64 text of the key in UTF-16LE
 * (88 bytes, optionally after a BOM), in UTF-8 (44 bytes), or the raw key (32 bytes).
 * @throws DropError KEY_TEXT_INVALID naming what was found (its length, and the text encoding when it is text)
 * and the accepted forms.
 */
export function decodeKeyText(plaintext: Buffer): { key: Buffer; encoding: KeyEncoding } {
  const body = plaintext.length === 90 && plaintext.subarray(0, 2).equals(UTF16LE_BOM) ? plaintext.subarray(2) : plaintext;
  if (body.length === 88 && isUtf16Ascii(body, "le")) {
    const text = body.toString("utf16le");
    if (BASE64_KEY.test(text)) return { key: Buffer.from(text, "base64"), encoding: "utf16le-base64" };
  }
  if (body.length === 44) {
    const text = body.toString("latin1");
    if (BASE64_KEY.test(text)) return { key: Buffer.from(text, "base64"), encoding: "utf8-base64" };
  }
  if (body.length === AES_KEY_BYTES) return { key: Buffer.from(body), encoding: "raw" };
  throw new DropError("KEY_TEXT_INVALID", `the unwrapped file key is ${describeFound(plaintext)}; ${ACCEPTED}`);
}

// What the plaintext is, precise enough that it never reads like one of the accepted forms.
function describeFound(plaintext: Buffer): string {
  const length = `${plaintext.length} bytes`;
  const hasBom = (bom: Buffer): boolean => plaintext.length >= 2 && plaintext.subarray(0, 2).equals(bom);
  const be = hasBom(UTF16BE_BOM) ? plaintext.subarray(2) : plaintext;
  if (!hasBom(UTF16LE_BOM) && be.length > 0 && isUtf16Ascii(be, "be")) {
    const holds = BASE64_KEY.test(Buffer.from(be).swap16().toString("utf16le")) ? "holding the Base64 of a 32-byte key" : "that is not the Base64 of a 32-byte key";
    return `${length} of UTF-16BE (big-endian) text ${holds}`;
  }
  const le = hasBom(UTF16LE_BOM) ? plaintext.subarray(2) : plaintext;
  if (le.length > 0 && isUtf16Ascii(le, "le")) return `${length} of UTF-16LE text that is not the Base64 of a 32-byte key`;
  if (plaintext.length === 44) return `${length} that are not the Base64 of a 32-byte key`;
  if (plaintext.length === 88) return `${length} but not UTF-16LE text`;
  return length;
}

// Even length and every character ASCII: its zero byte second (little-endian) or first (big-endian).
function isUtf16Ascii(bytes: Buffer, order: "le" | "be"): boolean {
  if (bytes.length % 2 !== 0) return false;
  const zero = order === "le" ? 1 : 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i + zero] !== 0 || bytes[i + 1 - zero] === 0) return false;
  }
  return true;
}
