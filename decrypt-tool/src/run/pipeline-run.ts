import type { ActivityRun, DataFactoryManagementClient, PipelineRun } from "@azure/arm-datafactory";
import { type PipelineTarget, describeDataFactoryFailure, describeTarget, statusCodeOf } from "../data-factory";
import { DropError } from "../errors";
import { explainGraphDataConnectError, type GraphDataConnectExplanation } from "./graph-data-connect-errors";
import type { PipelineRunParameters } from "./parameters";
import { type PollTiming, isTransientPollError, nextInterval, retryAfterMs } from "./poll";

/** The statuses after which a run changes no more. */
export const FINAL_RUN_STATUSES = ["Succeeded", "Failed", "Cancelled"] as const;
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];

/** A pipeline run as Pipeline Runs - Get reports it. */
export interface PipelineRunInfo {
  runId: string;
  /** Queued, InProgress, Succeeded, Failed, Canceling or Cancelled. */
  status: string;
  message?: string;
  runStart?: Date;
  runEnd?: Date;
  durationMs?: number;
}

/** How waiting for a run ended. */
export type WaitOutcome =
  | { kind: "finished"; run: PipelineRunInfo & { status: FinalRunStatus } }
  /** The timeout passed first; the run is left as it is. */
  | { kind: "timedOut"; run: PipelineRunInfo | undefined }
  /** The signal aborted the wait (Ctrl-C); the run is left as it is. */
  | { kind: "interrupted"; run: PipelineRunInfo | undefined };

/** The activity that made a run fail, with the service's error and, when recognised, plain words. */
export interface ActivityFailure {
  activityName: string;
  activityType?: string;
  errorCode?: string;
  message?: string;
  failureType?: string;
  graphDataConnect?: GraphDataConnectExplanation;
}

