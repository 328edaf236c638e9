import type * as pulumi from "@pulumi/pulumi";
import { isRecord } from "./json";
import { UNKNOWN_INPUT, containsUnknown } from "./unknown";

/** The resolved inputs of a VerbatimDataset as the provider receives them. */
export interface VerbatimDatasetInputs {
  subscriptionId: string;
  resourceGroupName: string;
  factoryName: string;
  datasetName: string;
  /** ARM `DatasetResource.properties`, sent as they are. */
  properties: Record<string, unknown>;
}

const NAME_FIELDS = ["subscriptionId", "resourceGroupName", "factoryName", "datasetName"] as const;
// Data Factory dataset names: letters, digits and "_", starting with a letter.
const DATASET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,259}$/;

/**
 * Validates VerbatimDataset inputs (Pulumi `check`): the four names are non-empty strings, the
 * dataset name follows Data Factory rules, and `properties` is an object with a `type` and a
 * `linkedServiceName` reference. Unknown preview values pass through unchecked.
 */
export function checkVerbatimDatasetInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  for (const field of NAME_FIELDS) {
    const value = news[field];
    if (value === UNKNOWN_INPUT) continue;
    if (typeof value !== "string" || value.trim() === "") failures.push({ property: field, reason: `${field} ${JSON.stringify(value)} must be a non-empty string` });
  }
  const name = news.datasetName;
  if (typeof name === "string" && name !== UNKNOWN_INPUT && name.trim() !== "" && !DATASET_NAME.test(name)) {
    failures.push({ property: "datasetName", reason: `datasetName ${JSON.stringify(name)} must be letters, digits or "_", starting with a letter` });
  }
  const problem = propertiesProblem(news.properties);
  if (problem) failures.push({ property: "properties", reason: `properties of dataset ${JSON.stringify(name)}: ${problem}` });
  return failures;
}

function propertiesProblem(properties: unknown): string | undefined {
  if (containsUnknown(properties)) return undefined;
  if (!isRecord(properties)) return "must be an object (ARM DatasetResource.properties)";
  if (typeof properties.type !== "string" || properties.type === "") return "type must be a dataset type such as \"Office365Table\"";
  if (!isRecord(properties.linkedServiceName) || typeof properties.linkedServiceName.referenceName !== "string") {
    return "linkedServiceName must be a linked service reference ({ referenceName, type })";
  }
  return undefined;
}
