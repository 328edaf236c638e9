import type { TokenCredential } from "@azure/identity";
import type { CryptographyClientOptions, KeyVaultKey } from "@azure/keyvault-keys";
import { describeCredentialError, isCredentialError, isNoCredentialAvailable, noCredentialMessage } from "../azure-errors";
import { identitySdk, keyVaultKeysSdk } from "../azure-sdk";
import { DropError, describeError, libraryTerm } from "../errors";
import { paddingsToTry, type RsaPadding } from "./key-options";

/** Which Key Vault key to unwrap with. */
export interface KeyVaultKeyRef {
  vaultUrl: string;
  keyName: string;
  /** Omit to use the key's current version. */
  keyVersion?: string;
}

/** The key identifier URL Key Vault expects: `<vault>/keys/<name>[/<version>]`. */
export function keyVaultKeyId(ref: KeyVaultKeyRef): string {
  let vault: URL;
  try {
    vault = new URL(ref.vaultUrl);
  } catch {
    throw new DropError("USAGE", `${libraryTerm("keyVaultUrl")}: not a valid Key Vault URL: ${ref.vaultUrl}`);
  }
  const base = `${vault.origin}/keys/${encodeURIComponent(ref.keyName)}`;
  return ref.keyVersion ? `${base}/${encodeURIComponent(ref.keyVersion)}` : base;
}

/**
 * Unwraps the file key with `CryptographyClient.decrypt` in Azure Key Vault (the private key never leaves
 * the vault). `auto` padding tries RSA-OAEP, then RSA-OAEP-256, then RSA1_5; `accepts` (when given) says
 * whether a plaintext is a key text, so that a padding which "succeeds" with garbage is passed over.
 */
export async function unwrapWithKeyVault(
  wrappedKey: Buffer,
  ref: KeyVaultKeyRef,
  padding: RsaPadding | undefined,
  options: { credential?: TokenCredential; clientOptions?: CryptographyClientOptions; signal?: AbortSignal; accepts?: (plaintext: Buffer) => boolean } = {},
): Promise<{ plaintext: Buffer; padding: Exclude<RsaPadding, "auto"> }> {
  const keyId = keyVaultKeyId(ref);
  const { CryptographyClient } = keyVaultKeysSdk();
  const client = new CryptographyClient(remoteOnlyKey(keyId, ref), options.credential ?? new (identitySdk().DefaultAzureCredential)(), options.clientOptions);
  const tried = paddingsToTry(padding, "key-vault");
  let lastError: unknown;
  for (const candidate of tried) {
    let plaintext: Buffer;
    try {
      const result = await client.decrypt({ algorithm: candidate, ciphertext: wrappedKey }, { abortSignal: options.signal });
      plaintext = Buffer.from(result.result);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!isRejectedCiphertext(error)) throw keyVaultError(error, ref);
      lastError = error;
      continue;
    }
    // PKCS#1 v1.5 decryption may answer a wrong key with random bytes rather than an error (implicit rejection).
    if (tried.length === 1 || !options.accepts || options.accepts(plaintext)) return { plaintext, padding: candidate };
    lastError = new Error(`${candidate} gave ${plaintext.length} bytes that are not a file key`);
  }
  throw new DropError(
    "KEY_UNWRAP_FAILED",
    `Key Vault key ${describeKey(ref)} cannot unwrap this drop's file key with ${tried.join(" or ")}: ${describeError(lastError)}`,
    { cause: lastError },
  );
}

/**
 * The key as a reference without key material or attributes. Given the key id instead, the SDK
 * (4.10) first reads the key and refuses to decrypt with a version past its expiry, although Key
 * Vault decrypts and unwraps with expired versions ("About keys": date-time controlled
 * operations) — exactly what drops wrapped with a rotated-out version need. Without material the
 * client does every operation in the vault.
 */
function remoteOnlyKey(keyId: string, ref: KeyVaultKeyRef): KeyVaultKey {
  const vaultUrl = new URL(ref.vaultUrl).origin;
  return { id: keyId, name: ref.keyName, properties: { id: keyId, name: ref.keyName, vaultUrl, version: ref.keyVersion } };
}

// Key Vault answers 400 (BadParameter) when the ciphertext does not decrypt with the padding asked for.
function isRejectedCiphertext(error: unknown): boolean {
  return statusOf(error) === 400;
}

function keyVaultError(error: unknown, ref: KeyVaultKeyRef): DropError {
  const status = statusOf(error);
  const key = describeKey(ref);
  if (status === 401 || status === 403) {
    return new DropError("KEY_UNAVAILABLE", `Key Vault denied access to key ${key} (HTTP ${status}); the identity needs the Key Vault Crypto User role`, { cause: error });
  }
  if (status === 404) return new DropError("KEY_UNAVAILABLE", `Key Vault has no key ${key}`, { cause: error });
  if (isNoCredentialAvailable(error)) return new DropError("KEY_UNAVAILABLE", `${noCredentialMessage("Key Vault")}; or unwrap with ${libraryTerm("privateKeyPem")}`, { cause: error });
  if (isCredentialError(error)) return new DropError("KEY_UNAVAILABLE", describeCredentialError(error, "Key Vault"), { cause: error });
  return new DropError("KEY_UNAVAILABLE", `Key Vault key ${key}: ${describeError(error)}`, { cause: error });
}

function describeKey(ref: KeyVaultKeyRef): string {
  return `${ref.keyName}${ref.keyVersion ? ` version ${ref.keyVersion}` : ""} in ${ref.vaultUrl}`;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as { statusCode?: number }).statusCode : undefined;
}