/** The declared parameters of the pipeline (Pipelines - Get). @throws DropError PIPELINE_UNAVAILABLE */
export async function readPipelineParameters(client: DataFactoryManagementClient, target: PipelineTarget, signal?: AbortSignal): Promise<Record<string, { defaultValue?: unknown }>> {
  try {
    const pipeline = await client.pipelines.get(target.resourceGroupName, target.factoryName, target.pipelineName, { abortSignal: signal });
    return (pipeline.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw unavailable(target, "cannot read the pipeline", error);
  }
}

/** Pipelines - Create Run with only `parameters`; returns the run id. @throws DropError PIPELINE_UNAVAILABLE */
export async function createPipelineRun(client: DataFactoryManagementClient, target: PipelineTarget, parameters: PipelineRunParameters): Promise<string> {
  try {
    const { runId } = await client.pipelines.createRun(target.resourceGroupName, target.factoryName, target.pipelineName, { parameters });
    return runId;
  } catch (error) {
    throw unavailable(target, "cannot start a run", error);
  }
}

/** Options of {@link waitForPipelineRun}. */
export interface WaitOptions {
  timing: PollTiming;
  /** Stop waiting after this long (measured with `timing.now`). */
  timeoutMs: number;
  /** Aborting it (Ctrl-C) ends the wait with `interrupted`. */
  signal?: AbortSignal;
  /** Called with each status the run reports for the first time (Queued, InProgress…). */
  onStatus?: (run: PipelineRunInfo) => void;
}

/**
 * Polls Pipeline Runs - Get until the run is Succeeded, Failed or Cancelled, the timeout passes or the
 * signal aborts. The waits between polls grow (see {@link PollTiming}); a poll that still fails with
 * throttling or a server error after the SDK's retries is repeated after at least its Retry-After.
 * @throws DropError PIPELINE_UNAVAILABLE for other failures (access denied, run not found) or after
 *   `timing.maxTransientFailures` failed polls in a row.
 */
export async function waitForPipelineRun(client: DataFactoryManagementClient, target: PipelineTarget, runId: string, options: WaitOptions): Promise<WaitOutcome> {
  const { timing, signal } = options;
  const deadline = timing.now() + options.timeoutMs;
  let interval = timing.initialIntervalMs;
  let wait = interval;
  let last: PipelineRunInfo | undefined;
  let failures = 0;
  for (;;) {
    const remaining = deadline - timing.now();
    if (remaining <= 0) return { kind: "timedOut", run: last };
    try {
      await timing.sleep(Math.min(wait, remaining), signal);
    } catch (error) {
      if (signal?.aborted) return { kind: "interrupted", run: last };
      throw error;
    }
    if (signal?.aborted) return { kind: "interrupted", run: last };
    let run: PipelineRunInfo;
    try {
      run = toRunInfo(await client.pipelineRuns.get(target.resourceGroupName, target.factoryName, runId, { abortSignal: signal }), runId);
      failures = 0;
    } catch (error) {
      if (signal?.aborted) return { kind: "interrupted", run: last };
      failures += 1;
      if (!isTransientPollError(error) || failures > timing.maxTransientFailures) throw unavailable(target, `cannot read run ${runId}`, error);
      interval = nextInterval(interval, timing);
      wait = Math.max(interval, retryAfterMs(error, timing.now()) ?? 0);
      continue;
    }
    if (run.status !== last?.status) options.onStatus?.(run);
    last = run;
    if (isFinal(run)) return { kind: "finished", run };
    interval = nextInterval(interval, timing);
    wait = interval;
  }
}

/** Pipeline Runs - Cancel (recursively: child runs too). @throws DropError PIPELINE_UNAVAILABLE */
export async function cancelPipelineRun(client: DataFactoryManagementClient, target: PipelineTarget, runId: string): Promise<void> {
  try {
    await client.pipelineRuns.cancel(target.resourceGroupName, target.factoryName, runId, { isRecursive: true });
  } catch (error) {
    throw unavailable(target, `cannot cancel run ${runId}`, error);
  }
}

/**
 * The failed activity of a run from Activity Runs - Query By Pipeline Run (every page, following the
 * continuation token): the one that ended last among the failed ones (a copy retried by its policy
 * fails once per attempt), with plain words for Graph Data Connect errors. Undefined when none failed.
 */
export async function findFailedActivity(client: DataFactoryManagementClient, target: PipelineTarget, run: PipelineRunInfo, nowMs: number): Promise<ActivityFailure | undefined> {
  const window = {
    // Activity runs are filtered by when they were last updated: the run's whole life, with a margin.
    lastUpdatedAfter: new Date((run.runStart?.getTime() ?? nowMs) - DAY_MS),
    lastUpdatedBefore: new Date(Math.max(run.runEnd?.getTime() ?? 0, nowMs) + DAY_MS),
  };
  const failed: ActivityRun[] = [];
  let continuationToken: string | undefined;
  try {
    do {
      const page = await client.activityRuns.queryByPipelineRun(target.resourceGroupName, target.factoryName, run.runId, { ...window, continuationToken });
      failed.push(...page.value.filter((activity) => activity.status === "Failed"));
      continuationToken = page.continuationToken || undefined;
    } while (continuationToken);
  } catch (error) {
    throw unavailable(target, `cannot read the activity runs of run ${run.runId}`, error);
  }
  const last = failed.sort((a, b) => (b.activityRunEnd?.getTime() ?? 0) - (a.activityRunEnd?.getTime() ?? 0))[0];
  if (!last) return undefined;
  const error = (last.error ?? {}) as { errorCode?: unknown; message?: unknown; failureType?: unknown };
  const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const failure: ActivityFailure = {
    activityName: last.activityName ?? "(unnamed activity)",
    activityType: text(last.activityType),
    errorCode: text(error.errorCode),
    message: text(error.message),
    failureType: text(error.failureType),
  };
  const explanation = explainGraphDataConnectError(`${failure.errorCode ?? ""} ${failure.message ?? ""} ${run.message ?? ""}`);
  if (explanation) failure.graphDataConnect = explanation;
  return failure;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function isFinal(run: PipelineRunInfo): run is PipelineRunInfo & { status: FinalRunStatus } {
  return (FINAL_RUN_STATUSES as readonly string[]).includes(run.status);
}

function toRunInfo(run: PipelineRun, runId: string): PipelineRunInfo {
  return {
    runId: run.runId ?? runId,
    status: run.status ?? "Unknown",
    message: run.message || undefined,
    runStart: run.runStart,
    runEnd: run.runEnd,
    durationMs: run.durationInMs ?? undefined,
  };
}

function unavailable(target: PipelineTarget, what: string, error: unknown): DropError {
  if (error instanceof DropError) return error;
  const status = statusCodeOf(error);
  const hint = status === 404 ? " (not found: check the factory, pipeline and resource group in the stack outputs)" : "";
  return new DropError("PIPELINE_UNAVAILABLE", `${describeTarget(target)}: ${what}: ${describeDataFactoryFailure(error)}${hint}`, { cause: error });
}
