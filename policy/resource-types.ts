/** Pulumi type tokens of the resources the policies check. */
export const TYPES = {
  storageAccount: "azure-native:storage:StorageAccount",
  blobServiceProperties: "azure-native:storage:BlobServiceProperties",
  blobContainer: "azure-native:storage:BlobContainer",
  vault: "azure-native:keyvault:Vault",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  pipeline: "azure-native:datafactory:Pipeline",
} as const;

/**
 * Dynamic resources carry `pulumi-nodejs:dynamic:Resource`, or `pulumi-nodejs:dynamic/<module>:<Name>`
 * when the program names their type (viva-partner's TenantKey does).
 */
export function isDynamicType(type: string): boolean {
  return type === "pulumi-nodejs:dynamic:Resource" || type.startsWith("pulumi-nodejs:dynamic/");
}

/**
 * A tenant key is a dynamic resource whose inputs name a vault and a key, or whose logical name ends
 * in `-key` (the Tenant component's child). Checking with `in` reads no value, so a vault URI that is
 * unknown during preview does not stop the identification.
 */
export function isTenantKey(type: string, name: string, props: Record<string, unknown>): boolean {
  if (!isDynamicType(type)) return false;
  return ("vaultUri" in props && "keyName" in props) || name.endsWith("-key");
}
