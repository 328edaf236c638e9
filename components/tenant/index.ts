export { Tenant, TRIGGER_NAME, containerMetadata, tenantResourceName, triggerProperties, type TenantArgs } from "./tenant";
export * from "./pipeline";
export { DATASETS, PERSON_REPORT_DATASET_PARAMETERS, TABLES, dropDataset, office365Dataset, personReportDataset } from "./datasets";
export { LINKED_SERVICES, keyVaultLinkedService, office365LinkedService, storageLinkedService, vaultSecret, type AppCredentials } from "./linked-services";
