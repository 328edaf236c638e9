export * from "./decrypt-file";
export * from "./line-batches";
export * from "./read-data";
export * from "./validate-batch";
export { createBatchValidator, defaultWorkerCount, resolveWorkerScript, type BatchValidator } from "./worker-pool";
