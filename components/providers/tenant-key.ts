import * as pulumi from "@pulumi/pulumi";
import type { TenantKeyInputs } from "./tenant-key-inputs";
import type { TenantKeyOutputs, TenantKeyVersion } from "./tenant-key-operations";
import { runtimeProvider } from "./runtime-provider";
import { DEFAULT_KEY_POLICY } from "../../config";

/** Arguments of a {@link TenantKey}. */
export interface TenantKeyArgs {
  /** Vault URI, e.g. https://kv-x.vault.azure.net/ */
  vaultUri: pulumi.Input<string>;
  /** Key name = customer tenant GUID */
  keyName: pulumi.Input<string>;
  /**
   * Explicit expiry (ISO-8601 date/time from config, never derived from Date.now()) of the
   * current version; wins over `lifetime`. Without it a version expires `lifetime` after it is
   * created, a date fixed then and kept in the state.
   */
  expiresOn?: pulumi.Input<string>;
  /** ISO 8601 duration a new version lasts, and the rotation policy's expiryTime; default P1Y. */
  lifetime?: pulumi.Input<string>;
  /** Key Vault rotates the key this long before it expires; default P30D. */
  rotateBefore?: pulumi.Input<string>;
  /** Key Vault sends its near-expiry event this long before expiry; default P7D. */
  notifyBefore?: pulumi.Input<string>;
  /** Bump to rotate now: each increase creates a new key version; old versions stay enabled */
  rotation?: pulumi.Input<number>;
  /** Take over a key of this name that exists in the vault and no other stack manages. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Object id of the principal granted key management on the vault (getClientConfig's objectId): Key Vault calls must run as it. */
  deployerObjectId: pulumi.Input<string>;
  /** The stack managing the key, tagged on it; default this stack (`org/project/stack`). */
  ownerStack?: pulumi.Input<string>;
  /** The tenant's own RSA private key (PEM) to import instead of generating one; passed on as a Pulumi secret, never kept in outputs. */
  importKeyPem?: pulumi.Input<string>;
}

/** Serialized into each key's state: loads `tenantKeyProvider` from the compiled project at run time. */
const tenantKeyProvider = runtimeProvider<TenantKeyInputs, TenantKeyOutputs>("components/providers/tenant-key-provider", "tenantKeyProvider");

/**
 * `org/project/stack` of the running program. Self-managed backends (local, azblob) report the
 * organization "organization"; so does a mock runtime set up without one.
 */
export function currentStackName(): string {
  let organization = "organization";
  try {
    organization = pulumi.getOrganization();
  } catch {
    // Only the mock runtime has no organization.
  }
  return `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * A customer tenant's RSA key in the partner's Key Vault, managed through the Key Vault data
 * plane so that a changed expiry is applied and rotation adds versions — the ARM keys API behind
 * azure-native's keyvault.Key only ever creates. Each key gets a rotation policy (Key Vault
 * renews it `rotateBefore` its expiry) and tags naming the owning stack; a key another stack
 * owns is refused. Every data-plane call runs as `deployerObjectId` or fails at once, and retries
 * 403 for about ten minutes while a fresh role assignment propagates.
 *
 * Deleting soft-deletes: drops already delivered cannot be decrypted until the key is recovered,
 * which re-adding the tenant does. A change of vault or key name replaces the key, creating the
 * new one first; do not set `deleteBeforeReplace` (the tenant would be without a key in between).
 * Pulumi cannot `import` dynamic resources (pulumi/pulumi#16175): take over an existing key with
 * `adoptExisting` instead.
 */
export class TenantKey extends pulumi.dynamic.Resource {
  /** Versioned key identifier (kid) of the current version. */
  declare readonly keyId: pulumi.Output<string>;
  /** Key identifier without a version. */
  declare readonly versionlessId: pulumi.Output<string>;
  /** The current key version. */
  declare readonly version: pulumi.Output<string>;
  /** When the current version expires (ISO), as fixed when it was created. */
  declare readonly versionExpiresOn: pulumi.Output<string>;
  /** SHA-256 of the current version's public key. */
  declare readonly publicKeySha256: pulumi.Output<string>;
  /** Every version, oldest first. */
  declare readonly versions: pulumi.Output<TenantKeyVersion[]>;

  /**
   * @param name logical name of the resource
   * @param args vault, key name (tenant GUID), expiry or lifetime, rotation, owner and deployer
   * @param opts resource options; leave `deleteBeforeReplace` unset (a replacement always has another name or vault)
   */
  constructor(name: string, args: TenantKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      tenantKeyProvider,
      name,
      {
        vaultUri: args.vaultUri,
        keyName: args.keyName,
        expiresOn: args.expiresOn,
        lifetime: args.lifetime ?? DEFAULT_KEY_POLICY.lifetime,
        rotateBefore: args.rotateBefore ?? DEFAULT_KEY_POLICY.rotateBefore,
        notifyBefore: args.notifyBefore ?? DEFAULT_KEY_POLICY.notifyBefore,
        rotation: args.rotation ?? 0,
        adoptExisting: args.adoptExisting ?? false,
        ownerStack: args.ownerStack ?? currentStackName(),
        deployerObjectId: args.deployerObjectId,
        importKeyPem: args.importKeyPem === undefined ? undefined : pulumi.secret(args.importKeyPem),
        keyId: undefined,
        versionlessId: undefined,
        version: undefined,
        versionExpiresOn: undefined,
        publicKeySha256: undefined,
        versions: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["importKeyPem"] }),
      "viva-partner",
      "TenantKey",
    );
  }
}
