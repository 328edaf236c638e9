import type { DatasetColumn } from "../../config/graph-data-connect/columns";
import { PERSON_REPORT_DATE_COLUMN } from "../../config/graph-data-connect/columns";
import { LINKED_SERVICES } from "./linked-services";

/** Dataset names inside each factory. */
export const DATASETS = {
  /**
   * Not the "VivaPersonReport" of earlier versions: that one was an azure-native Dataset. A new name
   * lets Pulumi create this one before it deletes the old one, without deleting what it just created.
   */
  personReport: "VivaInsightsPersonReport",
  personReportDrop: "VivaPersonReportDrop",
  users: "Users",
  usersDrop: "UsersDrop",
} as const;

/** Graph Data Connect tables. */
export const TABLES = {
  personReport: "VivaInsightsDataset_PersonReport_v1",
  users: "BasicDataSet_v0.User_v1",
} as const;

/** Parameters of the PersonReport dataset: the copy fills them from the pipeline's parameters. */
export const PERSON_REPORT_DATASET_PARAMETERS = ["RequestStartDate", "RequestEndDate", "AggregationType"] as const;

/**
 * The Viva Insights source dataset as Microsoft's sample writes it (ARM shape, sent verbatim):
 * the consented columns as its `structure`, and in its typeProperties the window on MetricDate and
 * `AdditionalDataSetProperties.aggregationType`, each bound to a dataset parameter. Graph Data
 * Connect reads the aggregation only from there; no copy-source property carries it.
 */
export function personReportDataset(columns: readonly DatasetColumn[]): Record<string, unknown> {
  return {
    type: "Office365Table",
    linkedServiceName: { referenceName: LINKED_SERVICES.office365, type: "LinkedServiceReference" },
    parameters: Object.fromEntries(PERSON_REPORT_DATASET_PARAMETERS.map((p) => [p, { type: "String" }])),
    structure: columns.map((c) => ({ ...c })),
    typeProperties: {
      tableName: TABLES.personReport,
      dateFilterColumn: PERSON_REPORT_DATE_COLUMN,
      startTime: "@dataset().RequestStartDate",
      endTime: "@dataset().RequestEndDate",
      AdditionalDataSetProperties: { aggregationType: "@dataset().AggregationType" },
    },
  };
}

/** An Office 365 (Graph Data Connect) source table, in azure-native's shape (the users table needs nothing else). */
export function office365Dataset(tableName: string) {
  return {
    type: "Office365Table" as const,
    linkedServiceName: { referenceName: LINKED_SERVICES.office365, type: "LinkedServiceReference" },
    tableName,
  };
}

/**
 * A binary sink in the tenant's container. The folder is a dataset parameter the copy sets to the
 * run's folder, so every run lands in a folder of its own.
 */
export function dropDataset(container: string) {
  return {
    type: "Binary" as const,
    linkedServiceName: { referenceName: LINKED_SERVICES.storage, type: "LinkedServiceReference" },
    parameters: { folder: { type: "String" } },
    location: {
      type: "AzureBlobFSLocation" as const,
      fileSystem: container,
      folderPath: { value: "@dataset().folder", type: "Expression" },
    },
  };
}
