import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { type BatchResult, validateBatch } from "./validate-batch";
import type { ValidateReply, ValidateRequest } from "./validate-worker";

/** Validates NDJSON batches, in worker threads when it has any, inline otherwise. */
export interface BatchValidator {
  /**
   * Validates `bytes`. When `transfersBatches`, `bytes` must own its ArrayBuffer (lineBatches `owned`): it is
   * moved to the worker and back, so use the returned `bytes`, never the argument, afterwards.
   */
  validate(bytes: Buffer, collectStats: boolean): Promise<{ result: BatchResult; bytes: Buffer }>;
  /** How many batches may usefully be in flight. */
  readonly parallelism: number;
  /** True when batches are moved to another thread, so each must own its memory (see lineBatches). */
  readonly transfersBatches: boolean;
  close(): Promise<void>;
}

/**
 * Default worker count. The main thread deciphers and validates while zlib inflates on libuv's pool, which
 * already keeps two cores busy: measured on 2 cores, a parser worker made decrypt no faster and verify slower,
 * and cost ~30 MB. So workers only where cores are left over: cores − 2, at most 4.
 */
export function defaultWorkerCount(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 2));
}

/**
 * The compiled worker script. From the TypeScript sources (tests, tsx) there is none next to this file,
 * so the built copy in dist/ is used, as from the one-file CLI build in dist/cli/; undefined when neither
 * exists (then validation runs inline). `dir` is where this module runs from.
 */
export function resolveWorkerScript(dir = __dirname): string | undefined {
  const candidates = [path.join(dir, "validate-worker.js"), path.resolve(dir, "../../dist/decrypt/validate-worker.js")];
  return candidates.find((file) => existsSync(file));
}

/** A validator with `workers` threads (0 = inline on the calling thread). */
export function createBatchValidator(workers = defaultWorkerCount()): BatchValidator {
  const script = workers > 0 ? resolveWorkerScript() : undefined;
  return script ? new WorkerPool(script, workers) : new InlineValidator();
}

class InlineValidator implements BatchValidator {
  readonly parallelism = 1;
  readonly transfersBatches = false;
  async validate(bytes: Buffer, collectStats: boolean): Promise<{ result: BatchResult; bytes: Buffer }> {
    return { result: validateBatch(bytes, collectStats), bytes };
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (reply: { result: BatchResult; bytes: Buffer }) => void;
  reject: (error: Error) => void;
}

class WorkerPool implements BatchValidator {
  readonly parallelism: number;
  readonly transfersBatches = true;
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure?: Error;

  constructor(script: string, size: number) {
    this.parallelism = size * 3;
    this.workers = Array.from({ length: size }, () => this.startWorker(script));
    this.inFlight = this.workers.map(() => 0);
  }

  validate(bytes: Buffer, collectStats: boolean): Promise<{ result: BatchResult; bytes: Buffer }> {
    if (this.failure) return Promise.reject(this.failure);
    const index = this.inFlight.indexOf(Math.min(...this.inFlight));
    const id = this.nextId++;
    this.inFlight[index]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          this.inFlight[index]--;
          resolve(reply);
        },
        reject,
      });
      const request: ValidateRequest = { id, bytes, collectStats };
      // Moved, not copied: the worker sends the same memory back with its result.
      this.workers[index].postMessage(request, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private startWorker(script: string): Worker {
    // Loaded with the first worker: most runs on 2 cores have none.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: WorkerThread } = require("node:worker_threads") as typeof import("node:worker_threads");
    const worker = new WorkerThread(script);
    worker.on("message", ({ id, result, bytes }: ValidateReply) => {
      const entry = this.pending.get(id);
      this.pending.delete(id);
      entry?.resolve({ result, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (code !== 0 && this.pending.size > 0) this.fail(new Error(`parser worker exited with code ${code}`));
    });
    return worker;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}
