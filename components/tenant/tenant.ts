import * as pulumi from "@pulumi/pulumi";
import * as datafactory from "@pulumi/azure-native/datafactory";
import * as storage from "@pulumi/azure-native/storage";
import type { KeyPolicy, ReaderConfig, TenantConfig } from "../../config";
import { StartedTrigger, TenantKey, VerbatimDataset, weeklyScheduleTriggerProperties } from "../providers";
import type { PlatformRefs, StorageAccountRefs } from "../platform/refs";
import { grantRole } from "../roles";
import { DATASETS, TABLES, dropDataset, office365Dataset, personReportDataset } from "./datasets";
import { LINKED_SERVICES, keyVaultLinkedService, office365LinkedService, storageLinkedService, type AppCredentials } from "./linked-services";
import { PIPELINE_NAME, pipelineActivities, pipelineParameters } from "./pipeline";

/** Name of the weekly trigger inside each factory. */
export const TRIGGER_NAME = "WeeklyMondayExport";

/** Arguments of a {@link Tenant}. */
export interface TenantArgs {
  /** The tenant's validated config. */
  tenant: TenantConfig;
  /** The shared platform's ids and endpoints. */
  platform: PlatformRefs;
  /** Region of the tenant's factory (the customer's Microsoft 365 region maps to it). */
  location: string;
  /** The storage account of that region, where the tenant's container lives. */
  storage: StorageAccountRefs;
  /** First possible trigger run (fixed ISO UTC date-time). */
  triggerStartTime: string;
  /** Resources the tenant key must wait for (the deployer's key permissions). */
  keyDependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Object id of the identity running `pulumi up` (getClientConfig): the key's data-plane calls must run as it. */
  deployerObjectId: pulumi.Input<string>;
  /** The stack's key lifetime and rotation policy. */
  keyPolicy: KeyPolicy;
  /** Identities that read this tenant's drops. */
  readers?: readonly ReaderConfig[];
}

/** Logical name of a tenant's component: removing a tenant removes exactly this subtree. */
export function tenantResourceName(tenantId: string): string {
  return `tenant-${tenantId}`;
}

/**
 * Container metadata: the tenant id, and the label when it can travel as blob metadata (an HTTP
 * header value: printable ASCII only; a label such as "Société Générale" would fail the container).
 */
export function containerMetadata(tenant: Pick<TenantConfig, "id" | "label">): Record<string, string> {
  return tenant.label && /^[\x20-\x7e]+$/.test(tenant.label) ? { tenant: tenant.id, label: tenant.label.trim() } : { tenant: tenant.id };
}

/** The trigger's ARM properties: every Monday at the tenant's time (UTC), pipeline defaults apply. */
export function triggerProperties(tenant: TenantConfig, startTime: string): Record<string, unknown> {
  return weeklyScheduleTriggerProperties({
    pipelineName: PIPELINE_NAME,
    weekDay: "Monday",
    hour: tenant.triggerTime.hour,
    minute: tenant.triggerTime.minute,
    startTime,
    timeZone: "UTC",
  });
}

/**
 * Everything one customer tenant needs: its container (in its region's storage account) and the
 * app's write access to it, its RSA key, and its Data Factory (in its region) with linked services,
 * datasets, the ExportO365DataEvents pipeline and a weekly trigger, started unless the tenant is paused.
 */
export class Tenant extends pulumi.ComponentResource {
  /** The customer's tenant GUID. */
  public readonly tenantId: pulumi.Output<string>;
  /** Container drops land in (named by the tenant GUID). */
  public readonly containerName: pulumi.Output<string>;
  /** The tenant's Data Factory (open it in Data Factory Studio to run the pipeline by hand). */
  public readonly factoryName: pulumi.Output<string>;
  /** Versionless id of the tenant's key. */
  public readonly keyId: pulumi.Output<string>;
  /** https://<account>.blob.core.windows.net/<tenant GUID>: where viva-drop reads the drops. */
  public readonly containerUrl: pulumi.Output<string>;
  /** Object id of the factory's managed identity: the `oid` of the notification's token. */
  public readonly factoryPrincipalId: pulumi.Output<string>;

