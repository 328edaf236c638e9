import { DropError, libraryTerm } from "../errors";
import type { DropMetadata } from "../metadata/drop-metadata";
import type { KeyOptions, RsaPadding } from "./key-options";
import { decodeKeyText, type KeyEncoding } from "./key-text";
import { unwrapWithKeyVault } from "./key-vault-unwrap";
import { unwrapWithPrivateKey } from "./local-unwrap";

/** The drop's AES file key, ready to decrypt data files. */
export interface FileKey {
  key: Buffer;
  iv: Buffer;
  keyEncoding: KeyEncoding;
  rsaPadding: Exclude<RsaPadding, "auto">;
}

/**
 * Unwraps the drop's file key with Key Vault (`keyVaultUrl`; key name = `keyName` ?? TenantId ??
 * `fallbackKeyName`, version = `keyVersion` ?? PublicKeyVersion) or a local PEM (`privateKeyPem`),
 * then decodes the key text. `signal` stops a Key Vault call in flight.
 */
export async function unwrapFileKey(metadata: DropMetadata, keyOptions: KeyOptions, fallbackKeyName?: string, signal?: AbortSignal): Promise<FileKey> {
  const fileKey = metadata.fileKey;
  if (!fileKey) throw new DropError("METADATA_INVALID", `${metadata.metadataPath} has no file key`);
  if (keyOptions.keyVaultUrl && keyOptions.privateKeyPem) {
    throw new DropError("USAGE", `give either ${libraryTerm("keyVaultUrl")} or ${libraryTerm("privateKeyPem")}, not both`);
  }
  let unwrapped: Awaited<ReturnType<typeof unwrapWithKeyVault>>;
  if (keyOptions.privateKeyPem !== undefined) {
    unwrapped = unwrapWithPrivateKey(fileKey.wrappedKey, keyOptions.privateKeyPem, keyOptions.rsaPadding, keyOptions.privateKeyPassphrase);
  } else if (keyOptions.keyVaultUrl) {
    const vault = splitKeyVaultUrl(keyOptions.keyVaultUrl);
    const keyName = keyOptions.keyName ?? vault.keyName ?? metadata.tenantId ?? fallbackKeyName;
    if (!keyName) throw new DropError("KEY_UNAVAILABLE", `no key name: the metadata has no TenantId; name the key with ${libraryTerm("keyName")}`);
    unwrapped = await unwrapWithKeyVault(
      fileKey.wrappedKey,
      { vaultUrl: vault.vaultUrl, keyName, keyVersion: keyOptions.keyVersion ?? vault.keyVersion ?? metadata.publicKeyVersion },
      keyOptions.rsaPadding,
      { credential: keyOptions.credential, clientOptions: keyOptions.keyVaultClientOptions, signal, accepts: isKeyText },
    );
  } else {
    throw new DropError("USAGE", `no key given: give ${libraryTerm("keyVaultUrl")} or ${libraryTerm("privateKeyPem")}`);
  }
  const { key, encoding } = decodeKeyText(unwrapped.plaintext);
  return { key, iv: fileKey.iv, keyEncoding: encoding, rsaPadding: unwrapped.padding };
}

function isKeyText(plaintext: Buffer): boolean {
  try {
    decodeKeyText(plaintext);
    return true;
  } catch {
    return false;
  }
}

/**
 * The vault URI, and the key name and version when a key identifier (`https://<vault>.vault.azure.net/keys/<name>[/<version>]`,
 * as the portal shows it) was given instead of the vault URI.
 * @throws DropError USAGE for anything else.
 */
export function splitKeyVaultUrl(url: string): { vaultUrl: string; keyName?: string; keyVersion?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DropError("USAGE", `${libraryTerm("keyVaultUrl")}: not a valid Key Vault URL: ${url}`);
  }
  const segments = parsed.pathname.split("/").filter((s) => s !== "");
  if (segments.length === 0) return { vaultUrl: parsed.origin };
  if (segments[0] === "keys" && (segments.length === 2 || segments.length === 3)) {
    const [keyName, keyVersion] = segments.slice(1).map((s) => decodeURIComponentSafe(s, url));
    return keyVersion === undefined ? { vaultUrl: parsed.origin, keyName } : { vaultUrl: parsed.origin, keyName, keyVersion };
  }
  throw new DropError("USAGE", `${libraryTerm("keyVaultUrl")}: not a Key Vault URI: ${url} (expected https://<vault>.vault.azure.net, or a key identifier …/keys/<name>[/<version>])`);
}

function decodeURIComponentSafe(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DropError("USAGE", `${libraryTerm("keyVaultUrl")}: not a valid Key Vault URL: ${url} (bad %-escape)`);
  }
}
