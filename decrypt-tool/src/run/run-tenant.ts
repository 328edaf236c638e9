import { type AzureClientOptions, type PipelineTarget, createDataFactoryClient, describeTarget } from "../data-factory";
import { DropError } from "../errors";
import type { KeyOptions } from "../key/key-options";
import type { SourceOptions } from "../source/index";
import type { IngestSummary } from "../ingest/types";
import { type IngestDrops, checkIngested, runFoldersOf } from "./ingest-step";
import { type ParameterNames, type RunParameterInput, OPTION_NAMES, checkWithDefaults, parseRunParameters, pipelineDefaults, toPipelineParameters } from "./parameters";
import {
  type ActivityFailure,
  type PipelineRunInfo,
  type WaitOutcome,
  cancelPipelineRun,
  createPipelineRun,
  findFailedActivity,
  readPipelineParameters,
  waitForPipelineRun,
} from "./pipeline-run";
import { DEFAULT_POLL_TIMING, type PollTiming } from "./poll";

/** After a run succeeded: load its drop folders into a sink. */
export interface RunIngestOptions {
  /** The tenant's container (stack output containerUrl) or a local folder. */
  container: string;
  /** What `--sink` takes: *.duckdb, duckdb:<path>, postgres://… */
  sink: string;
  keyOptions: KeyOptions;
  sourceOptions?: SourceOptions;
  /** Also load `<runId>-users` (the tenant exports BasicDataSet_v0.User_v1). */
  usersDataset: boolean;
  /** The ingest library's `ingestDrops`. */
  ingestDrops: IngestDrops;
}

/** What {@link runTenantPipeline} does. */
export interface RunTenantOptions {
  target: PipelineTarget;
  /** Only the parameters given are sent; the pipeline's defaults apply to the others. */
  parameters?: RunParameterInput;
  /** How parameters are named in messages (the CLI passes its flags). */
  parameterNames?: ParameterNames;
  /** False: start the run and return its id. Default true. */
  wait?: boolean;
  /** Stop waiting after this long; the run is left running. Default 12 h. */
  timeoutMs?: number;
  ingest?: RunIngestOptions;
  azure?: AzureClientOptions;
  timing?: Partial<PollTiming>;
  /** Aborting it while waiting asks {@link onInterrupt}; during ingest it stops ingest. */
  signal?: AbortSignal;
  /** After an interrupted wait: cancel the run, or leave it running (the default). */
  onInterrupt?: (runId: string, run: PipelineRunInfo | undefined) => Promise<"cancel" | "leave">;
  /** Progress: the run started, its status changed, ingest started. */
  onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | { type: "started"; runId: string }
  | { type: "status"; run: PipelineRunInfo }
  | { type: "cancelling"; runId: string }
  | { type: "ingesting"; runId: string; runFolders: string[] };

/** How a run ended, as far as this call saw it. */
export interface RunTenantResult {
  runId: string;
  /** `started` when not waiting; `left` when interrupted and left running. */
  outcome: WaitOutcome | { kind: "started" } | { kind: "left"; run: PipelineRunInfo | undefined };
  /** On Failed: the activity that failed. */
  failure?: ActivityFailure;
  /** With ingest, after Succeeded. */
  ingest?: IngestSummary;
}

const DEFAULT_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** A cancel is acknowledged within seconds; do not wait for it longer than this. */
const CANCEL_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Starts the tenant's export pipeline and (by default) waits for it (the seed's pull model):
 * validates the parameters with the Pulumi config's rules before any call, reads the pipeline's
 * defaults and checks the window the run will use, Create Run with only the given parameters, then
 * polls the run. On Failed the failing activity's error is read; on Succeeded with `ingest`, the run's
 * drop folders are ingested.
 * @throws DropError USAGE for bad parameters (before any HTTP request), PIPELINE_UNAVAILABLE when Data
 *   Factory cannot be reached or refuses, and ingest's errors (DATA_MISSING, SOURCE_UNREADABLE, or
 *   whatever ingestDrops throws); the signal's reason when it aborts before the run is created.
 */
export async function runTenantPipeline(options: RunTenantOptions): Promise<RunTenantResult> {
  const timing: PollTiming = { ...DEFAULT_POLL_TIMING, ...options.timing };
  const names = options.parameterNames ?? OPTION_NAMES;
  const input = options.parameters ?? {};
  const now = () => new Date(timing.now());
  const parameters = parseRunParameters(input, now(), names);
  const body = toPipelineParameters(parameters);
  const { target, signal } = options;

  const client = createDataFactoryClient(target.subscriptionId, options.azure ?? {});
  const declared = await readPipelineParameters(client, target, signal);
  const undeclared = Object.keys(body).filter((name) => !(name in declared));
  if (undeclared.length > 0) {
    throw new DropError("PIPELINE_UNAVAILABLE", `${describeTarget(target)}: has no parameter ${undeclared.join(", ")} (is it the viva-partner export pipeline?)`);
  }
  checkWithDefaults(parameters, input, pipelineDefaults(declared), now(), names);

  signal?.throwIfAborted();
  // No signal for Create Run: aborted half-way, a run might exist without its id. An interrupt during it
  // is seen by the first wait, with the id known.
  const runId = await createPipelineRun(client, target, body);
  options.onEvent?.({ type: "started", runId });
  if (options.wait === false) return { runId, outcome: { kind: "started" } };

  const waitFor = (timeoutMs: number, waitSignal?: AbortSignal) =>
    waitForPipelineRun(client, target, runId, { timing, timeoutMs, signal: waitSignal, onStatus: (run) => options.onEvent?.({ type: "status", run }) });
  let outcome = await waitFor(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal);
  if (outcome.kind === "interrupted") {
    const decision = (await options.onInterrupt?.(runId, outcome.run)) ?? "leave";
    if (decision === "leave") return { runId, outcome: { kind: "left", run: outcome.run } };
    options.onEvent?.({ type: "cancelling", runId });
    await cancelPipelineRun(client, target, runId);
    outcome = await waitFor(CANCEL_TIMEOUT_MS);
  }
  if (outcome.kind !== "finished") return { runId, outcome };

  const result: RunTenantResult = { runId, outcome };
  if (outcome.run.status === "Failed") result.failure = await findFailedActivity(client, target, outcome.run, timing.now());
  if (outcome.run.status === "Succeeded" && options.ingest) result.ingest = await ingestRun(runId, options.ingest, signal, options.onEvent);
  return result;
}

async function ingestRun(runId: string, ingest: RunIngestOptions, signal: AbortSignal | undefined, onEvent: RunTenantOptions["onEvent"]): Promise<IngestSummary> {
  const runFolders = runFoldersOf(runId, ingest.usersDataset);
  onEvent?.({ type: "ingesting", runId, runFolders });
  const summary = await ingest.ingestDrops(ingest.container, ingest.sink, ingest.keyOptions, { ...ingest.sourceOptions, signal, runFolders });
  checkIngested(summary, runId, ingest.container);
  return summary;
}
