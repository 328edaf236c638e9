import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, valueOf } from "../helpers/plan";
import { DynamicProviderHost } from "./dynamic-provider-host";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];
const DEPLOYER = "00000000-0000-4000-8000-00000000dddd";
const KEY_INPUTS = { vaultUri: "https://kv-viva.vault.azure.net/", keyName: "11111111-2222-3333-4444-555555555555", expiresOn: "2027-06-30T00:00:00Z", deployerObjectId: DEPLOYER };
let keyProvider: string;
let triggerProvider: string;
let triggerInputs: Record<string, unknown>;
let host: DynamicProviderHost;
const scratch = mkdtempSync(path.join(tmpdir(), "viva-provider-host-"));

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
  const { TenantKey } = await import("../../components/providers/tenant-key");
  const { StartedTrigger, weeklyScheduleTriggerProperties } = await import("../../components/providers");
  const key = new TenantKey("tenant-key", KEY_INPUTS);
  const trigger = new StartedTrigger("weekly", {
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroupName: "rg-viva",
    factoryName: "adf-viva-tenant",
    triggerName: "WeeklyMonday",
    properties: weeklyScheduleTriggerProperties({ pipelineName: "ExportO365DataEvents", weekDay: "Monday", hour: 6, minute: 30, startTime: "2026-01-05T00:00:00Z" }),
  });
  await Promise.all([valueOf(key.urn), valueOf(trigger.urn)]);
  keyProvider = String(registered.find((r) => r.name === "tenant-key")?.inputs.__provider);
  const triggerEntry = registered.find((r) => r.name === "weekly")!;
  triggerProvider = String(triggerEntry.inputs.__provider);
  triggerInputs = triggerEntry.inputs;
  // As Pulumi starts it: in the project folder, from the compiled providers `npm run build` wrote.
  host = await DynamicProviderHost.start(ROOT);
});

afterAll(async () => {
  await host?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("dynamic resources: type tokens and a small serialized provider", () => {
  it("keeps the type tokens and stores well under 10 KB of provider per resource, none of the implementation", () => {
    expect(registered.find((r) => r.name === "tenant-key")?.type).toBe("pulumi-nodejs:dynamic/viva-partner:TenantKey");
    expect(registered.find((r) => r.name === "weekly")?.type).toBe("pulumi-nodejs:dynamic/viva-partner:StartedTrigger");
    for (const text of [keyProvider, triggerProvider]) {
      expect(Buffer.byteLength(text)).toBeLessThan(10 * 1024);
      expect(text).toContain("exports.handler");
      // The implementation is loaded at run time, not carried in the state.
      expect(text).not.toMatch(/createTenantKey|createStartedTrigger|@azure\/keyvault-keys|@azure\/arm-datafactory/);
    }
    expect(keyProvider).toContain('"components/providers/tenant-key-provider"');
    expect(triggerProvider).toContain('"components/providers/started-trigger-provider"');
  });

  it("passes the inputs through, with the defaults of the key's lifetime and rotation", () => {
    expect(registered.find((r) => r.name === "tenant-key")?.inputs).toMatchObject({
      ...KEY_INPUTS,
      lifetime: "P1Y",
      rotateBefore: "P30D",
      notifyBefore: "P7D",
      rotation: 0,
      adoptExisting: false,
      ownerStack: "organization/viva-partner/test",
    });
  });
});

describe("the serialized providers in Pulumi's real dynamic-provider host (a fresh node process)", () => {
  it("loads the TenantKey implementation: check normalizes, diff decides", async () => {
    await host.configure({ "viva-partner:namePrefix": "contoso" });
    const checked = await host.check({}, { ...KEY_INPUTS, vaultUri: "https://KV-Viva.vault.azure.net", keyName: "TENANT-1", lifetime: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D", ownerStack: "o/p/s", __provider: keyProvider });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ vaultUri: "https://kv-viva.vault.azure.net/", keyName: "tenant-1", rotation: 0, adoptExisting: false, __provider: keyProvider });

    const state = { ...checked.inputs, keyId: "k/v1", versionlessId: "k", version: "v1", rotationPolicy: { expiresIn: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D" } };
    expect(await host.diff("k", state, checked.inputs)).toEqual({ changes: false, replaces: [] });
    expect(await host.diff("k", state, { ...checked.inputs, rotation: 1 })).toEqual({ changes: true, replaces: [] });
    expect(await host.diff("k", state, { ...checked.inputs, keyName: "tenant-2" })).toEqual({ changes: true, replaces: ["keyName"] });
  });

  it("reports a bad input through the real check, naming the field", async () => {
    const checked = await host.check({}, { ...KEY_INPUTS, lifetime: "P1D", rotateBefore: "P30D", notifyBefore: "P7D", ownerStack: "o/p/s", __provider: keyProvider });
    expect(checked.failures).toEqual([{ property: "lifetime", reason: expect.stringContaining('lifetime "P1D" must be at least 28 days') }]);
  });

  it("loads the StartedTrigger implementation", async () => {
    const checked = await host.check({}, { ...triggerInputs, triggerName: "weekly.export", __provider: triggerProvider });
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
    const provider = String(entry?.inputs.__provider);
    expect(Buffer.byteLength(provider)).toBeLessThan(10 * 1024);
    expect(provider).toContain('"components/providers/verbatim-dataset-provider"');
    expect(provider).not.toMatch(/putVerbatimDataset|@azure\/core-rest-pipeline/);

    // The stub, run by Pulumi's real provider host, reaches the compiled implementation's check.
    const checked = await host.check({}, { ...entry?.inputs, datasetName: "Viva-Report" });
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

  it("moves a resource whose state holds an older serialized provider onto the small one", async () => {
    const checked = await host.check({}, { ...triggerInputs, __provider: triggerProvider });
    const state = { ...checked.inputs, runtimeState: "Started", triggerId: "t", __provider: "exports.handler = /* a 38 KB closure */ null;" };
    expect(await host.diff("t", state, checked.inputs)).toEqual({ changes: true, replaces: [] });
    expect(await host.diff("t", { ...state, __provider: triggerProvider }, checked.inputs)).toEqual({ changes: false, replaces: [] });
  });

  it("hands the stack config to the credential: azure-native settings in config count as in azure-native", async () => {
    const configured = await DynamicProviderHost.start(ROOT);
    try {
      await configured.configure({ "azure-native:useOidc": "true", "azure-native:clientId": "00000000-0000-4000-8000-0000000000c1", "azure-native:tenantId": "00000000-0000-4000-8000-0000000000a1" });
      const checked = await configured.check({}, { ...KEY_INPUTS, lifetime: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D", ownerStack: "o/p/s", __provider: keyProvider });
      const created = await configured.create(checked.inputs);
      expect(created.error).toMatch(/Azure sign-in of the dynamic providers: ARM_USE_OIDC=true but no OIDC token/);
    } finally {
      await configured.stop();
    }
  });

  it("finds the compiled providers from a subfolder of the project, and names the fix when there are none", async () => {
    const nested = await DynamicProviderHost.start(path.join(ROOT, "components"));
    const elsewhere = await DynamicProviderHost.start(scratch);
    try {
      expect((await nested.check({}, { ...triggerInputs, __provider: triggerProvider })).failures).toEqual([]);
      await expect(elsewhere.check({}, { ...triggerInputs, __provider: triggerProvider })).rejects.toMatchObject({
        details: expect.stringContaining("cannot find the compiled dynamic provider dist/providers/components/providers/started-trigger-provider.js"),
      });
    } finally {
      await Promise.all([nested.stop(), elsewhere.stop()]);
    }
  });
});
