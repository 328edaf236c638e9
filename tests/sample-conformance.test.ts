/**
 * The program against Microsoft's sample pipeline for this integration
 * (fixtures/viva-sample-pipeline-mainTemplateV1.json; docs/deploying.md has the row-by-row table).
 * What Graph Data Connect reads must match the sample; each difference is asserted here as the
 * difference the table explains.
 */
import { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { beforeAll, describe, expect, it } from "vitest";
import { putVerbatimDataset } from "../components/providers/verbatim-dataset-operations";
import type { VerbatimDatasetInputs } from "../components/providers/verbatim-dataset-inputs";
import { PERSON_REPORT_COLUMNS, USER_COLUMNS } from "../config/graph-data-connect/columns";
import type { PlannedResource } from "../scripts/plan/run-plan";
import { evaluateAdf, type AdfContext } from "./helpers/adf-expression";
import { FABRIKAM, devConfig, plan, resource } from "./helpers/plan";
import { sampleFactory, type TemplateResource } from "./helpers/sample-template";
import { FakeDataFactory } from "./providers/fake-data-factory";
import { recordingSleep, staticCredential } from "./providers/http-recorder";

type Json = Record<string, unknown>;

let resources: PlannedResource[];
let sample: { child: (name: string) => TemplateResource; variables: Record<string, string> };
const ours = (suffix: string) => resource(resources, `tenant-${FABRIKAM}-${suffix}`).inputs;
const sampleActivity = (name: string) => ((sample.child("ExportO365DataEvents").properties.activities as Json[]).find((a) => a.name === name)!);
const ourActivity = (name: string) => (ours("pipeline").activities as Json[]).find((a) => a.name === name)!;

beforeAll(async () => {
  ({ resources } = await plan(devConfig()));
  sample = sampleFactory();
});

/** The body our provider sends to ARM for the planned dataset, through the real SDK client. */
async function wireBody(inputs: Json): Promise<Json> {
  const fake = new FakeDataFactory();
  const client = new DataFactoryManagementClient(staticCredential(), String(inputs.subscriptionId), { httpClient: fake.httpClient, retryOptions: { maxRetries: 0 } });
  await putVerbatimDataset(client, inputs as unknown as VerbatimDatasetInputs, { retry: { budgetMs: 0, initialDelayMs: 1, maxDelayMs: 1, sleep: recordingSleep().sleep } });
  return fake.requests[0].body as Json;
}

describe("the Viva Insights source dataset, as ARM receives it", () => {
  it("equals the sample's dataset but for names and empty or cosmetic fields", async () => {
    const body = await wireBody(ours("ds-person-report"));
    const theirs = structuredClone(sample.child("Office365DataSetVivaInsightsDataset_PersonReport_v1").properties) as Json & {
      typeProperties: Json;
      structure: Json[];
      parameters: Record<string, { type: string }>;
      linkedServiceName: Json;
    };
    // The differences the comparison table lists, applied to the sample:
    theirs.typeProperties.tableName = sample.variables.datasetName; // an ARM variable there
    theirs.linkedServiceName.referenceName = "CustomerOffice365"; // our linked service's name
    delete theirs.annotations; // empty
    theirs.structure = theirs.structure.map(({ description: _blank, ...column }) => column); // " " everywhere
    for (const p of Object.values(theirs.parameters)) p.type = "String"; // the API's spelling of the enum; ADF reads it case-insensitively
    expect(body).toStrictEqual({ properties: theirs });
  });

  it("keeps the sample's typeProperties exactly: table, MetricDate window and AdditionalDataSetProperties.aggregationType", async () => {
    const body = (await wireBody(ours("ds-person-report"))) as { properties: { typeProperties: Json } };
    expect(body.properties.typeProperties).toStrictEqual({
      ...(sample.child("Office365DataSetVivaInsightsDataset_PersonReport_v1").properties.typeProperties as Json),
      tableName: "VivaInsightsDataset_PersonReport_v1",
    });
  });

  it("defaults to the sample's columns: PersonReport structure and User_v1 outputColumns", () => {
    const structure = sample.child("Office365DataSetVivaInsightsDataset_PersonReport_v1").properties.structure as { name: string; type: string }[];
    expect(PERSON_REPORT_COLUMNS).toEqual(structure.map(({ name, type }) => ({ name, type })));
    const outputColumns = ((sampleActivity("Copy AAD User Data").typeProperties as Json).source as { outputColumns: { name: string }[] }).outputColumns;
    expect(USER_COLUMNS).toEqual(outputColumns.map((c) => c.name));
    expect(ourActivity("CopyUsers").source).toEqual({ type: "Office365Source", outputColumns });
  });
});

describe("the pipeline", () => {
  it("declares the sample's parameters with its defaults (Fabrikam keeps the defaults)", () => {
    const theirs = sample.child("ExportO365DataEvents").properties.parameters as Record<string, { type: string; defaultValue?: unknown }>;
    const mine = ours("pipeline").parameters as Record<string, { type: string; defaultValue?: unknown }>;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const [name, p] of Object.entries(theirs)) {
      expect(mine[name].type.toLowerCase(), name).toBe(p.type.toLowerCase());
      // The sample leaves the dates without a default; an empty default means the same to the expressions.
      expect(mine[name].defaultValue, name).toEqual(p.defaultValue ?? "");
    }
  });

  it("copies with the sample's source, sink and policy", () => {
    const theirs = sampleActivity("Copy Viva Insights Data") as Json & { typeProperties: Json; policy: Json };
    const mine = ourActivity("CopyPersonReport");
    expect(mine.source).toEqual(theirs.typeProperties.source);
    expect(mine.sink).toEqual(theirs.typeProperties.sink);
    const { secureInput: _in, secureOutput: _out, ...policy } = theirs.policy; // false is the default
    expect(mine.policy).toEqual(policy);
    expect((sampleActivity("Copy AAD User Data") as { policy: Json }).policy).toEqual(theirs.policy);
    expect(ourActivity("CopyUsers").policy).toEqual(policy);
  });

  it("passes the dataset the sample's parameters; the end date and the aggregation are the sample's expressions", () => {
    const theirs = ((sampleActivity("Copy Viva Insights Data").inputs as Json[])[0].parameters) as Record<string, string>;
    const mine = ((ourActivity("CopyPersonReport").inputs as Json[])[0].parameters) as Record<string, { value: string; type: string }>;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    expect(mine.RequestEndDate.value).toBe(theirs.RequestEndDate);
    expect(mine.AggregationType.value).toBe(theirs.AggregationType);
  });

  it("counts the default start back from the effective end (the seed's rule); the sample counts from the trigger time", () => {
    const theirs = ((sampleActivity("Copy Viva Insights Data").inputs as Json[])[0].parameters) as Record<string, string>;
    const mine = ((ourActivity("CopyPersonReport").inputs as Json[])[0].parameters) as Record<string, { value: string }>;
    const run = (parameters: Json): AdfContext => ({
      pipeline: {
        parameters: { RequestStartDate: "", RequestEndDate: "", DefaultLookbackWindowDays: 14, AggregationType: "Week", ...parameters },
        TriggerTime: "2026-11-23T04:30:00.0000000Z",
        RunId: "run",
        DataFactory: "f",
        Pipeline: "ExportO365DataEvents",
      },
    });
    // The scheduled run: the same window.
    expect(evaluateAdf(mine.RequestStartDate.value, run({}))).toBe(evaluateAdf(theirs.RequestStartDate, run({})));
    // Only an end date given (a manual backfill): ours ends the window there and starts 14 days before it.
    const backfill = run({ RequestEndDate: "2026-10-01T00:00:00Z" });
    expect(evaluateAdf(mine.RequestStartDate.value, backfill)).toBe("2026-09-17T00:00:00.0000000Z");
    expect(evaluateAdf(theirs.RequestStartDate, backfill)).toBe("2026-11-09T04:30:00.0000000Z"); // after the end
  });
});