  /** Declares the tenant's resources. */
  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("viva-partner:tenant:Tenant", name, {}, opts);
    const { tenant, platform } = args;
    const parent = { parent: this };

    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        accountName: args.storage.name,
        resourceGroupName: platform.resourceGroupName,
        containerName: tenant.id,
        publicAccess: "None",
        metadata: containerMetadata(tenant),
      },
      parent,
    );
    const writer = grantRole(
      `${name}-app-blob-writer`,
      {
        scope: container.id,
        scopeKind: "container",
        principalId: platform.servicePrincipalObjectId,
        principalType: "ServicePrincipal",
        grantee: "app",
        role: "storageBlobDataContributor",
        subscriptionId: platform.subscriptionId,
      },
      parent,
    );

    const key = new TenantKey(
      `${name}-key`,
      {
        vaultUri: platform.vaultUri,
        keyName: tenant.id,
        expiresOn: tenant.keyExpiresOn,
        ...args.keyPolicy,
        rotation: tenant.keyRotation,
        adoptExisting: tenant.adoptExistingKey,
        deployerObjectId: args.deployerObjectId,
        importKeyPem: tenant.importKeyPem,
      },
      { parent: this, dependsOn: args.keyDependsOn },
    );
    const keyAccess = grantKeyAndDropAccess(name, tenant.id, platform, key, container, args.readers ?? [], this);
    const factory = new datafactory.Factory(
      `${name}-factory`,
      {
        factoryName: tenant.factoryName,
        resourceGroupName: platform.resourceGroupName,
        location: args.location,
        identity: { type: "SystemAssigned" },
        tags: tenant.label ? { tenant: tenant.id, label: tenant.label } : { tenant: tenant.id },
      },
      parent,
    );
    const factoryPrincipalId = factory.identity.apply((i) => i?.principalId ?? "");
    // The factory reads the app secret and nothing else in the vault.
    const secretReader = grantRole(
      `${name}-factory-secret-reader`,
      {
        scope: platform.appSecretId,
        scopeKind: "secret",
        principalId: factoryPrincipalId,
        principalType: "ServicePrincipal",
        grantee: "factory",
        role: "keyVaultSecretsUser",
        subscriptionId: platform.subscriptionId,
      },
      parent,
    );

    const inFactory = { factoryName: factory.name, resourceGroupName: platform.resourceGroupName };
    const app: AppCredentials = { applicationId: platform.applicationId, partnerTenantId: platform.partnerTenantId, secretName: platform.appSecretName };
    const vaultLs = new datafactory.LinkedService(
      `${name}-ls-keyvault`,
      { ...inFactory, linkedServiceName: LINKED_SERVICES.keyVault, properties: keyVaultLinkedService(platform.vaultUri) },
      parent,
    );
    const afterVault = { parent: this, dependsOn: [vaultLs, secretReader] };
    const storageLs = new datafactory.LinkedService(
      `${name}-ls-storage`,
      { ...inFactory, linkedServiceName: LINKED_SERVICES.storage, properties: storageLinkedService(args.storage.dfsEndpoint, app) },
      afterVault,
    );
    const office365Ls = new datafactory.LinkedService(
      `${name}-ls-office365`,
      { ...inFactory, linkedServiceName: LINKED_SERVICES.office365, properties: office365LinkedService(tenant.id, app) },
      afterVault,
    );

    const sourceOpts = { parent: this, dependsOn: [office365Ls] };
    const sinkOpts = { parent: this, dependsOn: [storageLs] };
    const datasets: pulumi.Resource[] = [
      // Verbatim: azure-native's Dataset cannot carry the AdditionalDataSetProperties Graph Data Connect reads.
      new VerbatimDataset(
        `${name}-ds-person-report`,
        { ...inFactory, subscriptionId: platform.subscriptionId, datasetName: DATASETS.personReport, properties: personReportDataset(tenant.personReportColumns) },
        sourceOpts,
      ),
      new datafactory.Dataset(`${name}-ds-person-report-drop`, { ...inFactory, datasetName: DATASETS.personReportDrop, properties: dropDataset(tenant.id) }, sinkOpts),
    ];
    if (tenant.usersDataset) {
      datasets.push(
        new datafactory.Dataset(`${name}-ds-users`, { ...inFactory, datasetName: DATASETS.users, properties: office365Dataset(TABLES.users) }, sourceOpts),
        new datafactory.Dataset(`${name}-ds-users-drop`, { ...inFactory, datasetName: DATASETS.usersDrop, properties: dropDataset(tenant.id) }, sinkOpts),
      );
    }

    const pipeline = new datafactory.Pipeline(
      `${name}-pipeline`,
      { ...inFactory, pipelineName: PIPELINE_NAME, parameters: pipelineParameters(tenant), activities: pipelineActivities(tenant, platform.applicationId) },
      { parent: this, dependsOn: datasets },
    );
    // Starting the trigger arms the schedule, so everything a run touches must exist first: the
    // pipeline, the key and the app's access to it, the app's container access, and the factory
    // identity's secret role (the linked services resolve the app secret through it). Stated
    // explicitly, not left to the pipeline's transitive dependencies.
    new StartedTrigger(
      `${name}-trigger`,
      {
        subscriptionId: platform.subscriptionId,
        resourceGroupName: platform.resourceGroupName,
        factoryName: factory.name,
        triggerName: TRIGGER_NAME,
        properties: triggerProperties(tenant, args.triggerStartTime),
        paused: tenant.paused,
      },
      { parent: this, dependsOn: [pipeline, key, keyAccess, writer, secretReader, vaultLs, storageLs, office365Ls] },
    );

    this.tenantId = pulumi.output(tenant.id);
    this.containerName = container.name;
    this.factoryName = factory.name;
    this.keyId = key.versionlessId;
    this.containerUrl = pulumi.interpolate`${args.storage.blobEndpoint.apply((e) => e.replace(/\/?$/, "/"))}${container.name}`;
    this.factoryPrincipalId = factoryPrincipalId;
    this.registerOutputs({
      tenantId: this.tenantId,
      containerName: this.containerName,
      factoryName: this.factoryName,
      keyId: this.keyId,
      containerUrl: this.containerUrl,
      factoryPrincipalId: this.factoryPrincipalId,
    });
  }
}

