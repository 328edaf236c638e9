import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource, PlanResult } from "../scripts/plan/run-plan";
import { MOCK_CLIENT, stableGuid } from "../scripts/plan/mocks";
import { KEY_MANAGER_ROLE, keyManagerRoleGuid } from "../components/roles";
import { DEV_RG_ID, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE, builtInRoleId, devConfig, plan, resource, tenantsOf, valueOf } from "./helpers/plan";

const VAULT_ID = `${DEV_RG_ID}/providers/Microsoft.KeyVault/vaults/contoso-dev-kv`;

let result: PlanResult;
let resources: PlannedResource[];
const get = (name: string) => resource(resources, name);

beforeAll(async () => {
  result = await plan(devConfig());
  resources = result.resources;
});

describe("plan of Pulumi.dev.yaml: platform", () => {
  it("groups resources under their components", () => {
    expect(get("platform")).toMatchObject({ type: "viva-partner:platform:Platform", parent: null });
    expect(get("platform-app")).toMatchObject({ type: "viva-partner:app:PartnerApp", parent: "platform" });
    expect(get("platform-kv")).toMatchObject({ type: "viva-partner:keyvault:KeyVault", parent: "platform" });
    expect(get("platform-storage")).toMatchObject({ type: "viva-partner:storage:Storage", parent: "platform" });
    expect(get(`tenant-${FABRIKAM}`)).toMatchObject({ type: "viva-partner:tenant:Tenant", parent: null });
    expect(get("platform-kv-vault").parent).toBe("platform-kv");
    expect(get(`tenant-${FABRIKAM}-factory`).parent).toBe(`tenant-${FABRIKAM}`);
  });

  it("declares the resource group in the configured region", () => {
    expect(get("platform-rg")).toMatchObject({ type: "azure-native:resources:ResourceGroup", inputs: { resourceGroupName: "contoso-dev-rg", location: "westeurope" } });
  });

  it("registers a multi-tenant app, its service principal and a secret with the configured dates", () => {
    expect(get("platform-app-app")).toMatchObject({
      type: "azuread:index/application:Application",
      inputs: { displayName: "contoso Viva Insights connector", signInAudience: "AzureADMultipleOrgs" },
    });
    const appObjectId = String(get("platform-app-secret").inputs.applicationId).replace("/applications/", "");
    expect(get("platform-app-secret")).toMatchObject({
      type: "azuread:index/applicationPassword:ApplicationPassword",
      inputs: { startDate: "2026-11-02T00:00:00Z", endDate: "2027-11-02T00:00:00Z" },
    });
    expect(appObjectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(get("platform-app-sp").type).toBe("azuread:index/servicePrincipal:ServicePrincipal");
    expect(typeof get("platform-app-sp").inputs.clientId).toBe("string");
  });

  it("never prints the client secret: the Key Vault secret's properties are redacted", () => {
    expect(get("platform-kv-app-secret")).toMatchObject({
      type: "azure-native:keyvault:Secret",
      inputs: { secretName: "partner-app-client-secret", vaultName: "contoso-dev-kv", properties: "[secret]" },
    });
    expect(JSON.stringify(resources)).not.toContain("mock-client-secret");
  });

  it("creates an RBAC vault with soft delete, purge protection and public network access", () => {
    expect(get("platform-kv-vault").inputs).toMatchObject({
      vaultName: "contoso-dev-kv",
      resourceGroupName: "contoso-dev-rg",
      properties: {
        tenantId: MOCK_CLIENT.tenantId,
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        enablePurgeProtection: true,
        publicNetworkAccess: "Enabled",
        sku: { family: "A", name: "standard" },
      },
    });
    expect(get("platform-kv-vault").inputs.properties).not.toHaveProperty("accessPolicies");
  });

  it("gives the app's service principal no vault-wide role: Key Vault Crypto User only on each tenant key", () => {
    const vaultWide = resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs.scope === VAULT_ID);
    expect(vaultWide.map((r) => r.name)).toEqual(["platform-kv-deployer-key-manager"]);
    for (const t of [FABRIKAM, NORTHWIND, WOODGROVE]) {
      expect(get(`tenant-${t}-app-key-user`).inputs).toEqual({
        scope: `${VAULT_ID}/keys/${t}`,
        // The service principal's object id, not the application's.
        principalId: stableGuid("platform-app-sp/object"),
        principalType: "ServicePrincipal",
        roleDefinitionId: builtInRoleId("keyVaultCryptoUser"),
      });
      // The key's scope exists only once the key does.
      expect(result.dependencies.get(`tenant-${t}-app-key-user`)).toContain(`tenant-${t}-key`);
    }
    expect(get(`tenant-${FABRIKAM}-app-blob-writer`).inputs.principalId).toBe(get(`tenant-${FABRIKAM}-app-key-user`).inputs.principalId);
  });

  it("defines a key-manager role that manages keys without using them, assignable in the vault's resource group only", () => {
    const role = get("platform-kv-key-manager-role");
    expect(role).toMatchObject({ type: "azure-native:authorization:RoleDefinition", parent: "platform-kv" });
    expect(role.inputs).toEqual({
      roleDefinitionId: keyManagerRoleGuid(VAULT_ID),
      roleName: "Viva Partner Key Manager (contoso-dev-kv)",
      description: KEY_MANAGER_ROLE.description,
      roleType: "CustomRole",
      scope: DEV_RG_ID,
      assignableScopes: [DEV_RG_ID],
      permissions: [
        {
          actions: [],
          notActions: [],
          dataActions: [
            "Microsoft.KeyVault/vaults/keys/read",
            "Microsoft.KeyVault/vaults/keys/create/action",
            "Microsoft.KeyVault/vaults/keys/update/action",
            "Microsoft.KeyVault/vaults/keys/import/action",
            "Microsoft.KeyVault/vaults/keys/delete",
            "Microsoft.KeyVault/vaults/keys/recover/action",
            "Microsoft.KeyVault/vaults/keys/rotate/action",
            "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
            "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
          ],
          notDataActions: [],
        },
      ],
    });
    const dataActions = JSON.stringify(role.inputs.permissions);
    for (const use of ["decrypt", "unwrap", "sign", "purge", "release", "backup"]) expect(dataActions).not.toContain(use);
  });

  it("gives the deployer the key-manager role on the vault, nothing broader, instead of Key Vault Crypto Officer", () => {
    expect(get("platform-kv-deployer-key-manager").inputs).toEqual({
      scope: VAULT_ID,
      principalId: MOCK_CLIENT.objectId,
      principalType: "User",
      roleDefinitionId: `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${keyManagerRoleGuid(VAULT_ID)}`,
    });
    expect(JSON.stringify(resources)).not.toContain("14b46e9e-c2b7-41b4-b07b-48a6ebf60603");
  });

  it("creates one locked-down ADLS Gen2 account with blob soft delete per region served", () => {
    const accounts = resources.filter((r) => r.type === "azure-native:storage:StorageAccount");
    expect(accounts.map((a) => [a.name, a.parent, a.inputs.accountName, a.inputs.location])).toEqual([
      ["platform-storage-account", "platform-storage", "contosodev", "westeurope"],
      ["platform-storage-northeurope-account", "platform-storage-northeurope", "contosodevne", "northeurope"],
    ]);
    for (const [component, account] of [["platform-storage", "contosodev"], ["platform-storage-northeurope", "contosodevne"]]) {
      expect(get(component)).toMatchObject({ type: "viva-partner:storage:Storage", parent: "platform" });
      expect(get(`${component}-account`).inputs).toEqual({
        accountName: account,
        resourceGroupName: "contoso-dev-rg",
        location: component === "platform-storage" ? "westeurope" : "northeurope",
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        isHnsEnabled: true,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
      });
      expect(get(`${component}-blob-service`).inputs).toEqual({
        accountName: account,
        resourceGroupName: "contoso-dev-rg",
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: 14 },
        containerDeleteRetentionPolicy: { enabled: true, days: 14 },
      });
    }
  });

  it("sets principalType on every role assignment", () => {
    const assignments = resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment");
    expect(assignments).toHaveLength(1 + 3 * tenantsOf(devConfig()).length);
    for (const a of assignments) expect(["ServicePrincipal", "User"]).toContain(a.inputs.principalType);
    expect(assignments.filter((a) => a.inputs.principalType === "User").map((a) => a.name)).toEqual(["platform-kv-deployer-key-manager"]);
  });

  it("exports what the manual steps need, including the consent link", async () => {
    const outputs = result.outputs as Record<string, import("@pulumi/pulumi").Output<unknown>>;
    const appId = await valueOf(outputs.applicationId);
    expect(await valueOf(outputs.partnerTenantId)).toBe(MOCK_CLIENT.tenantId);
    expect(await valueOf(outputs.vaultUri)).toBe("https://contoso-dev-kv.vault.azure.net/");
    expect(await valueOf(outputs.storageAccountName)).toBe("contosodev");
    expect(await valueOf(outputs.consentLink)).toBe(`https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${MOCK_CLIENT.tenantId}/${appId}`);
    expect(await valueOf(outputs.appSecretId)).toBe(`${VAULT_ID}/secrets/partner-app-client-secret`);
    const tenants = outputs.tenants as unknown as Record<string, { container: import("@pulumi/pulumi").Output<string>; factory: import("@pulumi/pulumi").Output<string> }>;
    expect(Object.keys(tenants).sort()).toEqual([TAILSPIN, FABRIKAM, WOODGROVE, NORTHWIND].sort());
    expect(await valueOf(tenants[FABRIKAM].container)).toBe(FABRIKAM);
    expect(await valueOf(tenants[NORTHWIND].factory)).toBe(`contoso-dev-${NORTHWIND}`);
  });
});
