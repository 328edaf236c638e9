import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource } from "../scripts/plan/run-plan";
import { MOCK_CLIENT, stableGuid } from "../scripts/plan/mocks";
import { PERSON_REPORT_COLUMNS, USER_COLUMNS } from "../config/graph-data-connect/columns";
import { DEV_RG_ID, FABRIKAM, NORTHWIND, TAILSPIN, WOODGROVE, builtInRoleId, devConfig, plan, resource } from "./helpers/plan";
import { evaluateAdf, expressionsIn, type AdfContext } from "./helpers/adf-expression";

const KV_SECRET = { type: "AzureKeyVaultSecret", store: { referenceName: "PartnerKeyVault", type: "LinkedServiceReference" }, secretName: "partner-app-client-secret" };

const TRIGGER_TIME = "2026-11-23T04:30:00.0000000Z";
const RUN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

let resources: PlannedResource[];
let dependencies: Map<string, string[]>;
const get = (tenant: string, suffix: string) => resource(resources, `tenant-${tenant}-${suffix}`);
const activities = (tenant: string) => get(tenant, "pipeline").inputs.activities as Record<string, unknown>[];
const activity = (tenant: string, name: string) => activities(tenant).find((a) => a.name === name)!;
interface PersonReportDataset {
  parameters: Record<string, { type: string }>;
  structure: { name: string; type?: string }[];
  typeProperties: { tableName: string; dateFilterColumn: string; startTime: string; endTime: string; AdditionalDataSetProperties: { aggregationType: string } };
}
const personReportDataset = (tenant: string) => get(tenant, "ds-person-report").inputs.properties as PersonReportDataset;

/**
 * What Graph Data Connect receives for the PersonReport in a run: the copy evaluates the values it
 * passes to the dataset's parameters, the dataset then evaluates its typeProperties against them.
 */
function datasetRequest(tenant: string, parameters: Record<string, unknown>) {
  const input = (activity(tenant, "CopyPersonReport").inputs as { parameters: Record<string, { value: string }> }[])[0];
  const ctx = runContext(tenant, parameters);
  const datasetParameters = Object.fromEntries(Object.entries(input.parameters).map(([k, v]) => [k, evaluateAdf(v.value, ctx)]));
  const tp = personReportDataset(tenant).typeProperties;
  const inDataset = { ...ctx, dataset: datasetParameters };
  return {
    start: evaluateAdf(tp.startTime, inDataset),
    end: evaluateAdf(tp.endTime, inDataset),
    aggregationType: evaluateAdf(tp.AdditionalDataSetProperties.aggregationType, inDataset),
  };
}

/** A scheduled run of the tenant's pipeline: parameter defaults from the plan, overridden by `parameters`. */
function runContext(tenant: string, parameters: Record<string, unknown>): AdfContext {
  const declared = get(tenant, "pipeline").inputs.parameters as Record<string, { defaultValue: unknown }>;
  const defaults = Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v.defaultValue]));
  return {
    pipeline: { parameters: { ...defaults, ...parameters }, TriggerTime: TRIGGER_TIME, RunId: RUN_ID, DataFactory: `contoso-dev-${tenant}`, Pipeline: "ExportO365DataEvents" },
  };
}

beforeAll(async () => {
  ({ resources, dependencies } = await plan(devConfig()));
});

