import { constants, createPublicKey, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { DropError, describeError, libraryTerm } from "../errors";
import type { KEY_TEXT_FORMS, SIMULATE_RSA_PADDINGS } from "./options";

/** A fresh per-drop AES-256 file key and IV, and the key wrapped for the tenant. */
export interface SimulatedFileKey {
  key: Buffer;
  iv: Buffer;
  /** RSA ciphertext of the key text (what DecryptionKeyDetails.value carries, Base64-decoded). */
  wrappedKey: Buffer;
}

const MIN_MODULUS_BITS = 2048;

/**
 * Loads the tenant's public key from PEM text. Refuses private keys: the simulator plays the service,
 * which only ever holds the public half.
 * @throws DropError USAGE when the text is not a PEM public RSA key of at least 2048 bits.
 */
export function loadTenantPublicKey(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new DropError("USAGE", `${libraryTerm("publicKeyPem")}: this is a private key; pass the tenant's public key (openssl rsa -in key.pem -pubout)`);
  }
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
    throw new DropError("USAGE", `${libraryTerm("publicKeyPem")}: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: "pem" });
  } catch (error) {
    throw new DropError("USAGE", `${libraryTerm("publicKeyPem")}: cannot read the PEM public key: ${describeError(error)}`, { cause: error });
  }
  if (key.asymmetricKeyType !== "rsa") throw new DropError("USAGE", `${libraryTerm("publicKeyPem")}: the key is ${key.asymmetricKeyType}, expected RSA`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) throw new DropError("USAGE", `${libraryTerm("publicKeyPem")}: the RSA key is ${bits}-bit; the service requires RSA 2048 or larger`);
  return key;
}

/** The RSA plaintext for `key`: its Base64 text in UTF-16LE (seed), in UTF-8 (Graph Data Connect doc), or the raw bytes. */
export function encodeKeyText(key: Buffer, form: (typeof KEY_TEXT_FORMS)[number]): Buffer {
  if (form === "raw") return Buffer.from(key);
  return Buffer.from(key.toString("base64"), form === "utf16le" ? "utf16le" : "utf8");
}

/** Generates a file key and IV and wraps the key text with the tenant's public key. */
export function createFileKey(
  publicKey: KeyObject,
  keyText: (typeof KEY_TEXT_FORMS)[number],
  rsaPadding: (typeof SIMULATE_RSA_PADDINGS)[number],
): SimulatedFileKey {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const wrappedKey = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: rsaPadding === "RSA-OAEP-256" ? "sha256" : "sha1" },
    encodeKeyText(key, keyText),
  );
  return { key, iv, wrappedKey };
}
