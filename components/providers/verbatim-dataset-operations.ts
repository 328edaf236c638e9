import type * as pulumi from "@pulumi/pulumi";
import type { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { sendArmJson } from "./arm-request";
import { httpStatusOf, isTransientArmError, withFailureMessage } from "./azure-errors";
import { canonicalJson } from "./json";
import { failureCause, retryTransient, type RetryPolicy } from "./retry";
import { containsUnknown } from "./unknown";
import type { VerbatimDatasetInputs } from "./verbatim-dataset-inputs";

/** The Data Factory API version the datasets are written with (the one the SDK and Microsoft's sample use). */
export const DATA_FACTORY_API_VERSION = "2018-06-01";

/** The state a VerbatimDataset keeps: its inputs plus the dataset's ARM id. */
export interface VerbatimDatasetOutputs extends VerbatimDatasetInputs {
  datasetId: string;
}

/** Retries of conflicts with concurrent operations on the factory. */
export interface VerbatimDatasetTiming {
  retry: RetryPolicy;
}

/** ARM path of the dataset (without the API version). */
export function datasetPath(target: Pick<VerbatimDatasetInputs, "subscriptionId" | "resourceGroupName" | "factoryName" | "datasetName">): string {
  const e = encodeURIComponent;
  return (
    `/subscriptions/${e(target.subscriptionId)}/resourceGroups/${e(target.resourceGroupName)}` +
    `/providers/Microsoft.DataFactory/factories/${e(target.factoryName)}/datasets/${e(target.datasetName)}`
  );
}

/**
 * Creates or replaces the dataset (ARM PUT is create-or-update) with a body of exactly
 * `{ properties }`. Also takes over a dataset of the same name that exists already.
 */
export async function putVerbatimDataset(
  client: DataFactoryManagementClient,
  inputs: VerbatimDatasetInputs,
  timing: VerbatimDatasetTiming,
): Promise<VerbatimDatasetOutputs> {
  const written = await describeFailures("write the dataset", inputs, () =>
    retryTransient(() => sendArmJson(client, "PUT", datasetPath(inputs), DATA_FACTORY_API_VERSION, { properties: inputs.properties }), isTransientArmError, timing.retry),
  );
  const id = (written as { id?: unknown } | undefined)?.id;
  return { ...inputs, datasetId: typeof id === "string" ? id : datasetPath(inputs) };
}

/**
 * Whether the dataset still exists (Pulumi `refresh`), and its id. The definition is not read back:
 * the service may normalize it, and a comparison would report changes nobody made.
 */
export async function readVerbatimDataset(client: DataFactoryManagementClient, olds: VerbatimDatasetOutputs): Promise<VerbatimDatasetOutputs | undefined> {
  return describeFailures("read the dataset", olds, async () => {
    try {
      const found = await sendArmJson(client, "GET", datasetPath(olds), DATA_FACTORY_API_VERSION);
      const id = (found as { id?: unknown } | undefined)?.id;
      return { ...olds, datasetId: typeof id === "string" ? id : olds.datasetId };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  });
}

/** Deletes the dataset; a missing one counts as deleted. */
export async function deleteVerbatimDataset(client: DataFactoryManagementClient, olds: VerbatimDatasetInputs, timing: VerbatimDatasetTiming): Promise<void> {
  await describeFailures("delete the dataset", olds, async () => {
    try {
      await retryTransient(() => sendArmJson(client, "DELETE", datasetPath(olds), DATA_FACTORY_API_VERSION), isTransientArmError, timing.retry);
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
    }
  });
}

/**
 * Another subscription, resource group, factory or dataset name is another dataset (replace; Data
 * Factory names are case-insensitive, so a case-only edit is none); changed properties are written
 * in place.
 */
export function diffVerbatimDataset(olds: VerbatimDatasetOutputs, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const replaces = (["subscriptionId", "resourceGroupName", "factoryName", "datasetName"] as const).filter(
    (field) => containsUnknown(news[field]) || String(olds[field]).toLowerCase() !== String(news[field]).toLowerCase(),
  );
  const propertiesChanged = containsUnknown(news.properties) || canonicalJson(olds.properties) !== canonicalJson(news.properties);
  // The replacement has another name or factory, so creating it first never collides with the old one.
  return { changes: replaces.length > 0 || propertiesChanged, replaces, deleteBeforeReplace: false };
}

function describeFailures<T>(action: string, target: VerbatimDatasetInputs, operation: () => Promise<T>): Promise<T> {
  return withFailureMessage(
    (error) => `Data Factory dataset "${target.datasetName}" in factory "${target.factoryName}" (resource group ${target.resourceGroupName}): could not ${action}: ${failureCause(error)}`,
    operation,
  );
}
