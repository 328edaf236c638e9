import * as pulumi from "@pulumi/pulumi";

/**
 * What tenants need from the platform. The platform stack exports each field as a stack output of
 * the same name; customer stacks read them back through a StackReference.
 */
export interface PlatformRefs {
  subscriptionId: pulumi.Output<string>;
  /** The partner's own Entra tenant (where the app is registered). */
  partnerTenantId: pulumi.Output<string>;
  resourceGroupName: pulumi.Output<string>;
  location: pulumi.Output<string>;
  /** Application (client) id of the partner app. */
  applicationId: pulumi.Output<string>;
  servicePrincipalObjectId: pulumi.Output<string>;
  vaultName: pulumi.Output<string>;
  vaultUri: pulumi.Output<string>;
  vaultId: pulumi.Output<string>;
  appSecretName: pulumi.Output<string>;
  appSecretId: pulumi.Output<string>;
  storageAccountName: pulumi.Output<string>;
  storageAccountId: pulumi.Output<string>;
  dfsEndpoint: pulumi.Output<string>;
}

/** The field names of {@link PlatformRefs}, in output order. */
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
  "storageAccountName",
  "storageAccountId",
  "dfsEndpoint",
] as const satisfies readonly (keyof PlatformRefs)[];

/** Reads the platform's outputs from its stack (customer-stack topology). */
export function platformRefsFromStack(ref: pulumi.StackReference): PlatformRefs {
  const refs = {} as Record<keyof PlatformRefs, pulumi.Output<string>>;
  for (const key of PLATFORM_REF_KEYS) refs[key] = ref.requireOutput(key).apply((v) => String(v));
  return refs;
}

/** Graph Data Connect admin center link a customer admin opens to consent (seed: "Direct link"). */
export function consentLink(partnerTenantId: pulumi.Input<string>, applicationId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${partnerTenantId}/${applicationId}`;
}
