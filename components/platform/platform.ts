import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import type { PlatformSettings } from "../../config";
import { KeyVault } from "../key-vault";
import { PartnerApp } from "../partner-app";
import { Storage } from "../storage";
import type { PlatformRefs, StorageAccountRefs } from "./refs";

/** Who runs the deployment, from `getClientConfig`. */
export interface Deployer {
  tenantId: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  objectId: pulumi.Input<string>;
}

/** Arguments of a {@link Platform}. */
export interface PlatformArgs {
  /** Validated platform settings from config. */
  settings: PlatformSettings;
  deployer: Deployer;
}

/**
 * What every tenant shares: the resource group, the partner app, the Key Vault and one storage
 * account per region served. Declared once, in the platform (or single) stack.
 */
export class Platform extends pulumi.ComponentResource {
  /** Everything tenants need, also exported as stack outputs. */
  public readonly refs: PlatformRefs;
  /** Key Vault role assignments tenant keys wait for: the deployer's, to manage the keys. */
  public readonly keyAccess: readonly pulumi.Resource[];

  /** Declares the shared resources. */
  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("viva-partner:platform:Platform", name, {}, opts);
    const { settings, deployer } = args;
    const group = new resources.ResourceGroup(
      `${name}-rg`,
      { resourceGroupName: settings.resourceGroupName, location: settings.location },
      { parent: this },
    );
    const app = new PartnerApp(
      `${name}-app`,
      { displayName: settings.appDisplayName, secretStartDate: settings.appSecretStartDate, secretEndDate: settings.appSecretEndDate },
      { parent: this },
    );
    const vault = new KeyVault(
      `${name}-kv`,
      {
        vaultName: settings.vaultName,
        resourceGroupName: group.name,
        location: settings.location,
        tenantId: deployer.tenantId,
        subscriptionId: deployer.subscriptionId,
        deployerPrincipalId: deployer.objectId,
        deployerPrincipalType: settings.deployerPrincipalType,
        appSecret: app.clientSecret,
        appSecretEndDate: settings.appSecretEndDate,
      },
      { parent: this },
    );
    const storageAccounts: Record<string, StorageAccountRefs> = {};
    let home: Storage | undefined;
    for (const { location, accountName } of settings.storage) {
      const store = new Storage(
        storageComponentName(name, location, settings.location),
        { accountName, resourceGroupName: group.name, location, softDeleteDays: settings.blobSoftDeleteDays },
        { parent: this },
      );
      storageAccounts[location] = { name: store.accountName, blobEndpoint: store.blobEndpoint, dfsEndpoint: store.dfsEndpoint };
      if (location === settings.location) home = store;
    }
    this.keyAccess = [vault.deployerKeyAccess];
    this.refs = {
      subscriptionId: pulumi.output(deployer.subscriptionId),
      partnerTenantId: pulumi.output(deployer.tenantId),
      resourceGroupName: group.name,
      location: pulumi.output(settings.location),
      applicationId: app.clientId,
      servicePrincipalObjectId: app.servicePrincipalObjectId,
      vaultName: vault.vaultName,
      vaultUri: vault.vaultUri,
      vaultId: vault.vaultId,
      appSecretName: vault.appSecretName,
      appSecretId: vault.appSecretId,
      appSecretEndDate: pulumi.output(settings.appSecretEndDate),
      storageAccountName: home!.accountName,
      storageAccountId: home!.accountId,
      dfsEndpoint: home!.dfsEndpoint,
      storageAccounts,
    };
    this.registerOutputs({ ...this.refs });
  }
}

/**
 * Logical name of a region's storage component: the home region keeps the name it had before
 * regions existed (so its account is not replaced), every other region is named by its region.
 */
export function storageComponentName(platform: string, location: string, homeLocation: string): string {
  return location === homeLocation ? `${platform}-storage` : `${platform}-storage-${location}`;
}