/**
 * The roles on one tenant's key and container besides the app's container write access: the
 * app's Key Vault Crypto User on this key only (Graph Data Connect encrypts with it), and for
 * each reader Crypto User on the key plus Storage Blob Data Reader — or Contributor when it
 * deletes drops — on the container. The key's role assignments wait for the key to exist.
 * Returns the app's key access, which the trigger waits for.
 */
export function grantKeyAndDropAccess(
  name: string,
  tenantId: string,
  platform: PlatformRefs,
  key: pulumi.Resource,
  container: storage.BlobContainer,
  readers: readonly ReaderConfig[],
  parent: pulumi.Resource,
): pulumi.Resource {
  const keyScope = pulumi.interpolate`${platform.vaultId}/keys/${tenantId}`;
  const afterKey = { parent, dependsOn: [key] };
  const appKeyUser = grantRole(
    `${name}-app-key-user`,
    {
      scope: keyScope,
      scopeKind: "key",
      principalId: platform.servicePrincipalObjectId,
      principalType: "ServicePrincipal",
      grantee: "app",
      role: "keyVaultCryptoUser",
      subscriptionId: platform.subscriptionId,
    },
    afterKey,
  );
  for (const reader of readers) {
    const who = { principalId: reader.principalId, principalType: reader.principalType, grantee: "reader" as const, subscriptionId: platform.subscriptionId };
    grantRole(`${name}-reader-${reader.principalId}-key-user`, { ...who, scope: keyScope, scopeKind: "key", role: "keyVaultCryptoUser" }, afterKey);
    grantRole(
      `${name}-reader-${reader.principalId}-blobs`,
      { ...who, scope: container.id, scopeKind: "container", role: reader.deletesDrops ? "storageBlobDataContributor" : "storageBlobDataReader" },
      { parent },
    );
  }
  return appKeyUser;
}
