import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { valueOf } from "../helpers/plan";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        throw new Error(`the offline plan has no mock for the function call ${args.token}`);
      },
    },
    "viva-partner",
    "test",
    false,
  );
});

/** Loads a serialized dynamic provider the way the Pulumi dynamic-provider host does: as module text. */
function loadSerializedProvider(text: unknown): Record<string, (...args: unknown[]) => Promise<Record<string, unknown>>> {
  const module = { exports: {} as { handler: () => Record<string, (...args: unknown[]) => Promise<Record<string, unknown>>> } };
  new Function("exports", "require", "module", String(text))(module.exports, require, module);
  return module.exports.handler();
}

describe("dynamic resources under Pulumi mocks", () => {
  it("registers a TenantKey with a serialized provider and its inputs", async () => {
    const { TenantKey } = await import("../../components/providers/tenant-key");
    const key = new TenantKey("tenant-key", {
      vaultUri: "https://kv-viva.vault.azure.net/",
      keyName: "11111111-2222-3333-4444-555555555555",
      expiresOn: "2027-06-30T00:00:00Z",
    });
    await valueOf(key.urn);
    const entry = registered.find((r) => r.name === "tenant-key");
    expect(entry?.type).toBe("pulumi-nodejs:dynamic/viva-partner:TenantKey");
    expect(entry?.inputs).toMatchObject({ keyName: "11111111-2222-3333-4444-555555555555", expiresOn: "2027-06-30T00:00:00Z", rotation: 0 });
    expect(typeof entry?.inputs.__provider).toBe("string");
    expect(entry?.inputs.__provider as string).toContain("createTenantKey");
    expect(entry?.inputs.__provider as string).toContain('require("@azure/keyvault-keys")');
    expect(await valueOf(key.expiresOn)).toBe("2027-06-30T00:00:00Z");

    const provider = loadSerializedProvider(entry?.inputs.__provider);
    const checked = await provider.check({}, { vaultUri: "https://KV-Viva.vault.azure.net", keyName: "TENANT-1", expiresOn: "2027-06-30" });
    expect(checked).toEqual({ inputs: { vaultUri: "https://kv-viva.vault.azure.net/", keyName: "tenant-1", expiresOn: "2027-06-30", rotation: 0 }, failures: [] });
    const diff = await provider.diff("id", { ...checked.inputs as object, keyId: "k/v1", versionlessId: "k", version: "v1" }, { ...checked.inputs as object, rotation: 1 });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("registers a StartedTrigger with a serialized provider and its inputs", async () => {
    const { StartedTrigger, weeklyScheduleTriggerProperties } = await import("../../components/providers");
    const properties = weeklyScheduleTriggerProperties({ pipelineName: "ExportO365DataEvents", weekDay: "Monday", hour: 6, minute: 30, startTime: "2026-01-05T00:00:00Z" });
    const trigger = new StartedTrigger("weekly", {
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroupName: "rg-viva",
      factoryName: "adf-viva-tenant",
      triggerName: "WeeklyMonday",
      properties,
    });
    await valueOf(trigger.urn);
    const entry = registered.find((r) => r.name === "weekly");
    expect(entry?.type).toBe("pulumi-nodejs:dynamic/viva-partner:StartedTrigger");
    expect(entry?.inputs).toMatchObject({ factoryName: "adf-viva-tenant", triggerName: "WeeklyMonday", properties });
    expect(entry?.inputs.__provider as string).toContain("createStartedTrigger");
    expect(entry?.inputs.__provider as string).toContain('require("@azure/arm-datafactory")');

    const provider = loadSerializedProvider(entry?.inputs.__provider);
    const checked = await provider.check({}, { ...entry?.inputs, triggerName: "weekly.export" });
    expect(checked.failures).toEqual([{ property: "triggerName", reason: expect.stringContaining('"weekly.export" must be letters') }]);
  });

  it("registers a VerbatimDataset with a serialized provider and its properties as given", async () => {
    const { VerbatimDataset } = await import("../../components/providers");
    const properties = {
      type: "Office365Table",
      linkedServiceName: { referenceName: "CustomerOffice365", type: "LinkedServiceReference" },
      typeProperties: { tableName: "VivaInsightsDataset_PersonReport_v1", AdditionalDataSetProperties: { aggregationType: "@dataset().AggregationType" } },
    };
    const dataset = new VerbatimDataset("person-report", {
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      resourceGroupName: "rg-viva",
      factoryName: "adf-viva-tenant",
      datasetName: "VivaInsightsPersonReport",
      properties,
    });
    await valueOf(dataset.urn);
    const entry = registered.find((r) => r.name === "person-report");
    expect(entry?.type).toBe("pulumi-nodejs:dynamic/viva-partner:VerbatimDataset");
    expect(entry?.inputs).toMatchObject({ factoryName: "adf-viva-tenant", datasetName: "VivaInsightsPersonReport", properties });
    expect(entry?.inputs.__provider as string).toContain("putVerbatimDataset");
    expect(entry?.inputs.__provider as string).toContain('require("@azure/core-rest-pipeline")');

    const provider = loadSerializedProvider(entry?.inputs.__provider);
    const checked = await provider.check({}, { ...entry?.inputs, datasetName: "Viva-Report" });
    expect(checked.failures).toEqual([{ property: "datasetName", reason: expect.stringContaining('"Viva-Report" must be letters') }]);
  });

  it("passes a StartedTrigger's paused flag to its provider", async () => {
    const { StartedTrigger, weeklyScheduleTriggerProperties } = await import("../../components/providers");
    const properties = weeklyScheduleTriggerProperties({ pipelineName: "ExportO365DataEvents", weekDay: "Monday", hour: 6, minute: 30, startTime: "2026-01-05T00:00:00Z" });
    const common = { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroupName: "rg-viva", factoryName: "adf-viva-tenant", triggerName: "WeeklyMonday", properties };
    await valueOf(new StartedTrigger("paused-trigger", { ...common, paused: true }).urn);
    await valueOf(new StartedTrigger("default-trigger", common).urn);
    expect(registered.find((r) => r.name === "paused-trigger")?.inputs.paused).toBe(true);
    expect(registered.find((r) => r.name === "default-trigger")?.inputs.paused).toBe(false);
  });
});
