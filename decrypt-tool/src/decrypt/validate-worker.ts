// Worker thread entry: validates batches of NDJSON lines sent by the main thread (see worker-pool.ts).
import { parentPort } from "node:worker_threads";
import { validateBatch } from "./validate-batch";

export interface ValidateRequest {
  id: number;
  bytes: Uint8Array;
  collectStats: boolean;
}

parentPort?.on("message", (request: ValidateRequest) => {
  parentPort?.postMessage({ id: request.id, result: validateBatch(request.bytes, request.collectStats) });
});
