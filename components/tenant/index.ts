export { Tenant, TRIGGER_NAME, containerMetadata, tenantResourceName, triggerProperties, type TenantArgs } from "./tenant";
export * from "./pipeline";
export { DATASETS, TABLES, dropDataset, office365Dataset } from "./datasets";
export { LINKED_SERVICES, keyVaultLinkedService, office365LinkedService, storageLinkedService, vaultSecret, type AppCredentials } from "./linked-services";
