import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** Graph Data Connect requires RSA keys of at least 2048 bits. */
export const MIN_RSA_BITS = 2048;

/** A private key read from PEM text, or why it is not one this program accepts. */
export type PrivateKeyReading = { ok: true; key: KeyObject; bits: number } | { ok: false; reason: string };

/**
 * Reads an RSA private key from PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). The
 * reason on failure never quotes the text: it is a secret.
 */
export function readRsaPrivateKey(pem: string): PrivateKeyReading {
  if (!/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    return { ok: false, reason: 'must be a PEM private key ("-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")' };
  }
  if (pem.includes("ENCRYPTED")) return { ok: false, reason: "must be an unencrypted PEM private key (it is kept as a Pulumi secret; remove the passphrase with `openssl pkey -in key.pem -out plain.pem`)" };
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return { ok: false, reason: "is not a readable PEM private key" };
  }
  if (key.asymmetricKeyType !== "rsa") return { ok: false, reason: `must be an RSA key, not ${key.asymmetricKeyType ?? "an unknown type"} (Graph Data Connect uses RSA)` };
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return { ok: false, reason: `must be an RSA key of at least ${MIN_RSA_BITS} bits, not ${bits}` };
  return { ok: true, key, bits };
}

/** SHA-256 (hex) of a public key's DER SubjectPublicKeyInfo: the same for a private key and its public half. */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}

/** Fingerprint of an RSA public key given by its JWK modulus and exponent (as Key Vault returns them). */
export function rsaJwkFingerprint(n: Uint8Array, e: Uint8Array): string {
  const key = createPublicKey({ key: { kty: "RSA", n: Buffer.from(n).toString("base64url"), e: Buffer.from(e).toString("base64url") }, format: "jwk" });
  return publicKeyFingerprint(key);
}
