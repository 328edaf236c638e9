import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource } from "../scripts/plan/run-plan";
import { MOCK_CLIENT, stableGuid } from "../scripts/plan/mocks";
import { BUILT_IN_ROLES } from "../components/roles";
import { REQUEST_END_EXPRESSION, REQUEST_START_EXPRESSION } from "../components/tenant";
import { FABRIKAM, NORTHWIND, devConfig, plan, resource } from "./helpers/plan";

const SUB = MOCK_CLIENT.subscriptionId;
const RG_ID = `/subscriptions/${SUB}/resourceGroups/contoso-dev-rg`;
const KV_SECRET = { type: "AzureKeyVaultSecret", store: { referenceName: "PartnerKeyVault", type: "LinkedServiceReference" }, secretName: "partner-app-client-secret" };

let resources: PlannedResource[];
const get = (tenant: string, suffix: string) => resource(resources, `tenant-${tenant}-${suffix}`);
const activities = (tenant: string) => get(tenant, "pipeline").inputs.activities as Record<string, unknown>[];

beforeAll(async () => {
  resources = (await plan(devConfig())).resources;
});

describe("plan of Pulumi.dev.yaml: per tenant", () => {
  it("creates a private container named by the tenant GUID", () => {
    for (const t of [FABRIKAM, NORTHWIND]) {
      expect(get(t, "container").inputs).toMatchObject({ accountName: "contosodev", resourceGroupName: "contoso-dev-rg", containerName: t, publicAccess: "None" });
    }
  });

  it("lets the app write only to that tenant's container", () => {
    expect(get(FABRIKAM, "app-blob-writer").inputs).toEqual({
      scope: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/contosodev/blobServices/default/containers/${FABRIKAM}`,
      principalId: stableGuid("platform-app-sp/object"),
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.storageBlobDataContributor}`,
    });
  });

  it("declares the tenant's key: named by the GUID, with the configured expiry and rotation, in the vault", () => {
    expect(get(FABRIKAM, "key")).toMatchObject({
      type: "pulumi-nodejs:dynamic/viva-partner:TenantKey",
      inputs: { vaultUri: "https://contoso-dev-kv.vault.azure.net/", keyName: FABRIKAM, expiresOn: "2027-11-01", rotation: 0 },
    });
    expect(get(NORTHWIND, "key").inputs.expiresOn).toBe("2027-05-31");
    expect(get(FABRIKAM, "key").inputs).not.toHaveProperty("__provider");
  });

  it("creates a factory with a system identity that may read only the app secret", () => {
    expect(get(FABRIKAM, "factory").inputs).toMatchObject({
      factoryName: `contoso-dev-${FABRIKAM}`,
      resourceGroupName: "contoso-dev-rg",
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      tags: { tenant: FABRIKAM, label: "Fabrikam" },
    });
    expect(get(FABRIKAM, "factory-secret-reader").inputs).toEqual({
      scope: `${RG_ID}/providers/Microsoft.KeyVault/vaults/contoso-dev-kv/secrets/partner-app-client-secret`,
      principalId: stableGuid(`tenant-${FABRIKAM}-factory/identity`),
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.keyVaultSecretsUser}`,
    });
  });

  it("wires the linked services: vault, ADLS sink as the app, Office 365 for the customer tenant", () => {
    const inFactory = { factoryName: `contoso-dev-${FABRIKAM}`, resourceGroupName: "contoso-dev-rg" };
    const appId = get(FABRIKAM, "ls-storage").inputs.properties as Record<string, unknown>;
    expect(get(FABRIKAM, "ls-keyvault").inputs).toEqual({
      ...inFactory,
      linkedServiceName: "PartnerKeyVault",
      properties: { type: "AzureKeyVault", baseUrl: "https://contoso-dev-kv.vault.azure.net/" },
    });
    expect(get(FABRIKAM, "ls-storage").inputs).toEqual({
      ...inFactory,
      linkedServiceName: "PartnerStorage",
      properties: {
        type: "AzureBlobFS",
        url: "https://contosodev.dfs.core.windows.net/",
        tenant: MOCK_CLIENT.tenantId,
        servicePrincipalId: appId.servicePrincipalId,
        servicePrincipalCredentialType: "ServicePrincipalKey",
        servicePrincipalKey: KV_SECRET,
      },
    });
    expect(appId.servicePrincipalId).toBe(stableGuid("platform-app-app/client"));
    expect(get(FABRIKAM, "ls-office365").inputs).toEqual({
      ...inFactory,
      linkedServiceName: "CustomerOffice365",
      properties: {
        type: "Office365",
        office365TenantId: FABRIKAM,
        servicePrincipalTenantId: MOCK_CLIENT.tenantId,
        servicePrincipalId: stableGuid("platform-app-app/client"),
        servicePrincipalKey: KV_SECRET,
      },
    });
  });

  it("declares the PersonReport source and a per-run binary drop in the tenant's container", () => {
    expect(get(FABRIKAM, "ds-person-report").inputs).toMatchObject({
      datasetName: "VivaPersonReport",
      properties: { type: "Office365Table", tableName: "VivaInsightsDataset_PersonReport_v1", linkedServiceName: { referenceName: "CustomerOffice365", type: "LinkedServiceReference" } },
    });
    expect(get(FABRIKAM, "ds-person-report-drop").inputs).toMatchObject({
      datasetName: "VivaPersonReportDrop",
      properties: {
        type: "Binary",
        linkedServiceName: { referenceName: "PartnerStorage", type: "LinkedServiceReference" },
        parameters: { folder: { type: "String" } },
        location: { type: "AzureBlobFSLocation", fileSystem: FABRIKAM, folderPath: { value: "@dataset().folder", type: "Expression" } },
      },
    });
    const copy = activities(FABRIKAM).find((a) => a.name === "CopyPersonReport")!;
    expect(copy.outputs).toEqual([{ referenceName: "VivaPersonReportDrop", type: "DatasetReference", parameters: { folder: { value: "@pipeline().RunId", type: "Expression" } } }]);
    expect(copy.inputs).toEqual([{ referenceName: "VivaPersonReport", type: "DatasetReference" }]);
  });

  it("adds the users dataset only where configured, into its own run folder", () => {
    expect(get(FABRIKAM, "ds-users").inputs.properties).toMatchObject({ type: "Office365Table", tableName: "BasicDataSet_v0.User_v1" });
    expect(get(FABRIKAM, "ds-users-drop").inputs.properties).toMatchObject({ type: "Binary", location: { fileSystem: FABRIKAM } });
    const copyUsers = activities(FABRIKAM).find((a) => a.name === "CopyUsers")!;
    expect(copyUsers.outputs).toEqual([{ referenceName: "UsersDrop", type: "DatasetReference", parameters: { folder: { value: "@concat(pipeline().RunId, '-users')", type: "Expression" } } }]);
    expect(resources.some((r) => r.name === `tenant-${NORTHWIND}-ds-users`)).toBe(false);
    expect(activities(NORTHWIND).map((a) => a.name)).toEqual(["CopyPersonReport"]);
  });

  it("names the pipeline ExportO365DataEvents with the seed's parameters and the tenant's defaults", () => {
    expect(get(FABRIKAM, "pipeline").inputs.pipelineName).toBe("ExportO365DataEvents");
    expect(get(FABRIKAM, "pipeline").inputs.parameters).toEqual({
      RequestStartDate: { type: "String", defaultValue: "" },
      RequestEndDate: { type: "String", defaultValue: "" },
      DefaultLookbackWindowDays: { type: "Int", defaultValue: 14 },
      AggregationType: { type: "String", defaultValue: "Week" },
    });
    expect(get(NORTHWIND, "pipeline").inputs.parameters).toEqual({
      RequestStartDate: { type: "String", defaultValue: "2026-06-01T00:00:00Z" },
      RequestEndDate: { type: "String", defaultValue: "2026-10-01T00:00:00Z" },
      DefaultLookbackWindowDays: { type: "Int", defaultValue: 35 },
      AggregationType: { type: "String", defaultValue: "Month" },
    });
  });

  it("applies the seed's defaulting rules as ADF expressions on the copy window", () => {
    const source = activities(FABRIKAM).find((a) => a.name === "CopyPersonReport")!.source as Record<string, { value: string; type: string }>;
    expect(source.endTime).toEqual({ type: "Expression", value: REQUEST_END_EXPRESSION });
    expect(source.startTime).toEqual({ type: "Expression", value: REQUEST_START_EXPRESSION });
    // End: the trigger time unless RequestEndDate is given.
    expect(REQUEST_END_EXPRESSION).toBe("@if(empty(pipeline().parameters.RequestEndDate), pipeline().TriggerTime, pipeline().parameters.RequestEndDate)");
    // Start: RequestStartDate, else the end minus DefaultLookbackWindowDays days.
    expect(REQUEST_START_EXPRESSION).toMatch(/^@if\(empty\(pipeline\(\)\.parameters\.RequestStartDate\), addDays\(/);
    expect(REQUEST_START_EXPRESSION).toContain(REQUEST_END_EXPRESSION.slice(1));
    expect(REQUEST_START_EXPRESSION).toContain("mul(-1, int(pipeline().parameters.DefaultLookbackWindowDays))");
    expect(REQUEST_START_EXPRESSION.endsWith(", pipeline().parameters.RequestStartDate)")).toBe(true);
  });

  it("POSTs run id, tenant and drop folder to the notify URL after every copy succeeded, only when configured", () => {
    const notify = activities(FABRIKAM).find((a) => a.type === "WebActivity")!;
    expect(notify).toMatchObject({
      name: "NotifyPartner",
      method: "POST",
      url: "https://ingest.contoso-analytics.example/viva/drops",
      headers: { "Content-Type": "application/json" },
      dependsOn: [
        { activity: "CopyPersonReport", dependencyConditions: ["Succeeded"] },
        { activity: "CopyUsers", dependencyConditions: ["Succeeded"] },
      ],
    });
    const body = (notify.body as { value: string; type: string });
    expect(body.type).toBe("Expression");
    expect(body.value).toContain('"runId":"@{pipeline().RunId}"');
    expect(body.value).toContain(`"tenantId":"${FABRIKAM}"`);
    expect(body.value).toContain('"folder":"@{pipeline().RunId}"');
    expect(body.value).toContain(`"usersFolder":"@{concat(pipeline().RunId, '-users')}"`);
    expect(activities(NORTHWIND).some((a) => a.type === "WebActivity")).toBe(false);
  });

  it("schedules a started trigger every Monday at the configured UTC time", () => {
    const trigger = get(FABRIKAM, "trigger");
    expect(trigger.type).toBe("pulumi-nodejs:dynamic/viva-partner:StartedTrigger");
    expect(trigger.inputs).toMatchObject({ subscriptionId: SUB, resourceGroupName: "contoso-dev-rg", factoryName: `contoso-dev-${FABRIKAM}`, triggerName: "WeeklyMondayExport" });
    expect(trigger.inputs.properties).toMatchObject({
      type: "ScheduleTrigger",
      typeProperties: {
        recurrence: { frequency: "Week", interval: 1, startTime: "2026-01-05T00:00:00Z", timeZone: "UTC", schedule: { weekDays: ["Monday"], hours: [4], minutes: [30] } },
      },
      pipelines: [{ pipelineReference: { referenceName: "ExportO365DataEvents", type: "PipelineReference" } }],
    });
    // Northwind keeps the default time.
    expect(get(NORTHWIND, "trigger").inputs.properties).toMatchObject({ typeProperties: { recurrence: { schedule: { hours: [3], minutes: [0] } } } });
  });
});
