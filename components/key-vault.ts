import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type { DeployerPrincipalType } from "../config";
import { epochSeconds } from "../config/dates";
import { grantRole, keyManagerRoleDefinitionArgs } from "./roles";

/** Name of the Key Vault secret that holds the app's client secret. */
export const APP_SECRET_NAME = "partner-app-client-secret";

/** Arguments of a {@link KeyVault}. */
export interface KeyVaultArgs {
  /** Vault name: 3-24 characters, unique per stack (soft-deleted names stay reserved). */
  vaultName: string;
  /** Resource group the vault lives in. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure region of the vault. */
  location: pulumi.Input<string>;
  /** The partner's Entra tenant. */
  tenantId: pulumi.Input<string>;
  /** Subscription of the vault (role definition ids are per subscription). */
  subscriptionId: pulumi.Input<string>;
  /** Whoever runs `pulumi up` (getClientConfig's objectId): gets the key-manager role to create, import and rotate tenant keys. */
  deployerPrincipalId: pulumi.Input<string>;
  /** What kind of principal the deployer is (a person or a pipeline's service principal). */
  deployerPrincipalType: pulumi.Input<DeployerPrincipalType>;
  /** The app's client secret (a Pulumi secret), stored as a Key Vault secret for the factories. */
  appSecret: pulumi.Input<string>;
  /** When the client secret expires, ISO 8601; copied onto the Key Vault secret. */
  appSecretEndDate: string;
}

/** Vault properties: RBAC, soft delete with purge protection, reachable by Graph Data Connect. */
export function vaultProperties(tenantId: pulumi.Input<string>): keyvault.VaultArgs["properties"] {
  return {
    tenantId,
    sku: { family: "A", name: "standard" },
    enableRbacAuthorization: true,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    // Graph Data Connect reads the tenants' public keys from its own service: no private endpoint.
    publicNetworkAccess: "Enabled",
    networkAcls: { defaultAction: "Allow", bypass: "AzureServices" },
  };
}

/**
 * The partner's Key Vault: per-tenant RSA keys live here (see TenantKey) and so does the app's
 * client secret, which factories read through a Key Vault linked service.
 */
export class KeyVault extends pulumi.ComponentResource {
  /** The vault's name as Azure reports it. */
  public readonly vaultName: pulumi.Output<string>;
  /** ARM resource id: the scope of vault-wide role assignments. */
  public readonly vaultId: pulumi.Output<string>;
  /** https://<name>.vault.azure.net/ — goes into the Graph Data Connect registration form. */
  public readonly vaultUri: pulumi.Output<string>;
  /** Name of the secret holding the app's client secret. */
  public readonly appSecretName: pulumi.Output<string>;
  /** ARM resource id of that secret: the scope of each factory's Secrets User role. */
  public readonly appSecretId: pulumi.Output<string>;
  /** The deployer's key-manager assignment: tenant keys must wait for it. */
  public readonly deployerKeyAccess: pulumi.Resource;

  /** Declares the vault, its role assignments and the app secret. */
  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("viva-partner:keyvault:KeyVault", name, {}, opts);
    const vault = new keyvault.Vault(
      `${name}-vault`,
      { vaultName: args.vaultName, resourceGroupName: args.resourceGroupName, location: args.location, properties: vaultProperties(args.tenantId) },
      { parent: this },
    );
    // Manage the tenant keys, not use them: a custom role instead of Key Vault Crypto Officer.
    const keyManager = new authorization.RoleDefinition(`${name}-key-manager-role`, keyManagerRoleDefinitionArgs(vault.id, vault.name), { parent: this });
    this.deployerKeyAccess = grantRole(
      `${name}-deployer-key-manager`,
      {
        scope: vault.id,
        scopeKind: "vault",
        principalId: args.deployerPrincipalId,
        principalType: args.deployerPrincipalType,
        grantee: "deployer",
        role: { keyManager: keyManager.id },
        subscriptionId: args.subscriptionId,
      },
      { parent: this },
    );
    const secret = new keyvault.Secret(
      `${name}-app-secret`,
      {
        vaultName: vault.name,
        resourceGroupName: args.resourceGroupName,
        secretName: APP_SECRET_NAME,
        properties: {
          value: pulumi.secret(args.appSecret),
          contentType: "Entra ID client secret of the partner app",
          attributes: { enabled: true, expires: epochSeconds(args.appSecretEndDate) },
        },
      },
      { parent: this },
    );
    this.vaultName = vault.name;
    this.vaultId = vault.id;
    this.vaultUri = vault.properties.apply((p) => p.vaultUri ?? `https://${args.vaultName}.vault.azure.net/`);
    this.appSecretName = secret.name;
    this.appSecretId = secret.id;
    this.registerOutputs({
      vaultName: this.vaultName,
      vaultId: this.vaultId,
      vaultUri: this.vaultUri,
      appSecretName: this.appSecretName,
      appSecretId: this.appSecretId,
    });
  }
}