describe("linked services and trigger", () => {
  it("authenticates Graph Data Connect like the sample: customer tenant, partner app, its secret from Key Vault", () => {
    const theirs = sample.child("Office365Service").properties as { type: string; typeProperties: Json };
    const mine = ours("ls-office365").properties as Json;
    expect(mine.type).toBe(theirs.type);
    expect(Object.keys(mine).filter((k) => k !== "type").sort()).toEqual(Object.keys(theirs.typeProperties).sort());
    expect((mine.servicePrincipalKey as Json).type).toBe((theirs.typeProperties.servicePrincipalKey as Json).type);
  });

  it("writes to ADLS Gen2 as the app, its secret from Key Vault, with the sample's properties", () => {
    const theirs = sample.child("ADLSSink").properties as { type: string; typeProperties: Json };
    const mine = ours("ls-storage").properties as Json;
    expect(mine.type).toBe(theirs.type);
    expect(Object.keys(mine).filter((k) => k !== "type").sort()).toEqual(Object.keys(theirs.typeProperties).sort());
    expect(mine.servicePrincipalCredentialType).toBe(theirs.typeProperties.servicePrincipalCredentialType);
    const { secretVersion: _latest, ...credential } = theirs.typeProperties.servicePrincipalCredential as Json; // "" = the latest version
    expect(Object.keys(mine.servicePrincipalCredential as Json).sort()).toEqual(Object.keys(credential).sort());
    const vault = sample.child("adlsSinkKeyVaultLink").properties as { type: string; typeProperties: Json };
    expect(Object.keys(ours("ls-keyvault").properties as Json).sort()).toEqual(["type", ...Object.keys(vault.typeProperties)].sort());
  });

  it("triggers the same pipeline with its defaults; weekly on Monday instead of every 7 days from a 2021 date", () => {
    const theirs = sample.child("ScheduledTrigger").properties as Json & { typeProperties: { recurrence: Json } };
    const mine = ours("trigger").properties as Json & { typeProperties: { recurrence: Json } };
    expect(mine.type).toBe(theirs.type);
    expect(mine.pipelines).toEqual(theirs.pipelines);
    expect(theirs.typeProperties.recurrence).toMatchObject({ frequency: "Day", interval: 7, schedule: {} });
    expect(mine.typeProperties.recurrence).toMatchObject({ frequency: "Week", interval: 1, schedule: { weekDays: ["Monday"] } });
  });
});
