import { describe, expect, it } from "vitest";
import { keyVaultProtected } from "../../policy/key-vault";
import { changed, violations } from "./helpers";

const VAULT = "azure-native:keyvault:Vault";
const valid = {
  vaultName: "contoso-dev-kv",
  resourceGroupName: "contoso-dev-rg",
  location: "westeurope",
  properties: {
    tenantId: "00000000-0000-4000-8000-00000000aaaa",
    sku: { family: "A", name: "standard" },
    enableRbacAuthorization: true,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    publicNetworkAccess: "Enabled",
  },
};

describe("key-vault-protected", () => {
  it("passes an RBAC vault with soft delete and purge protection", async () => {
    expect(await violations(keyVaultProtected, VAULT, valid)).toEqual([]);
  });

  it.each(["enableRbacAuthorization", "enableSoftDelete", "enablePurgeProtection"] as const)("reports properties.%s false, and only that", async (flag) => {
    const off = changed(valid, (v) => (v.properties[flag] = false));
    expect(await violations(keyVaultProtected, VAULT, off)).toEqual([`properties.${flag} must be true, is false`]);
  });

  it("reports every flag of a vault without properties", async () => {
    const bare = changed(valid, (v) => delete (v as Partial<typeof v>).properties);
    expect(await violations(keyVaultProtected, VAULT, bare)).toEqual([
      "properties.enableRbacAuthorization must be true, is not set",
      "properties.enableSoftDelete must be true, is not set",
      "properties.enablePurgeProtection must be true, is not set",
    ]);
  });

  it("ignores other resource types", async () => {
    expect(await violations(keyVaultProtected, "azure-native:keyvault:Secret", { properties: {} })).toEqual([]);
  });
});
