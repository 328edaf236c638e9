import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { PLATFORM_REF_KEYS } from "../components/platform";
import { MOCK_CLIENT, mockPlatformOutputs, stableGuid } from "../scripts/plan/mocks";
import { FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE, devConfig, plan, stackConfig, valueOf } from "./helpers/plan";

/** The contract `viva-drop run/status` reads (`pulumi stack output --json`), in both topologies. */
const CONTRACT_KEYS = [
  "subscriptionId",
  "resourceGroupName",
  "vaultUri",
  "applicationId",
  "partnerTenantId",
  "consentLink",
  "appSecretEndDate",
  "storageAccounts",
  "tenants",
] as const;

/** Every output resolved, as `pulumi stack output --json` would print it. */
async function resolved(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  return JSON.parse(JSON.stringify(await valueOf(pulumi.output(outputs)))) as Record<string, unknown>;
}

const account = (name: string) => ({ name, blobEndpoint: `https://${name}.blob.core.windows.net/`, dfsEndpoint: `https://${name}.dfs.core.windows.net/` });

describe("stack outputs", () => {
  it("single stack: the contract, exactly, for every tenant", async () => {
    const out = await resolved((await plan(devConfig())).outputs);
    const appId = stableGuid("platform-app-app/client");
    const vault = "https://contoso-dev-kv.vault.azure.net/";
    const tenant = (id: string, label: string, location: string, storageAccountName: string, paused: boolean, usersDataset: boolean) => ({
      label,
      location,
      storageAccountName,
      container: id,
      containerUrl: `https://${storageAccountName}.blob.core.windows.net/${id}`,
      factory: `contoso-dev-${id}`,
      factoryPrincipalId: stableGuid(`tenant-${id}-factory/identity`),
      pipeline: "ExportO365DataEvents",
      trigger: "WeeklyMondayExport",
      paused,
      usersDataset,
      keyName: id,
      keyId: `${vault}keys/${id}`,
    });
    expect(Object.fromEntries(CONTRACT_KEYS.map((k) => [k, out[k]]))).toEqual({
      subscriptionId: MOCK_CLIENT.subscriptionId,
      resourceGroupName: "contoso-dev-rg",
      vaultUri: vault,
      applicationId: appId,
      partnerTenantId: MOCK_CLIENT.tenantId,
      consentLink: `https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${MOCK_CLIENT.tenantId}/${appId}`,
      appSecretEndDate: "2027-11-02T00:00:00Z",
      storageAccounts: { westeurope: account("contosodev"), northeurope: account("contosodevne") },
      tenants: {
        [FABRIKAM]: tenant(FABRIKAM, "Fabrikam", "westeurope", "contosodev", false, true),
        [NORTHWIND]: tenant(NORTHWIND, "Northwind Traders", "northeurope", "contosodevne", false, false),
        [TAILSPIN]: tenant(TAILSPIN, "Tailspin Toys", "westeurope", "contosodev", true, true),
        // Configured with only its id: no label in the outputs.
        [WOODGROVE]: (({ label: _label, ...rest }) => rest)(tenant(WOODGROVE, "", "westeurope", "contosodev", false, false)),
      },
    });
    // Beside the contract: the platform refs customer stacks read, and the older storageAccountName.
    expect(Object.keys(out).sort()).toEqual([...new Set([...CONTRACT_KEYS, "storageAccountName", ...PLATFORM_REF_KEYS])].sort());
  });

  it("customer stack: the contract, with subscription, resource group, vault and secret end date from the platform stack", async () => {
    const out = await resolved((await plan(stackConfig("acme"), "acme")).outputs);
    const platform = mockPlatformOutputs("organization/viva-partner/dev");
    const acme = "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    const northeurope = (platform.storageAccounts as Record<string, { name: string }>).northeurope.name;
    expect(out).toEqual({
      subscriptionId: platform.subscriptionId,
      resourceGroupName: platform.resourceGroupName,
      vaultUri: platform.vaultUri,
      applicationId: platform.applicationId,
      partnerTenantId: platform.partnerTenantId,
      consentLink: `https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${String(platform.partnerTenantId)}/${String(platform.applicationId)}`,
      appSecretEndDate: platform.appSecretEndDate,
      storageAccountName: platform.storageAccountName,
      storageAccounts: platform.storageAccounts,
      tenants: {
        [acme]: {
          label: "Acme Corporation",
          location: "northeurope",
          storageAccountName: northeurope,
          container: acme,
          containerUrl: `https://${northeurope}.blob.core.windows.net/${acme}`,
          factory: `contoso-acme-${acme}`,
          factoryPrincipalId: stableGuid(`tenant-${acme}-factory/identity`),
          pipeline: "ExportO365DataEvents",
          trigger: "WeeklyMondayExport",
          paused: false,
          usersDataset: false,
          keyName: acme,
          keyId: `${String(platform.vaultUri)}keys/${acme}`,
        },
      },
    });
  });

  it("leaves the label out of a tenant without one", async () => {
    const config = { ...devConfig(), "viva-partner:tenants": JSON.stringify([{ id: FABRIKAM, keyExpiresOn: "2027-11-01" }]) };
    const out = await resolved((await plan(config)).outputs);
    expect((out.tenants as Record<string, object>)[FABRIKAM]).not.toHaveProperty("label");
  });
});
