// Worker thread entry: validates batches of NDJSON lines sent by the main thread (see worker-pool.ts).
import { parentPort } from "node:worker_threads";
import { type BatchResult, validateBatch } from "./validate-batch";

export interface ValidateRequest {
  id: number;
  bytes: Uint8Array;
  collectStats: boolean;
}

export interface ValidateReply {
  id: number;
  result: BatchResult;
  /** The request's bytes, moved back to the main thread. */
  bytes: Uint8Array;
}

parentPort?.on("message", (request: ValidateRequest) => {
  const reply: ValidateReply = { id: request.id, result: validateBatch(request.bytes, request.collectStats), bytes: request.bytes };
  parentPort?.postMessage(reply, [request.bytes.buffer as ArrayBuffer]);
});