describe("plan of Pulumi.dev.yaml: per tenant", () => {
  it("creates a private container named by the tenant GUID in its region's account", () => {
    for (const [t, account] of [[FABRIKAM, "contosodev"], [NORTHWIND, "contosodevne"], [TAILSPIN, "contosodev"]]) {
      expect(get(t, "container").inputs).toMatchObject({ accountName: account, resourceGroupName: "contoso-dev-rg", containerName: t, publicAccess: "None" });
    }
  });

  it("puts each tenant's factory and sink in its region (Graph Data Connect needs both in the customer's geo)", () => {
    expect(get(FABRIKAM, "factory").inputs.location).toBe("westeurope");
    expect(get(NORTHWIND, "factory").inputs.location).toBe("northeurope");
    expect((get(NORTHWIND, "ls-storage").inputs.properties as { url: string }).url).toBe("https://contosodevne.dfs.core.windows.net/");
    expect(get(NORTHWIND, "app-blob-writer").inputs.scope).toBe(
      `${DEV_RG_ID}/providers/Microsoft.Storage/storageAccounts/contosodevne/blobServices/default/containers/${NORTHWIND}`,
    );
  });

  it("lets the app write only to that tenant's container", () => {
    expect(get(FABRIKAM, "app-blob-writer").inputs).toEqual({
      scope: `${DEV_RG_ID}/providers/Microsoft.Storage/storageAccounts/contosodev/blobServices/default/containers/${FABRIKAM}`,
      principalId: stableGuid("platform-app-sp/object"),
      principalType: "ServicePrincipal",
      roleDefinitionId: builtInRoleId("storageBlobDataContributor"),
    });
  });

  it("declares the tenant's key: named by the GUID, with the configured expiry and rotation, the stack's key policy, in the vault", () => {
    expect(get(FABRIKAM, "key")).toMatchObject({
      type: "pulumi-nodejs:dynamic/viva-partner:TenantKey",
      inputs: {
        vaultUri: "https://contoso-dev-kv.vault.azure.net/",
        keyName: FABRIKAM,
        expiresOn: "2027-11-01",
        rotation: 0,
        lifetime: "P1Y",
        rotateBefore: "P30D",
        notifyBefore: "P7D",
        adoptExisting: false,
        ownerStack: "organization/viva-partner/dev",
        deployerObjectId: MOCK_CLIENT.objectId,
      },
    });
    expect(get(NORTHWIND, "key").inputs.expiresOn).toBe("2027-05-31");
    // The serialized provider is shown by size: what every dynamic resource keeps in the state.
    expect(get(FABRIKAM, "key").inputs.__provider).toMatch(/^\[serialized provider: \d+ bytes\]$/);
  });

  it("plans a tenant with only its id: no expiry date in the plan, the key's expiry is fixed when Key Vault creates it", () => {
    const key = get(WOODGROVE, "key").inputs;
    expect(key).toMatchObject({ keyName: WOODGROVE, lifetime: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D", rotation: 0 });
    expect(key).not.toHaveProperty("expiresOn");
    expect(get(WOODGROVE, "trigger").inputs.properties).toMatchObject({ typeProperties: { recurrence: { schedule: { weekDays: ["Monday"], hours: [3], minutes: [0] } } } });
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
      scope: `${DEV_RG_ID}/providers/Microsoft.KeyVault/vaults/contoso-dev-kv/secrets/partner-app-client-secret`,
      principalId: stableGuid(`tenant-${FABRIKAM}-factory/identity`),
      principalType: "ServicePrincipal",
      roleDefinitionId: builtInRoleId("keyVaultSecretsUser"),
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
        servicePrincipalCredential: KV_SECRET,
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

  it("declares the PersonReport source verbatim, with the window, the aggregation and the columns on the dataset", () => {
    expect(get(FABRIKAM, "ds-person-report")).toMatchObject({ type: "pulumi-nodejs:dynamic/viva-partner:VerbatimDataset", parent: `tenant-${FABRIKAM}` });
    expect(get(FABRIKAM, "ds-person-report").inputs).toEqual({
      __provider: expect.stringMatching(/^\[serialized provider: \d+ bytes\]$/),
      subscriptionId: MOCK_CLIENT.subscriptionId,
      resourceGroupName: "contoso-dev-rg",
      factoryName: `contoso-dev-${FABRIKAM}`,
      datasetName: "VivaInsightsPersonReport",
      properties: {
        type: "Office365Table",
        linkedServiceName: { referenceName: "CustomerOffice365", type: "LinkedServiceReference" },
        parameters: { RequestStartDate: { type: "String" }, RequestEndDate: { type: "String" }, AggregationType: { type: "String" } },
        structure: PERSON_REPORT_COLUMNS,
        typeProperties: {
          tableName: "VivaInsightsDataset_PersonReport_v1",
          dateFilterColumn: "MetricDate",
          startTime: "@dataset().RequestStartDate",
          endTime: "@dataset().RequestEndDate",
          AdditionalDataSetProperties: { aggregationType: "@dataset().AggregationType" },
        },
      },
    });
    // Tailspin consented to fewer columns.
    expect(personReportDataset(TAILSPIN).structure.map((c) => c.name)).toEqual(["MetricDate", "IsActive", "Collaboration hours", "Email hours", "Meeting hours", "Chat hours", "Call hours"]);
    expect(personReportDataset(TAILSPIN).structure[0]).toEqual({ name: "MetricDate", type: "datetime" });
  });

  it("fills every dataset parameter from the copy, and the dataset reads only its declared parameters", () => {
    for (const tenant of [FABRIKAM, NORTHWIND, TAILSPIN]) {
      const declared = Object.keys(personReportDataset(tenant).parameters).sort();
      const passed = (activity(tenant, "CopyPersonReport").inputs as { parameters: Record<string, unknown> }[])[0].parameters;
      expect(Object.keys(passed).sort()).toEqual(declared);
      for (const [, name] of JSON.stringify(personReportDataset(tenant).typeProperties).matchAll(/dataset\(\)\.(\w+)/g)) expect(declared).toContain(name);
    }
  });

  it("declares a per-run binary drop in the tenant's container", () => {
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
    expect((copy.inputs as { referenceName: string }[]).map((i) => i.referenceName)).toEqual(["VivaInsightsPersonReport"]);
  });

  it("adds the users dataset only where configured, into its own run folder, with the consented columns", () => {
    expect(get(FABRIKAM, "ds-users").inputs.properties).toMatchObject({ type: "Office365Table", tableName: "BasicDataSet_v0.User_v1" });
    expect(get(FABRIKAM, "ds-users-drop").inputs.properties).toMatchObject({ type: "Binary", location: { fileSystem: FABRIKAM } });
    const copyUsers = activities(FABRIKAM).find((a) => a.name === "CopyUsers")!;
    expect(copyUsers.outputs).toEqual([{ referenceName: "UsersDrop", type: "DatasetReference", parameters: { folder: { value: "@concat(pipeline().RunId, '-users')", type: "Expression" } } }]);
    expect(resources.some((r) => r.name === `tenant-${NORTHWIND}-ds-users`)).toBe(false);
    expect(activities(NORTHWIND).map((a) => a.name)).toEqual(["CopyPersonReport"]);
    // A snapshot: no window; the columns as consented (the sample's list by default).
    expect(copyUsers.source).toEqual({ type: "Office365Source", outputColumns: USER_COLUMNS.map((name) => ({ name })) });
    expect(copyUsers).not.toHaveProperty("userProperties");
    expect((activity(TAILSPIN, "CopyUsers").source as { outputColumns: { name: string }[] }).outputColumns.map((c) => c.name)).toEqual([
      "id", "mail", "userPrincipalName", "displayName", "department", "jobTitle", "officeLocation", "country",
    ]);
  });

  it("copies with Microsoft's policy: no automatic retry (a retry would write into the same run folder), a seven-day timeout", () => {
    for (const name of ["CopyPersonReport", "CopyUsers"]) {
      expect(activity(FABRIKAM, name).policy).toEqual({ timeout: "7.00:00:00", retry: 0, retryIntervalInSeconds: 30 });
    }
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

  it("applies the seed's defaulting rules to the window Graph Data Connect receives", () => {
    const window = (parameters: Record<string, unknown>) => {
      const { start, end } = datasetRequest(FABRIKAM, parameters);
      return { start, end };
    };
    // Nothing given: the end is the trigger time, the start DefaultLookbackWindowDays (14) before it.
    expect(window({})).toEqual({ start: "2026-11-09T04:30:00.0000000Z", end: TRIGGER_TIME });
    // Another lookback, passed as a number or as the string a manual run may send.
    expect(window({ DefaultLookbackWindowDays: 28 }).start).toBe("2026-10-26T04:30:00.0000000Z");
    expect(window({ DefaultLookbackWindowDays: "7" }).start).toBe("2026-11-16T04:30:00.0000000Z");
    // Only the end given: the start is counted back from it, not from the trigger time.
    expect(window({ RequestEndDate: "2026-10-01T00:00:00Z" })).toEqual({ start: "2026-09-17T00:00:00.0000000Z", end: "2026-10-01T00:00:00Z" });
    // Only the start given: the end is the trigger time.
    expect(window({ RequestStartDate: "2026-09-01T00:00:00Z" })).toEqual({ start: "2026-09-01T00:00:00Z", end: TRIGGER_TIME });
    // Both given: taken as they are.
    expect(window({ RequestStartDate: "2026-06-01T00:00:00Z", RequestEndDate: "2026-10-01T00:00:00Z" })).toEqual({
      start: "2026-06-01T00:00:00Z",
      end: "2026-10-01T00:00:00Z",
    });
    // Northwind's configured window arrives through the parameter defaults.
    const nw = datasetRequest(NORTHWIND, {});
    expect([nw.start, nw.end]).toEqual(["2026-06-01T00:00:00Z", "2026-10-01T00:00:00Z"]);
  });

  it("filters the window on the PersonReport's DateTime column, on the dataset only (the copy source stays plain, as in the sample)", () => {
    expect(personReportDataset(FABRIKAM).typeProperties.dateFilterColumn).toBe("MetricDate");
    expect(activity(FABRIKAM, "CopyPersonReport").source).toEqual({ type: "Office365Source" });
  });

  it("sends the tenant's AggregationType to Graph Data Connect through the dataset's AdditionalDataSetProperties", () => {
    expect(datasetRequest(FABRIKAM, {}).aggregationType).toBe("Week");
    expect(datasetRequest(NORTHWIND, {}).aggregationType).toBe("Month");
    // A manual run's override reaches the dataset too.
    expect(datasetRequest(FABRIKAM, { AggregationType: "Day" }).aggregationType).toBe("Day");
  });

  it("also records AggregationType and the window as the copy's user properties (Monitor shows them)", () => {
    const copy = activities(FABRIKAM).find((a) => a.name === "CopyPersonReport")!;
    const props = copy.userProperties as { name: string; value: { value: string } }[];
    expect(props.map((p) => p.name)).toEqual(["AggregationType", "RequestStartDate", "RequestEndDate"]);
    const evaluated = (tenant: string, parameters: Record<string, unknown>) =>
      Object.fromEntries(props.map((p) => [p.name, evaluateAdf(p.value.value, runContext(tenant, parameters))]));
    expect(evaluated(FABRIKAM, {})).toEqual({ AggregationType: "Week", RequestStartDate: "2026-11-09T04:30:00.0000000Z", RequestEndDate: TRIGGER_TIME });
    expect(evaluated(FABRIKAM, { AggregationType: "Day" }).AggregationType).toBe("Day");
    expect(evaluated(NORTHWIND, {}).AggregationType).toBe("Month");
  });

  it("writes expressions the ADF language accepts, referring only to declared parameters", () => {
    for (const tenant of [FABRIKAM, NORTHWIND]) {
      const declared = Object.keys(get(tenant, "pipeline").inputs.parameters as object);
      for (const { path, value } of expressionsIn(activities(tenant))) {
        expect(() => evaluateAdf(value, { ...runContext(tenant, {}), dataset: { folder: "x" } }), `${tenant} ${path}: ${value}`).not.toThrow();
        for (const [, name] of value.matchAll(/pipeline\(\)\.parameters\.(\w+)/g)) expect(declared).toContain(name);
      }
    }
    // The evaluator itself rejects what ADF would: a misspelt parameter, an unknown function, bad syntax.
    const ctx = runContext(FABRIKAM, {});
    expect(() => evaluateAdf("@pipeline().parameters.RequestEnd", ctx)).toThrow("no property RequestEnd");
    expect(() => evaluateAdf("@adddays(pipeline().TriggerTime, 1)", ctx)).toThrow("unknown function adddays");
    expect(() => evaluateAdf("@if(empty(pipeline().parameters.RequestEndDate), 1", ctx)).toThrow();
    expect(() => evaluateAdf("@addDays('', 1)", ctx)).toThrow("not a timestamp");
  });

  it("lands each run in its own folder of the tenant's container", () => {
    const copy = activities(FABRIKAM).find((a) => a.name === "CopyPersonReport")!;
    const folderArg = (copy.outputs as { parameters: { folder: { value: string } } }[])[0].parameters.folder.value;
    const drop = get(FABRIKAM, "ds-person-report-drop").inputs.properties as { location: { fileSystem: string; folderPath: { value: string } } };
    const folderOf = (runId: string) => {
      const ctx = { ...runContext(FABRIKAM, {}), pipeline: { ...runContext(FABRIKAM, {}).pipeline, RunId: runId } };
      return evaluateAdf(drop.location.folderPath.value, { ...ctx, dataset: { folder: evaluateAdf(folderArg, ctx) } });
    };
    expect(drop.location.fileSystem).toBe(FABRIKAM);
    expect(folderOf("run-1")).toBe("run-1");
    expect(folderOf("run-2")).not.toBe(folderOf("run-1"));
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
    // What the endpoint receives, after ADF resolves the interpolations: valid JSON.
    expect(JSON.parse(String(evaluateAdf(body.value, runContext(FABRIKAM, {}))))).toEqual({
      runId: RUN_ID,
      tenantId: FABRIKAM,
      container: FABRIKAM,
      folder: RUN_ID,
      usersFolder: `${RUN_ID}-users`,
      aggregationType: "Week",
      requestStartDate: "2026-11-09T04:30:00.0000000Z",
      requestEndDate: TRIGGER_TIME,
      factory: `contoso-dev-${FABRIKAM}`,
      pipeline: "ExportO365DataEvents",
    });
    expect(activities(NORTHWIND).some((a) => a.type === "WebActivity")).toBe(false);
  });

  it("authenticates the notification with the factory's managed identity, for the partner app by default", () => {
    const notify = activities(FABRIKAM).find((a) => a.type === "WebActivity")!;
    expect(notify.authentication).toEqual({ type: "MSI", resource: stableGuid("platform-app-app/client") });
    expect(notify.policy).toEqual({ timeout: "0.00:10:00", retry: 3, retryIntervalInSeconds: 60 });
  });

  it("schedules a started trigger every Monday at the configured UTC time", () => {
    const trigger = get(FABRIKAM, "trigger");
    expect(trigger.type).toBe("pulumi-nodejs:dynamic/viva-partner:StartedTrigger");
    expect(trigger.inputs).toMatchObject({ subscriptionId: MOCK_CLIENT.subscriptionId, resourceGroupName: "contoso-dev-rg", factoryName: `contoso-dev-${FABRIKAM}`, triggerName: "WeeklyMondayExport" });
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

  it("leaves the paused tenant's trigger stopped and keeps everything else of it", () => {
    expect(get(TAILSPIN, "trigger").inputs).toMatchObject({ paused: true, properties: get(NORTHWIND, "trigger").inputs.properties });
    expect(get(FABRIKAM, "trigger").inputs.paused).toBe(false);
    for (const suffix of ["container", "key", "factory", "pipeline", "ds-person-report", "ds-users", "ls-office365"]) expect(get(TAILSPIN, suffix)).toBeDefined();
  });
  it("starts the trigger only after the pipeline, the key and every role a run needs", () => {
    const t = `tenant-${FABRIKAM}`;
    expect(dependencies.get(`${t}-trigger`)).toEqual(
      expect.arrayContaining([`${t}-pipeline`, `${t}-key`, `${t}-app-key-user`, `${t}-app-blob-writer`, `${t}-factory-secret-reader`, `${t}-ls-keyvault`, `${t}-ls-office365`, `${t}-ls-storage`]),
    );
    // The key waits for the deployer's key-manager role; the app's role on the key waits for the key.
    expect(dependencies.get(`${t}-key`)).toEqual(expect.arrayContaining(["platform-kv-deployer-key-manager"]));
    expect(dependencies.get(`${t}-app-key-user`)).toContain(`${t}-key`);
    // Linked services that read the app secret wait for the factory's role on it; the pipeline waits for its datasets.
    for (const ls of ["ls-storage", "ls-office365"]) expect(dependencies.get(`${t}-${ls}`)).toContain(`${t}-factory-secret-reader`);
    expect(dependencies.get(`${t}-pipeline`)).toEqual(expect.arrayContaining([`${t}-ds-person-report`, `${t}-ds-person-report-drop`, `${t}-ds-users`, `${t}-ds-users-drop`]));
    expect(dependencies.get(`${t}-factory-secret-reader`)).toEqual(expect.arrayContaining([`${t}-factory`, "platform-kv-app-secret"]));
  });
});
