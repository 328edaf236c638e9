import type { TokenCredential } from "@azure/identity";
import type { CryptographyClientOptions } from "@azure/keyvault-keys";

/**
 * RSA padding used to wrap the file key. `auto` tries RSA-OAEP, then RSA-OAEP-256, and through Key Vault
 * also RSA1_5 (PKCS#1 v1.5), which Node.js refuses to unwrap with a local private key.
 */
export type RsaPadding = "auto" | "RSA-OAEP" | "RSA-OAEP-256" | "RSA1_5";

/** The RSA paddings accepted by `rsaPadding`. */
export const RSA_PADDINGS: readonly RsaPadding[] = ["auto", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5"];

/** Where the tenant's private key is and how to use it. Give `keyVaultUrl` or `privateKeyPem`. */
export interface KeyOptions {
  /** Vault URI, e.g. `https://contoso-keys.vault.azure.net`, or a key identifier `…/keys/<name>[/<version>]`. */
  keyVaultUrl?: string;
  /** Key name in the vault; default: the drop's TenantId. */
  keyName?: string;
  /** Key version in the vault; default: the drop's PublicKeyVersion. */
  keyVersion?: string;
  /** PEM text of the tenant's RSA private key (keys generated outside the vault). */
  privateKeyPem?: string | Buffer;
  /** Passphrase of an encrypted PEM. */
  privateKeyPassphrase?: string;
  /** Default `auto`. */
  rsaPadding?: RsaPadding;
  /** Credential for Key Vault; default `DefaultAzureCredential`. */
  credential?: TokenCredential;
  /** Extra options for the Key Vault CryptographyClient (e.g. `httpClient`, `retryOptions`). */
  keyVaultClientOptions?: CryptographyClientOptions;
}

/** Where the unwrap happens: the paddings Key Vault can use are a superset of what Node.js allows locally. */
export type UnwrapPlace = "key-vault" | "local";

/** The concrete paddings that `padding` stands for at `place`, in the order to try them. */
export function paddingsToTry(padding: RsaPadding | undefined, place: UnwrapPlace): Exclude<RsaPadding, "auto">[] {
  if (padding !== undefined && padding !== "auto") return [padding];
  return place === "key-vault" ? ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] : ["RSA-OAEP", "RSA-OAEP-256"];
}
