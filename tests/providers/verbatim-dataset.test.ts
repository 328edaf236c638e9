import { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { describe, expect, it } from "vitest";
import { VERBATIM_DATASET_TIMING } from "../../components/providers/verbatim-dataset-provider";
import { checkVerbatimDatasetInputs, type VerbatimDatasetInputs } from "../../components/providers/verbatim-dataset-inputs";
import {
  deleteVerbatimDataset,
  diffVerbatimDataset,
  putVerbatimDataset,
  readVerbatimDataset,
  type VerbatimDatasetOutputs,
  type VerbatimDatasetTiming,
} from "../../components/providers/verbatim-dataset-operations";
import { FakeDataFactory } from "./fake-data-factory";
import { azureError, recordingSleep, staticCredential, type RecordedRequest } from "./http-recorder";

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
const DATASET_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-viva/providers/Microsoft.DataFactory/factories/adf-viva-contoso/datasets/VivaInsightsPersonReport`;

/** A dataset with typeProperties the SDK's Office365Dataset model does not know. */
const PROPERTIES = {
  type: "Office365Table",
  linkedServiceName: { referenceName: "CustomerOffice365", type: "LinkedServiceReference" },
  parameters: { RequestStartDate: { type: "String" }, RequestEndDate: { type: "String" }, AggregationType: { type: "String" } },
  structure: [{ name: "MetricDate", type: "datetime" }, { name: "Collaboration hours", type: "double" }],
  typeProperties: {
    tableName: "VivaInsightsDataset_PersonReport_v1",
    dateFilterColumn: "MetricDate",
    startTime: "@dataset().RequestStartDate",
    endTime: "@dataset().RequestEndDate",
    AdditionalDataSetProperties: { aggregationType: "@dataset().AggregationType" },
  },
};

function setup(): { factory: FakeDataFactory; client: DataFactoryManagementClient; timing: VerbatimDatasetTiming; waits: number[] } {
  const factory = new FakeDataFactory();
  const client = new DataFactoryManagementClient(staticCredential(), SUBSCRIPTION, {
    httpClient: factory.httpClient,
    endpoint: "https://management.azure.com",
    retryOptions: { maxRetries: 0 },
  });
  const { sleep, waits } = recordingSleep();
  return { factory, client, waits, timing: { retry: { ...VERBATIM_DATASET_TIMING.retry, sleep } } };
}

function inputs(properties: Record<string, unknown> = PROPERTIES): VerbatimDatasetInputs {
  return { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-viva", factoryName: "adf-viva-contoso", datasetName: "VivaInsightsPersonReport", properties };
}

const isPut = (r: RecordedRequest) => r.method === "PUT" && r.path === DATASET_PATH;

describe("why the dataset bypasses the SDK's models", () => {
  // If one of these starts failing, the SDK has learnt to carry unknown typeProperties and
  // client.datasets.createOrUpdate could replace the raw request.
  it("the SDK's Office365Dataset model moves unknown typeProperties keys out of typeProperties", async () => {
    const { factory, client } = setup();
    const { tableName, ...rest } = PROPERTIES.typeProperties;
    await client.datasets.createOrUpdate("rg-viva", "adf-viva-contoso", "VivaInsightsPersonReport", {
      properties: { type: "Office365Table", linkedServiceName: PROPERTIES.linkedServiceName, tableName, ...rest } as never,
    });
    const sent = (factory.requests.find(isPut)!.body as { properties: Record<string, unknown> }).properties;
    expect(sent.typeProperties).toEqual({ tableName: "VivaInsightsDataset_PersonReport_v1" });
    expect(sent.AdditionalDataSetProperties).toEqual({ aggregationType: "@dataset().AggregationType" });
  });

  it("and a typeProperties object given to the model replaces the ones it serializes (tableName is lost)", async () => {
    const { factory, client } = setup();
    await client.datasets.createOrUpdate("rg-viva", "adf-viva-contoso", "VivaInsightsPersonReport", {
      properties: { type: "Office365Table", linkedServiceName: PROPERTIES.linkedServiceName, tableName: "VivaInsightsDataset_PersonReport_v1", typeProperties: { dateFilterColumn: "MetricDate" } } as never,
    });
    expect((factory.requests.find(isPut)!.body as { properties: { typeProperties: unknown } }).properties.typeProperties).toEqual({ dateFilterColumn: "MetricDate" });
  });
});

describe("putVerbatimDataset", () => {
  it("PUTs exactly { properties } as given, authenticated, with the Data Factory API version", async () => {
    const { factory, client, timing } = setup();

    const outs = await putVerbatimDataset(client, inputs(), timing);

    expect(factory.calls()).toEqual([`PUT ${DATASET_PATH}`]);
    const put = factory.requests[0];
    expect(put.url.searchParams.get("api-version")).toBe("2018-06-01");
    expect(put.authorization).toBe("Bearer test-token");
    // The exact JSON on the wire: every key, AdditionalDataSetProperties inside typeProperties.
    expect(put.body).toStrictEqual({ properties: PROPERTIES });
    expect(outs).toEqual({ ...inputs(), datasetId: DATASET_PATH });
    expect(factory.datasets.get(DATASET_PATH.toLowerCase())).toStrictEqual(PROPERTIES);
  });

  it("replaces the definition on update (PUT is create-or-update)", async () => {
    const { factory, client, timing } = setup();
    await putVerbatimDataset(client, inputs(), timing);
    const changed = { ...PROPERTIES, structure: [{ name: "MetricDate", type: "datetime" }] };

    await putVerbatimDataset(client, inputs(changed), timing);

    expect(factory.calls()).toEqual([`PUT ${DATASET_PATH}`, `PUT ${DATASET_PATH}`]);
    expect(factory.datasets.get(DATASET_PATH.toLowerCase())?.structure).toEqual([{ name: "MetricDate", type: "datetime" }]);
  });

  it("retries a conflict with another operation on the factory, then succeeds", async () => {
    const { factory, client, timing, waits } = setup();
    factory.failNext(isPut, { status: 409, body: azureError("Conflict", "Another operation is in progress.") }, 2);

    await putVerbatimDataset(client, inputs(), timing);

    expect(factory.requests.filter(isPut)).toHaveLength(3);
    expect(waits).toEqual([5_000, 10_000]);
  });

  it("reports a refused definition once, naming the dataset, the factory and the service's reason", async () => {
    const { factory, client, timing, waits } = setup();
    factory.failNext(isPut, { status: 400, body: azureError("BadRequest", "The linked service CustomerOffice365 does not exist.") });

    await expect(putVerbatimDataset(client, inputs(), timing)).rejects.toThrow(
      'Data Factory dataset "VivaInsightsPersonReport" in factory "adf-viva-contoso" (resource group rg-viva): could not write the dataset: BadRequest: The linked service CustomerOffice365 does not exist.',
    );
    expect(waits).toEqual([]);
  });
});

describe("readVerbatimDataset and deleteVerbatimDataset", () => {
  it("reads an existing dataset's id and reports a deleted one as gone", async () => {
    const { client, timing } = setup();
    const outs = await putVerbatimDataset(client, inputs(), timing);
    expect(await readVerbatimDataset(client, outs)).toEqual(outs);

    await deleteVerbatimDataset(client, outs, timing);
    expect(await readVerbatimDataset(client, outs)).toBeUndefined();
  });

  it("deletes, and treats a dataset that is already gone as deleted", async () => {
    const { factory, client, timing } = setup();
    await putVerbatimDataset(client, inputs(), timing);
    await deleteVerbatimDataset(client, inputs(), timing);
    await deleteVerbatimDataset(client, inputs(), timing);
    expect(factory.calls()).toEqual([`PUT ${DATASET_PATH}`, `DELETE ${DATASET_PATH}`, `DELETE ${DATASET_PATH}`]);
    expect(factory.datasets.size).toBe(0);
  });

  it("names the dataset when a delete is refused", async () => {
    const { factory, client, timing } = setup();
    factory.failNext((r) => r.method === "DELETE", { status: 403, body: azureError("AuthorizationFailed", "The client does not have authorization.") });
    await expect(deleteVerbatimDataset(client, inputs(), timing)).rejects.toThrow(
      'Data Factory dataset "VivaInsightsPersonReport" in factory "adf-viva-contoso" (resource group rg-viva): could not delete the dataset: AuthorizationFailed: The client does not have authorization.',
    );
  });
});

describe("diffVerbatimDataset", () => {
  const olds: VerbatimDatasetOutputs = { ...inputs(), datasetId: DATASET_PATH };

  it("sees no change in reordered keys or a case-only name change", () => {
    const reordered = Object.fromEntries(Object.entries(PROPERTIES).reverse());
    expect(diffVerbatimDataset(olds, { ...inputs(reordered), factoryName: "ADF-viva-contoso" })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("writes changed properties in place and replaces on another factory or name", () => {
    const changed = { ...PROPERTIES, typeProperties: { ...PROPERTIES.typeProperties, AdditionalDataSetProperties: { aggregationType: "Month" } } };
    expect(diffVerbatimDataset(olds, { ...inputs(changed) })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(diffVerbatimDataset(olds, { ...inputs(), factoryName: "adf-other", datasetName: "Other" }).replaces).toEqual(["factoryName", "datasetName"]);
  });
});

describe("checkVerbatimDatasetInputs", () => {
  it("accepts the dataset", () => {
    expect(checkVerbatimDatasetInputs({ ...inputs() })).toEqual([]);
  });

  it("names the property and rule for bad names and properties", () => {
    expect(checkVerbatimDatasetInputs({ ...inputs({ type: "Office365Table" }), factoryName: "", datasetName: "Viva-Report" })).toEqual([
      { property: "factoryName", reason: 'factoryName "" must be a non-empty string' },
      { property: "datasetName", reason: 'datasetName "Viva-Report" must be letters, digits or "_", starting with a letter' },
      { property: "properties", reason: 'properties of dataset "Viva-Report": linkedServiceName must be a linked service reference ({ referenceName, type })' },
    ]);
    expect(checkVerbatimDatasetInputs({ ...inputs(), properties: "x" })).toEqual([
      { property: "properties", reason: 'properties of dataset "VivaInsightsPersonReport": must be an object (ARM DatasetResource.properties)' },
    ]);
  });
});
