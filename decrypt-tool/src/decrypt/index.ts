export * from "./decrypt-file";
export { DistinctIds } from "./distinct-ids";
export { validateJsonObject, findJsonObjectError } from "./json-lines";
export * from "./line-batches";
export * from "./read-data";
export * from "./validate-batch";
export { createBatchValidator, defaultWorkerCount, resolveWorkerScript, type BatchValidator } from "./worker-pool";
