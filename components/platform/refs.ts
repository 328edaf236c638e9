import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config";

/** A region's drop storage account, as tenants and the stack outputs see it. */
export interface StorageAccountRefs {
  readonly name: pulumi.Output<string>;
  /** https://<account>.blob.core.windows.net/ */
  readonly blobEndpoint: pulumi.Output<string>;
  /** https://<account>.dfs.core.windows.net/ */
  readonly dfsEndpoint: pulumi.Output<string>;
}

/**
 * What tenants need from the platform. The platform stack exports each field as a stack output of
 * the same name; customer stacks read them back through a StackReference.
 */
export interface PlatformRefs {
  readonly subscriptionId: pulumi.Output<string>;
  /** The partner's own Entra tenant (where the app is registered). */
  readonly partnerTenantId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  /** The platform's home region: resource group, vault, and tenants without a location of their own. */
  readonly location: pulumi.Output<string>;
  /** Application (client) id of the partner app. */
  readonly applicationId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;
  readonly vaultId: pulumi.Output<string>;
  readonly appSecretName: pulumi.Output<string>;
  readonly appSecretId: pulumi.Output<string>;
  /** When the app's client secret expires (ISO 8601 UTC): the date to rotate it by. */
  readonly appSecretEndDate: pulumi.Output<string>;
  /** The home region's account (kept from before regions existed). */
  readonly storageAccountName: pulumi.Output<string>;
  readonly storageAccountId: pulumi.Output<string>;
  readonly dfsEndpoint: pulumi.Output<string>;
  /** Drop storage by region: one account per region the platform serves (`regions`). */
  readonly storageAccounts: Readonly<Record<string, StorageAccountRefs>>;
}

/** The single-valued fields of {@link PlatformRefs}, in output order; `storageAccounts` is exported beside them. */
export const PLATFORM_REF_KEYS = [
  "subscriptionId",
  "partnerTenantId",
  "resourceGroupName",
  "location",
  "applicationId",
  "servicePrincipalObjectId",
  "vaultName",
  "vaultUri",
  "vaultId",
  "appSecretName",
  "appSecretId",
  "appSecretEndDate",
  "storageAccountName",
  "storageAccountId",
  "dfsEndpoint",
] as const satisfies readonly (keyof PlatformRefs)[];

/** A storage account as the `storageAccounts` stack output holds it. */
export interface StorageAccountOutput {
  name: string;
  blobEndpoint: string;
  dfsEndpoint: string;
}

/** The platform as a customer stack sees it: its refs (the served regions are the keys of `storageAccounts`) and its home region. */
export interface PlatformFromStack {
  refs: PlatformRefs;
  /** The platform's home region (default for tenants without a location). */
  location: string;
}

/**
 * Reads the platform's outputs from its stack (customer-stack topology). The home region and the
 * storage accounts are awaited: which tenant lands where is decided before any tenant is declared.
 */
export async function platformRefsFromStack(ref: pulumi.StackReference, platformStack: string): Promise<PlatformFromStack> {
  const single = {} as Record<(typeof PLATFORM_REF_KEYS)[number], pulumi.Output<string>>;
  for (const key of PLATFORM_REF_KEYS) single[key] = ref.requireOutput(key).apply((v) => String(v));
  const [location, accounts] = await Promise.all([ref.getOutputValue("location"), ref.getOutputValue("storageAccounts")]);
  if (typeof location !== "string" || !isAccountMap(accounts)) {
    throw new ConfigError(
      "platformStack",
      `${platformStack} exports no ${typeof location !== "string" ? "location" : "storageAccounts"} output: run pulumi up on that stack with this version of the program first`,
    );
  }
  const storageAccounts: Record<string, StorageAccountRefs> = {};
  for (const [region, account] of Object.entries(accounts)) {
    storageAccounts[region] = { name: pulumi.output(account.name), blobEndpoint: pulumi.output(account.blobEndpoint), dfsEndpoint: pulumi.output(account.dfsEndpoint) };
  }
  return { refs: { ...single, storageAccounts }, location };
}

function isAccountMap(value: unknown): value is Record<string, StorageAccountOutput> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.values(value).every(
    (a) => a !== null && typeof a === "object" && ["name", "blobEndpoint", "dfsEndpoint"].every((k) => typeof (a as Record<string, unknown>)[k] === "string"),
  );
}

/** Graph Data Connect admin center link a customer admin opens to consent (seed: "Direct link"). */
export function consentLink(partnerTenantId: pulumi.Input<string>, applicationId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${partnerTenantId}/${applicationId}`;
}
