import { LINKED_SERVICES } from "./linked-services";

/** Dataset names inside each factory. */
export const DATASETS = {
  personReport: "VivaPersonReport",
  personReportDrop: "VivaPersonReportDrop",
  users: "Users",
  usersDrop: "UsersDrop",
} as const;

/** Graph Data Connect tables. */
export const TABLES = {
  personReport: "VivaInsightsDataset_PersonReport_v1",
  users: "BasicDataSet_v0.User_v1",
} as const;

/** An Office 365 (Graph Data Connect) source table. */
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
