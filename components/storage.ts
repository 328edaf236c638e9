import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";

/** Arguments of a {@link Storage}. */
export interface StorageArgs {
  /** 3-24 lowercase letters and digits, unique across Azure. */
  accountName: string;
  /** Resource group the account lives in. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure region of the account. */
  location: pulumi.Input<string>;
  /** Days a deleted blob or container can be restored. */
  softDeleteDays: number;
}

/** Account settings: ADLS Gen2 (the seed: "Enable hierarchical namespace"), locked down. */
export function storageAccountArgs(args: StorageArgs): storage.StorageAccountArgs {
  return {
    accountName: args.accountName,
    resourceGroupName: args.resourceGroupName,
    location: args.location,
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    isHnsEnabled: true,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    // Everything (the factories' sink, viva-drop) signs in with Entra ID; account keys stay unused.
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
  };
}

/** Blob service settings: soft delete for blobs and containers. */
export function blobServiceArgs(accountName: pulumi.Input<string>, args: StorageArgs): storage.BlobServicePropertiesArgs {
  return {
    accountName,
    resourceGroupName: args.resourceGroupName,
    blobServicesName: "default",
    deleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
    containerDeleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
  };
}

/**
 * An ADLS Gen2 account drops land in: one per region the platform serves. Per-tenant containers are
 * declared by each Tenant, so removing a tenant removes only its container.
 */
export class Storage extends pulumi.ComponentResource {
  /** The account's name as Azure reports it. */
  public readonly accountName: pulumi.Output<string>;
  /** ARM resource id of the account. */
  public readonly accountId: pulumi.Output<string>;
  /** https://<account>.dfs.core.windows.net/ — the factories' sink URL. */
  public readonly dfsEndpoint: pulumi.Output<string>;
  /** https://<account>.blob.core.windows.net/ — where viva-drop reads the drops. */
  public readonly blobEndpoint: pulumi.Output<string>;

  /** Declares the account and its blob service properties. */
  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("viva-partner:storage:Storage", name, {}, opts);
    const account = new storage.StorageAccount(`${name}-account`, storageAccountArgs(args), { parent: this });
    new storage.BlobServiceProperties(`${name}-blob-service`, blobServiceArgs(account.name, args), { parent: this });
    this.accountName = account.name;
    this.accountId = account.id;
    this.dfsEndpoint = account.primaryEndpoints.dfs;
    this.blobEndpoint = account.primaryEndpoints.blob;
    this.registerOutputs({ accountName: this.accountName, accountId: this.accountId, dfsEndpoint: this.dfsEndpoint, blobEndpoint: this.blobEndpoint });
  }
}
