import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import type { PlatformSettings } from "../../config";
import { KeyVault } from "../key-vault";
import { PartnerApp } from "../partner-app";
import { Storage } from "../storage";
import type { PlatformRefs } from "./refs";

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
 * What every tenant shares: the resource group, the partner app, the Key Vault and the storage
 * account. Declared once, in the platform (or single) stack.
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
    const store = new Storage(
      `${name}-storage`,
      { accountName: settings.storageAccountName, resourceGroupName: group.name, location: settings.location, softDeleteDays: settings.blobSoftDeleteDays },
      { parent: this },
    );
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
      storageAccountName: store.accountName,
      storageAccountId: store.accountId,
      dfsEndpoint: store.dfsEndpoint,
    };
    this.registerOutputs({ ...this.refs });
  }
}
