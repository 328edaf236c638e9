import { constants, createPrivateKey, privateDecrypt, type KeyObject } from "node:crypto";
import { DropError, describeError, libraryTerm } from "../errors";
import { paddingsToTry, type RsaPadding } from "./key-options";

/** Lengths of the key texts {@link decodeKeyText} accepts (88 + a 2-byte BOM, 88, 44, 32). */
const KEY_TEXT_LENGTHS = new Set([90, 88, 44, 32]);

/**
 * Unwraps the file key with a local RSA private key (RSA-OAEP with SHA-1 or SHA-256).
 * @returns the RSA plaintext and the padding that worked.
 */
export function unwrapWithPrivateKey(
  wrappedKey: Buffer,
  privateKeyPem: string | Buffer,
  padding: RsaPadding | undefined,
  passphrase?: string,
): { plaintext: Buffer; padding: Exclude<RsaPadding, "auto"> } {
  const key = loadPrivateKey(privateKeyPem, passphrase);
  const tried = paddingsToTry(padding, "local");
  if (tried.includes("RSA1_5")) throw pkcs1v15Unsupported("RSA1_5 (PKCS#1 v1.5) cannot be used with a local private key");
  for (const candidate of tried) {
    try {
      const oaepHash = candidate === "RSA-OAEP-256" ? "sha256" : "sha1";
      return { plaintext: privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, wrappedKey), padding: candidate };
    } catch {
      // Try the next padding; the final error names all of them.
    }
  }
  if (isPkcs1v15Wrapped(key, wrappedKey)) {
    throw pkcs1v15Unsupported("this drop's file key is wrapped with RSA1_5 (PKCS#1 v1.5), not RSA-OAEP, and a local private key cannot unwrap it");
  }
  const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const sizeNote = modulusBytes && modulusBytes !== wrappedKey.length ? ` (the wrapped key is ${wrappedKey.length} bytes, the private key is ${modulusBytes * 8}-bit)` : "";
  throw new DropError(
    "KEY_UNWRAP_FAILED",
    `the private key cannot unwrap this drop's file key with ${tried.join(" or ")}${sizeNote}: wrong key for this tenant or key version?`,
  );
}

function pkcs1v15Unsupported(what: string): DropError {
  return new DropError(
    "KEY_PADDING_UNSUPPORTED",
    `${what}: Node.js refuses PKCS#1 v1.5 private decryption (CVE-2023-46809); import the key into Azure Key Vault and unwrap there (${libraryTerm("keyVaultUrl")}, where auto padding includes RSA1_5)`,
  );
}

/**
 * True when the wrapped key is PKCS#1 v1.5 for this very key: the raw RSA block reads 00 02, at least eight
 * non-zero padding bytes, 00, then a message of a key text's length. Only used to name the padding in the
 * error (the key text is not used: the tool never unwraps v1.5 itself). With a wrong key the block is random
 * and matches with a chance far below one in a million.
 */
function isPkcs1v15Wrapped(key: KeyObject, wrappedKey: Buffer): boolean {
  let block: Buffer;
  try {
    block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrappedKey);
  } catch {
    return false;
  }
  if (block[0] !== 0x00 || block[1] !== 0x02) return false;
  const separator = block.indexOf(0x00, 2);
  return separator >= 10 && KEY_TEXT_LENGTHS.has(block.length - separator - 1);
}

function loadPrivateKey(pem: string | Buffer, passphrase: string | undefined): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase === undefined ? { key: pem, format: "pem" } : { key: pem, format: "pem", passphrase });
  } catch (error) {
    throw new DropError("KEY_UNAVAILABLE", `cannot read the private key: ${describePemProblem(pem, passphrase) ?? describeError(error)}`, { cause: error });
  }
  if (key.asymmetricKeyType !== "rsa") throw new DropError("KEY_UNAVAILABLE", `the private key is ${key.asymmetricKeyType ?? "not asymmetric"}, expected RSA`);
  return key;
}

// OpenSSL's decoder errors ("error:1E08010C:DECODER routines::unsupported") do not say what was wrong.
function describePemProblem(pem: string | Buffer, passphrase: string | undefined): string | undefined {
  const text = pem.toString("latin1");
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    return passphrase === undefined ? `it is encrypted; give its passphrase with ${libraryTerm("privateKeyPassphrase")}` : "wrong passphrase";
  }
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) return "this is a public key; give the tenant's private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)";
  if (/-----BEGIN CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text)) return "this is a certificate without its private key; give the tenant's private key";
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return "not a PEM private key (no -----BEGIN PRIVATE KEY----- line)";
  return undefined;
}
