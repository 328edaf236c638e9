import type * as pulumi from "@pulumi/pulumi";

/** Linked service names inside each factory. */
export const LINKED_SERVICES = {
  keyVault: "PartnerKeyVault",
  storage: "PartnerStorage",
  office365: "CustomerOffice365",
} as const;

/** A reference to a Key Vault secret through the factory's Key Vault linked service. */
export function vaultSecret(secretName: pulumi.Input<string>) {
  return {
    type: "AzureKeyVaultSecret" as const,
    store: { referenceName: LINKED_SERVICES.keyVault, type: "LinkedServiceReference" },
    secretName,
  };
}

/** The partner's Key Vault, read with the factory's system identity. */
export function keyVaultLinkedService(vaultUri: pulumi.Input<string>) {
  return { type: "AzureKeyVault" as const, baseUrl: vaultUri };
}

/** What the app-authenticated linked services need to know about the partner app. */
export interface AppCredentials {
  /** Application (client) id. */
  applicationId: pulumi.Input<string>;
  /** The partner's Entra tenant (where the app lives). */
  partnerTenantId: pulumi.Input<string>;
  /** Key Vault secret holding the client secret. */
  secretName: pulumi.Input<string>;
}

/**
 * The drop storage (ADLS Gen2): the Microsoft 365 copy requires service-principal auth on its sink.
 * The secret goes in `servicePrincipalCredential`, the property `servicePrincipalCredentialType`
 * qualifies (as in Microsoft's sample).
 */
export function storageLinkedService(dfsEndpoint: pulumi.Input<string>, app: AppCredentials) {
  return {
    type: "AzureBlobFS" as const,
    url: dfsEndpoint,
    tenant: app.partnerTenantId,
    servicePrincipalId: app.applicationId,
    servicePrincipalCredentialType: "ServicePrincipalKey",
    servicePrincipalCredential: vaultSecret(app.secretName),
  };
}

/**
 * Graph Data Connect for one customer: `office365TenantId` is the customer's tenant, while the
 * service principal (the partner app) lives in the partner's tenant.
 */
export function office365LinkedService(customerTenantId: string, app: AppCredentials) {
  return {
    type: "Office365" as const,
    office365TenantId: customerTenantId,
    servicePrincipalTenantId: app.partnerTenantId,
    servicePrincipalId: app.applicationId,
    servicePrincipalKey: vaultSecret(app.secretName),
  };
}
