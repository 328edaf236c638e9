import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../scripts/plan/run-plan";
import { ConfigError } from "../config";
import { mockPlatformOutputs } from "../scripts/plan/mocks";
import { FABRIKAM, NORTHWIND, devConfig, plan, resource, stackConfig, tenantsOf, valueOf, withTenants } from "./helpers/plan";

const CONTOSO = "11111111-2222-4333-8444-555555555555";

/** name → JSON of type, parent and inputs: what a reviewer would diff. */
function index(resources: PlannedResource[]): Map<string, string> {
  return new Map(resources.map((r) => [r.name, JSON.stringify([r.type, r.parent, r.inputs])]));
}

function diff(before: PlannedResource[], after: PlannedResource[]) {
  const a = index(before);
  const b = index(after);
  return {
    added: [...b.keys()].filter((k) => !a.has(k)).sort(),
    removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
    changed: [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).sort(),
  };
}

const subtree = (tenant: string, resources: PlannedResource[]) => resources.filter((r) => r.name.startsWith(`tenant-${tenant}`)).map((r) => r.name).sort();
const withRegions = (config: Record<string, string>, regions: string[]) => ({ ...config, "viva-partner:regions": JSON.stringify(regions) });

async function planError(config: Record<string, string>, stack = "dev"): Promise<string> {
  try {
    await plan(config, stack);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("adding and removing tenants", () => {
  it("adding a tenant adds only that tenant's subtree", async () => {
    const base = devConfig();
    const before = (await plan(base)).resources;
    const after = (await plan(withTenants(base, [...tenantsOf(base), { id: CONTOSO }]))).resources;
    const d = diff(before, after);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.added).toEqual(subtree(CONTOSO, after));
    // container, writer role, key, the app's role on the key, factory, secret reader, 3 linked services, 2 datasets, pipeline, trigger + the component
    expect(d.added).toHaveLength(14);
    expect(after.find((r) => r.name === `tenant-${CONTOSO}`)?.type).toBe("viva-partner:tenant:Tenant");
  });

  it("removing a tenant removes only that tenant's subtree", async () => {
    const base = devConfig();
    const before = (await plan(base)).resources;
    const after = (await plan(withTenants(base, tenantsOf(base).filter((t) => t.id !== FABRIKAM)))).resources;
    const d = diff(before, after);
    expect(d.added).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.removed).toEqual(subtree(FABRIKAM, before));
    expect(d.removed).toContain(`tenant-${FABRIKAM}-key`);
    expect(subtree(NORTHWIND, after)).toEqual(subtree(NORTHWIND, before));
  });

  it("adding a tenant in a new region adds that region's account and the tenant, and changes nothing else", async () => {
    const base = devConfig();
    const before = (await plan(base)).resources;
    const added = withTenants(withRegions(base, ["westeurope", "northeurope", "uksouth"]), [...tenantsOf(base), { id: CONTOSO, keyExpiresOn: "2027-03-01", location: "uksouth" }]);
    const after = (await plan(added)).resources;
    const d = diff(before, after);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.added).toEqual(["platform-storage-uksouth", "platform-storage-uksouth-account", "platform-storage-uksouth-blob-service", ...subtree(CONTOSO, after)].sort());
    expect(resource(after, "platform-storage-uksouth-account").inputs).toMatchObject({ accountName: "contosodevuks", location: "uksouth", isHnsEnabled: true, allowSharedKeyAccess: false });
    expect(resource(after, `tenant-${CONTOSO}-container`).inputs.accountName).toBe("contosodevuks");
    expect(resource(after, `tenant-${CONTOSO}-factory`).inputs.location).toBe("uksouth");
  });

  it("a tenant in a region the stack does not serve is a config error naming regions", async () => {
    const base = devConfig();
    expect(await planError(withTenants(base, [...tenantsOf(base), { id: CONTOSO, keyExpiresOn: "2027-03-01", location: "uksouth" }]))).toBe(
      "viva-partner:tenants[4].location: uksouth is not one of the regions this stack serves (viva-partner:regions: westeurope, northeurope); add it to viva-partner:regions to give it a storage account",
    );
  });

  it("removing the last tenant of a region keeps the region's account (drops may be unread)", async () => {
    const base = devConfig();
    const before = (await plan(base)).resources;
    expect(tenantsOf(base).filter((t) => t.location === "northeurope").map((t) => t.id)).toEqual([NORTHWIND]);
    const after = (await plan(withTenants(base, tenantsOf(base).filter((t) => t.id !== NORTHWIND)))).resources;
    expect(diff(before, after)).toEqual({ added: [], removed: subtree(NORTHWIND, before), changed: [] });
    expect(resource(after, "platform-storage-northeurope-account").inputs.accountName).toBe("contosodevne");
  });

  it("taking the region out of regions afterwards removes exactly its account; putting it back brings the same account name", async () => {
    const base = withTenants(devConfig(), tenantsOf(devConfig()).filter((t) => t.id !== NORTHWIND));
    const before = (await plan(base)).resources;
    const after = (await plan(withRegions(base, ["westeurope"]))).resources;
    expect(diff(before, after)).toEqual({
      added: [],
      removed: ["platform-storage-northeurope", "platform-storage-northeurope-account", "platform-storage-northeurope-blob-service"],
      changed: [],
    });
    const again = (await plan(withRegions(base, ["westeurope", "northeurope"]))).resources;
    expect(diff(before, again)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("plans identically twice (deterministic ids and ordering)", async () => {
    const a = (await plan(devConfig())).resources;
    const b = (await plan(devConfig())).resources;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("changing a key's expiry or rotation changes only that key", async () => {
    const base = devConfig();
    const before = (await plan(base)).resources;
    const tenants = tenantsOf(base).map((t) => (t.id === NORTHWIND ? { ...t, keyExpiresOn: "2028-05-31", keyRotation: 1 } : t));
    const after = (await plan(withTenants(base, tenants))).resources;
    expect(diff(before, after)).toEqual({ added: [], removed: [], changed: [`tenant-${NORTHWIND}-key`] });
    expect(resource(after, `tenant-${NORTHWIND}-key`).inputs).toMatchObject({ expiresOn: "2028-05-31", rotation: 1 });
  });
});

describe("customer-stack topology", () => {
  const customer = {
    "viva-partner:platformStack": "contoso/viva-partner/platform",
    "viva-partner:namePrefix": "contoso",
    "viva-partner:tenants": JSON.stringify([{ id: CONTOSO, keyExpiresOn: "2027-03-01", notifyUrl: "https://hooks.example.com/viva" }]),
  };

  it("reads the platform through a StackReference and declares only its tenants", async () => {
    const { resources, outputs } = await plan(customer, "contoso-ltd");
    const platform = mockPlatformOutputs("contoso/viva-partner/platform");
    expect(resource(resources, "platform")).toMatchObject({ type: "pulumi:pulumi:StackReference", parent: null, inputs: { name: "contoso/viva-partner/platform" } });
    const types = new Set(resources.map((r) => r.type));
    for (const t of ["azure-native:keyvault:Vault", "azure-native:storage:StorageAccount", "azuread:index/application:Application", "azure-native:resources:ResourceGroup"]) {
      expect(types.has(t)).toBe(false);
    }
    expect(resources.filter((r) => r.name !== "platform").every((r) => r.name.startsWith(`tenant-${CONTOSO}`))).toBe(true);

    expect(resource(resources, `tenant-${CONTOSO}-container`).inputs).toMatchObject({ accountName: platform.storageAccountName, resourceGroupName: platform.resourceGroupName, containerName: CONTOSO });
    expect(platform.storageAccountName).toBe((platform.storageAccounts as Record<string, { name: string }>).westeurope.name);
    expect(resource(resources, `tenant-${CONTOSO}-key`).inputs).toMatchObject({ vaultUri: platform.vaultUri, keyName: CONTOSO });
    expect(resource(resources, `tenant-${CONTOSO}-factory`).inputs).toMatchObject({ factoryName: `contoso-contoso-ltd-${CONTOSO}`, location: platform.location });
    const home = (platform.storageAccounts as Record<string, { name: string; dfsEndpoint: string }>).westeurope;
    expect(resource(resources, `tenant-${CONTOSO}-factory-secret-reader`).inputs.scope).toBe(platform.appSecretId);
    expect(resource(resources, `tenant-${CONTOSO}-app-blob-writer`).inputs.principalId).toBe(platform.servicePrincipalObjectId);
    expect(resource(resources, `tenant-${CONTOSO}-ls-office365`).inputs.properties).toMatchObject({
      office365TenantId: CONTOSO,
      servicePrincipalTenantId: platform.partnerTenantId,
      servicePrincipalId: platform.applicationId,
    });
    expect(resource(resources, `tenant-${CONTOSO}-ls-storage`).inputs.properties).toMatchObject({ url: home.dfsEndpoint });

    const out = outputs as Record<string, import("@pulumi/pulumi").Output<unknown>>;
    expect(await valueOf(out.consentLink)).toBe(`https://admin.microsoft.com/Adminportal/Home#/Settings/MGDCAdminCenter/${platform.partnerTenantId}/${platform.applicationId}`);
    expect(out).not.toHaveProperty("vaultId");
  });

  it("plans the example customer stack Pulumi.acme.yaml: its tenant in a region the platform serves besides its home", async () => {
    const { resources, config } = await plan(stackConfig("acme"), "acme");
    expect(config.topology).toEqual({ kind: "customer", platformStack: "organization/viva-partner/dev", location: undefined });
    expect(resources.filter((r) => r.type === "viva-partner:tenant:Tenant")).toHaveLength(1);
    expect(resources.some((r) => r.type === "azure-native:keyvault:Vault" || r.type === "azure-native:storage:StorageAccount")).toBe(false);
    const acme = resources.find((r) => r.type === "viva-partner:tenant:Tenant")!.name;
    const northeurope = (mockPlatformOutputs("organization/viva-partner/dev").storageAccounts as Record<string, { name: string; dfsEndpoint: string }>).northeurope;
    expect(resource(resources, `${acme}-factory`).inputs.location).toBe("northeurope");
    expect(resource(resources, `${acme}-container`).inputs.accountName).toBe(northeurope.name);
    expect((resource(resources, `${acme}-ls-storage`).inputs.properties as { url: string }).url).toBe(northeurope.dfsEndpoint);
  });

  it("a customer stack's tenant in a region the platform stack does not serve is a config error naming its regions", async () => {
    const tenants = [{ id: CONTOSO, keyExpiresOn: "2027-03-01", location: "uksouth" }];
    expect(await planError({ ...customer, "viva-partner:tenants": JSON.stringify(tenants) }, "contoso-ltd")).toBe(
      "viva-partner:tenants[0].location: uksouth is not one of the regions the platform stack contoso/viva-partner/platform serves " +
        "(viva-partner:regions: westeurope, northeurope); add it to viva-partner:regions of that stack and run pulumi up there first",
    );
    // The customer stack's own location counts for its tenants without one.
    expect(await planError({ ...customer, "viva-partner:location": "francecentral" }, "contoso-ltd")).toMatch(
      /^viva-partner:location: francecentral is not one of the regions the platform stack contoso\/viva-partner\/platform serves/,
    );
  });

  it("a single stack exports every platform output a customer stack reads", async () => {
    const { outputs } = await plan(devConfig());
    for (const key of Object.keys(mockPlatformOutputs("x"))) expect(outputs).toHaveProperty(key);
  });
});
