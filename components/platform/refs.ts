import * as pulumi from "@pulumi/pulumi";

/**
 * What tenants need from the platform. The platform stack exports each field as a stack output of
 * the same name; customer stacks read them back through a StackReference.
 */
export interface PlatformRefs {
  readonly subscriptionId: pulumi.Output<string>;
  /** The partner's own Entra tenant (where the app is registered). */
  readonly partnerTenantId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  readonly location: pulumi.Output<string>;
  /** Application (client) id of the partner app. */
  readonly applicationId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;
  readonly vaultId: pulumi.Output<string>;
  readonly appSecretName: pulumi.Output<string>;
  readonly appSecretId: pulumi.Output<string>;
  readonly storageAccountName: pulumi.Output<string>;
  readonly storageAccountId: pulumi.Output<string>;
  readonly dfsEndpoint: pulumi.Output<string>;
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
