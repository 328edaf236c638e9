import { DropError } from "../errors";
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
 * then decodes the key text.
 */
export async function unwrapFileKey(metadata: DropMetadata, keyOptions: KeyOptions, fallbackKeyName?: string): Promise<FileKey> {
  const fileKey = metadata.fileKey;
  if (!fileKey) throw new DropError("METADATA_INVALID", `${metadata.metadataPath} has no file key`);
  if (keyOptions.keyVaultUrl && keyOptions.privateKeyPem) throw new DropError("USAGE", "give either a Key Vault or a private key, not both");
  let unwrapped: Awaited<ReturnType<typeof unwrapWithKeyVault>>;
  if (keyOptions.privateKeyPem !== undefined) {
    unwrapped = unwrapWithPrivateKey(fileKey.wrappedKey, keyOptions.privateKeyPem, keyOptions.rsaPadding, keyOptions.privateKeyPassphrase);
  } else if (keyOptions.keyVaultUrl) {
    const keyName = keyOptions.keyName ?? metadata.tenantId ?? fallbackKeyName;
    if (!keyName) throw new DropError("KEY_UNAVAILABLE", "no key name: the metadata has no TenantId; name the key with --key-name");
    unwrapped = await unwrapWithKeyVault(
      fileKey.wrappedKey,
      { vaultUrl: keyOptions.keyVaultUrl, keyName, keyVersion: keyOptions.keyVersion ?? metadata.publicKeyVersion },
      keyOptions.rsaPadding,
      { credential: keyOptions.credential, clientOptions: keyOptions.keyVaultClientOptions },
    );
  } else {
    throw new DropError("USAGE", "no key given: use --key-vault <vault URL> or --private-key <PEM file>");
  }
  const { key, encoding } = decodeKeyText(unwrapped.plaintext);
  return { key, iv: fileKey.iv, keyEncoding: encoding, rsaPadding: unwrapped.padding };
}
