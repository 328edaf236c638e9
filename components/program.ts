import * as pulumi from "@pulumi/pulumi";
import type { ProgramConfig } from "../config";
import { Platform, PLATFORM_REF_KEYS, consentLink, platformRefsFromStack, type Deployer, type PlatformRefs } from "./platform";
import { Tenant, tenantResourceName } from "./tenant";

/** What a tenant's entry in the `tenants` stack output shows. */
export interface TenantSummary {
  /** The tenant's label from config. */
  readonly label?: string;
  /** Container the drops land in. */
  readonly container: pulumi.Output<string>;
  /** Data Factory that runs the tenant's export. */
  readonly factory: pulumi.Output<string>;
  /** Versionless key id (the key is named by the tenant GUID). */
  readonly keyId: pulumi.Output<string>;
}

/** The stack outputs: what the partner pastes into forms, e-mails and customer messages. */
export interface ProgramOutputs {
  /** Application (client) id: allow-list e-mail and customers' consent. */
  readonly applicationId: pulumi.Output<string>;
  /** The partner's Entra tenant: first half of the consent link. */
  readonly partnerTenantId: pulumi.Output<string>;
  /** Key Vault URI for the Graph Data Connect registration form. */
  readonly vaultUri: pulumi.Output<string>;
  /** Storage account drops land in. */
  readonly storageAccountName: pulumi.Output<string>;
  /** The link each customer admin opens to approve the app. */
  readonly consentLink: pulumi.Output<string>;
  /** Tenant GUID → container, factory and key. */
  readonly tenants: Record<string, TenantSummary>;
  /** The platform stack's outputs for customer stacks (absent in customer stacks). */
  readonly platform?: PlatformRefs;
}

/** Awaited after each declared tenant (argument: how many so far); lets a caller pace registrations. */
export type TenantPacer = (declared: number) => Promise<void>;

/**
 * Declares the whole program for validated config: in a single stack the platform plus every
 * tenant; in a customer stack only its tenants, wired to the platform stack's outputs.
 */
export async function declareProgram(config: ProgramConfig, deployer: Deployer, pace?: TenantPacer): Promise<ProgramOutputs> {
  let refs: PlatformRefs;
  let keyDependsOn: pulumi.Resource[] = [];
  let platform: PlatformRefs | undefined;
  let location: pulumi.Input<string> | undefined;
  if (config.topology.kind === "single") {
    const built = new Platform("platform", { settings: config.topology.platform, deployer });
    refs = built.refs;
    platform = built.refs;
    keyDependsOn = [...built.keyAccess];
  } else {
    refs = platformRefsFromStack(new pulumi.StackReference("platform", { name: config.topology.platformStack }));
    location = config.topology.location;
  }

  const tenants: Record<string, TenantSummary> = {};
  for (const tenant of config.tenants) {
    const t = new Tenant(tenantResourceName(tenant.id), {
      tenant,
      platform: refs,
      location,
      triggerStartTime: config.triggerStartTime,
      keyDependsOn,
      deployerObjectId: deployer.objectId,
      keyPolicy: config.keys,
      readers: config.readers,
    });
    tenants[tenant.id] = { label: tenant.label, container: t.containerName, factory: t.factoryName, keyId: t.keyId };
    if (pace) await pace(Object.keys(tenants).length);
  }
  return {
    applicationId: refs.applicationId,
    partnerTenantId: refs.partnerTenantId,
    vaultUri: refs.vaultUri,
    storageAccountName: refs.storageAccountName,
    consentLink: consentLink(refs.partnerTenantId, refs.applicationId),
    tenants,
    platform,
  };
}

/** Flattens outputs into stack exports; a platform stack also exports every {@link PlatformRefs} field. */
export function stackExports(outputs: ProgramOutputs): Record<string, unknown> {
  const exports: Record<string, unknown> = {
    applicationId: outputs.applicationId,
    partnerTenantId: outputs.partnerTenantId,
    vaultUri: outputs.vaultUri,
    storageAccountName: outputs.storageAccountName,
    consentLink: outputs.consentLink,
    tenants: outputs.tenants,
  };
  if (outputs.platform) for (const key of PLATFORM_REF_KEYS) exports[key] = outputs.platform[key];
  return exports;
}
