import * as pulumi from "@pulumi/pulumi";
import type { ProgramConfig } from "../config";
import { checkServedRegion } from "../config/regions";
import { Platform, PLATFORM_REF_KEYS, consentLink, platformRefsFromStack, type Deployer, type PlatformRefs } from "./platform";
import type { StorageAccountRefs } from "./platform/refs";
import { PIPELINE_NAME, TRIGGER_NAME, Tenant, tenantResourceName } from "./tenant";

/** What a tenant's entry in the `tenants` stack output shows: everything `viva-drop run/status` and the partner need. */
export interface TenantSummary {
  /** The tenant's label from config (absent when none is set). */
  readonly label?: string;
  /** Azure region of the tenant's factory and storage account. */
  readonly location: string;
  /** The storage account of that region. */
  readonly storageAccountName: pulumi.Output<string>;
  /** Container the drops land in (the tenant GUID). */
  readonly container: pulumi.Output<string>;
  /** https://<account>.blob.core.windows.net/<tenant GUID> */
  readonly containerUrl: pulumi.Output<string>;
  /** Data Factory that runs the tenant's export. */
  readonly factory: pulumi.Output<string>;
  /** Object id of the factory's managed identity: the `oid` of the notification's token. */
  readonly factoryPrincipalId: pulumi.Output<string>;
  readonly pipeline: string;
  readonly trigger: string;
  /** True while the trigger is left stopped. */
  readonly paused: boolean;
  /** Whether the users dataset is exported too (into `<run id>-users`). */
  readonly usersDataset: boolean;
  /** Name of the tenant's key in the vault (the tenant GUID). */
  readonly keyName: string;
  /** Versionless key id. */
  readonly keyId: pulumi.Output<string>;
}

/** The stack outputs: what the partner pastes into forms, e-mails and customer messages, and what viva-drop reads. */
export interface ProgramOutputs {
  readonly subscriptionId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  /** Key Vault URI for the Graph Data Connect registration form. */
  readonly vaultUri: pulumi.Output<string>;
  /** Application (client) id: allow-list e-mail and customers' consent. */
  readonly applicationId: pulumi.Output<string>;
  /** The partner's Entra tenant: first half of the consent link. */
  readonly partnerTenantId: pulumi.Output<string>;
  /** The link each customer admin opens to approve the app. */
  readonly consentLink: pulumi.Output<string>;
  /** When the app's client secret expires. */
  readonly appSecretEndDate: pulumi.Output<string>;
  /** The home region's storage account (kept for compatibility; see storageAccounts). */
  readonly storageAccountName: pulumi.Output<string>;
  /** Drop storage by region. */
  readonly storageAccounts: Readonly<Record<string, StorageAccountRefs>>;
  /** Tenant GUID → where its drops land and what produces them. */
  readonly tenants: Record<string, TenantSummary>;
  /** The platform stack's outputs for customer stacks (absent in customer stacks). */
  readonly platform?: PlatformRefs;
}

/** Awaited after each declared tenant (argument: how many so far); lets a caller pace registrations. */
export type TenantPacer = (declared: number) => Promise<void>;

/**
 * Declares the whole program for validated config: in a single stack the platform plus every
 * tenant; in a customer stack only its tenants, wired to the platform stack's outputs. In a customer
 * stack a tenant in a region the platform does not serve is a ConfigError, thrown before any tenant
 * is declared.
 */
export async function declareProgram(config: ProgramConfig, deployer: Deployer, pace?: TenantPacer): Promise<ProgramOutputs> {
  let refs: PlatformRefs;
  let homeLocation: string;
  let keyDependsOn: pulumi.Resource[] = [];
  let platform: PlatformRefs | undefined;
  if (config.topology.kind === "single") {
    const built = new Platform("platform", { settings: config.topology.platform, deployer });
    refs = built.refs;
    platform = built.refs;
    homeLocation = config.topology.platform.location;
    keyDependsOn = [...built.keyAccess];
  } else {
    const { platformStack } = config.topology;
    ({ refs, location: homeLocation } = await platformRefsFromStack(new pulumi.StackReference("platform", { name: platformStack }), platformStack));
    const regions = Object.keys(refs.storageAccounts);
    const served = regions.includes(homeLocation) ? [homeLocation, ...regions.filter((r) => r !== homeLocation)] : regions;
    for (const tenant of config.tenants) checkServedRegion(tenant.location ?? homeLocation, tenant.locationField, served, platformStack);
  }

  const tenants: Record<string, TenantSummary> = {};
  for (const tenant of config.tenants) {
    const location = tenant.location ?? homeLocation;
    const storage = refs.storageAccounts[location];
    const t = new Tenant(tenantResourceName(tenant.id), {
      tenant,
      platform: refs,
      location,
      storage,
      triggerStartTime: config.triggerStartTime,
      keyDependsOn,
      deployerObjectId: deployer.objectId,
      keyPolicy: config.keys,
      readers: config.readers,
    });
    tenants[tenant.id] = {
      ...(tenant.label === undefined ? {} : { label: tenant.label }),
      location,
      storageAccountName: storage.name,
      container: t.containerName,
      containerUrl: t.containerUrl,
      factory: t.factoryName,
      factoryPrincipalId: t.factoryPrincipalId,
      pipeline: PIPELINE_NAME,
      trigger: TRIGGER_NAME,
      paused: tenant.paused,
      usersDataset: tenant.usersDataset,
      keyName: tenant.id,
      keyId: t.keyId,
    };
    if (pace) await pace(Object.keys(tenants).length);
  }
  return {
    subscriptionId: refs.subscriptionId,
    resourceGroupName: refs.resourceGroupName,
    vaultUri: refs.vaultUri,
    applicationId: refs.applicationId,
    partnerTenantId: refs.partnerTenantId,
    consentLink: consentLink(refs.partnerTenantId, refs.applicationId),
    appSecretEndDate: refs.appSecretEndDate,
    storageAccountName: refs.storageAccountName,
    storageAccounts: refs.storageAccounts,
    tenants,
    platform,
  };
}

/**
 * Flattens outputs into stack exports (the contract `viva-drop run/status` reads); a platform stack
 * also exports every {@link PlatformRefs} field, for its customer stacks.
 */
export function stackExports(outputs: ProgramOutputs): Record<string, unknown> {
  const exports: Record<string, unknown> = {
    subscriptionId: outputs.subscriptionId,
    resourceGroupName: outputs.resourceGroupName,
    vaultUri: outputs.vaultUri,
    applicationId: outputs.applicationId,
    partnerTenantId: outputs.partnerTenantId,
    consentLink: outputs.consentLink,
    appSecretEndDate: outputs.appSecretEndDate,
    storageAccountName: outputs.storageAccountName,
    storageAccounts: outputs.storageAccounts,
    tenants: outputs.tenants,
  };
  if (outputs.platform) for (const key of PLATFORM_REF_KEYS) exports[key] = outputs.platform[key];
  return exports;
}
