import { afterEach, describe, expect, it, vi } from "vitest";
import { staticCredential } from "../../tests/providers/http-recorder";
import type { AzureClientOptions, PipelineTarget } from "../src/data-factory";
import { type DropError, isDropError } from "../src/errors";
import type { IngestSummary } from "../src/ingest/types";
import type { IngestDrops } from "../src/run/ingest-step";
import { type RunEvent, type RunTenantOptions, runTenantPipeline } from "../src/run/run-tenant";
import { fakeClock } from "./support/fake-clock";
import { FakeDataFactoryRuns, type ScriptedRun } from "./support/fake-data-factory-runs";

const SUBSCRIPTION = "00000000-0000-4000-8000-0000000000aa";
const TARGET: PipelineTarget = { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-viva-prod", factoryName: "adf-viva-prod-8f1c2d3e", pipelineName: "ExportO365DataEvents" };
const RUNS = `pipelineruns/`;
const NOW = Date.parse("2026-03-02T03:00:00Z");

function setup(script?: ScriptedRun, retryOptions: { maxRetries?: number } = { maxRetries: 0 }) {
  const adf = new FakeDataFactoryRuns();
  adf.addPipeline(TARGET.factoryName);
  if (script) adf.nextRuns.push(script);
  const clock = fakeClock(NOW);
  const azure: AzureClientOptions = { credential: staticCredential(), dataFactoryClientOptions: { httpClient: adf.httpClient, retryOptions } };
  const events: RunEvent[] = [];
  const options = (extra: Partial<RunTenantOptions> = {}): RunTenantOptions => ({
    target: TARGET,
    azure,
    timing: { sleep: clock.sleep, now: clock.now },
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return { adf, clock, options, events };
}

async function usageError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDropError(error, "USAGE"), String(error)).toBe(true);
  return (error as Error).message;
}

describe("runTenantPipeline: a run that succeeds", () => {
  it("reads the pipeline, creates a run with only the given parameters and polls with a growing interval until Succeeded", async () => {
    const { adf, clock, options, events } = setup({ statuses: ["Queued", "InProgress", "InProgress", "Succeeded"] });

    const result = await runTenantPipeline(options({ parameters: { aggregation: "Month", lookbackDays: "40" } }));

    expect(result.outcome.kind).toBe("finished");
    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Succeeded");
    expect(adf.calls()).toEqual([
      `GET ${TARGET.factoryName}/pipelines/ExportO365DataEvents`,
      `POST ${TARGET.factoryName}/pipelines/ExportO365DataEvents/createRun`,
      ...Array(4).fill(`GET ${TARGET.factoryName}/${RUNS}${result.runId}`),
    ]);
    expect(adf.requests[1].body).toEqual({ DefaultLookbackWindowDays: 40, AggregationType: "Month" });
    expect(clock.waits).toEqual([15_000, 22_500, 33_750, 50_625]);
    expect(events.map((e) => (e.type === "status" ? e.run.status : e.type))).toEqual(["started", "Queued", "InProgress", "Succeeded"]);
    expect(result.failure).toBeUndefined();
  });

  it("sends no parameters at all when none are given, so every default of the pipeline applies", async () => {
    const { adf, options } = setup();
    await runTenantPipeline(options());
    expect(adf.requests[1].body).toEqual({});
  });

  it("sends dates as ISO 8601 UTC date-times, as the pipeline expects them", async () => {
    const { adf, options } = setup();
    await runTenantPipeline(options({ parameters: { start: "2026-01-05", end: "2026-02-02T01:00:00+01:00" } }));
    expect(adf.requests[1].body).toEqual({ RequestStartDate: "2026-01-05T00:00:00Z", RequestEndDate: "2026-02-02T00:00:00Z" });
  });

  it("with wait false returns the run id right after Create Run, without polling", async () => {
    const { adf, options } = setup();
    const result = await runTenantPipeline(options({ wait: false }));
    expect(result.outcome).toEqual({ kind: "started" });
    expect(adf.calls()).toHaveLength(2);
    expect(adf.runs[0].runId).toBe(result.runId);
  });
});

describe("runTenantPipeline: failed and cancelled runs", () => {
  it("goes Queued → InProgress → Failed and reports the last failed activity, read over every page, in plain words", async () => {
    const consentPending = "ErrorCode=UserErrorOffice365DataLoaderError,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,Message=Office 365 data loader failed: Consent Pending";
    const { adf, options } = setup({
      statuses: ["Queued", "InProgress", "Failed"],
      message: "Operation on target CopyPersonReport failed: Consent Pending",
      activities: [
        { activityName: "CopyUsers", status: "Succeeded", endedAfterMinutes: 10 },
        { activityName: "CopyPersonReport", status: "Failed", endedAfterMinutes: 20, error: { errorCode: "2200", message: "first attempt: transient", failureType: "SystemError" } },
        { activityName: "CopyPersonReport", status: "Failed", endedAfterMinutes: 40, error: { errorCode: "2200", message: consentPending, failureType: "UserError" } },
      ],
    });
    adf.pageSize = 1;

    const result = await runTenantPipeline(options());

    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Failed");
    expect(result.failure).toMatchObject({ activityName: "CopyPersonReport", activityType: "Copy", errorCode: "2200", message: consentPending, failureType: "UserError" });
    expect(result.failure?.graphDataConnect?.cause).toBe("consentPending");
    const queries = adf.requests.filter((r) => r.path.endsWith("/queryActivityruns"));
    expect(queries.map((r) => (r.body as { continuationToken?: string }).continuationToken)).toEqual([undefined, "page-1", "page-2"]);
    const window = queries[0].body as { lastUpdatedAfter: string; lastUpdatedBefore: string };
    expect(Date.parse(window.lastUpdatedAfter)).toBeLessThan(NOW);
    expect(Date.parse(window.lastUpdatedBefore)).toBeGreaterThan(NOW + 47 * 60_000);
  });

  it("reports a run cancelled by someone else as finished Cancelled, without reading activities", async () => {
    const { adf, options } = setup({ statuses: ["Queued", "Canceling", "Cancelled"] });
    const result = await runTenantPipeline(options());
    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Cancelled");
    expect(adf.calls().some((c) => c.includes("queryActivityruns"))).toBe(false);
  });

  it("on an interrupt asks, and cancels the run recursively when told to, then waits until it is Cancelled", async () => {
    const { adf, options } = setup({ statuses: ["Queued", "InProgress", "InProgress", "InProgress"] });
    const interrupt = new AbortController();
    const asked: string[] = [];
    const result = await runTenantPipeline(
      options({
        signal: interrupt.signal,
        onEvent: (event) => event.type === "status" && event.run.status === "InProgress" && interrupt.abort(),
        onInterrupt: async (runId, run) => {
          asked.push(`${runId} ${run?.status}`);
          return "cancel";
        },
      }),
    );
    expect(asked).toEqual([`${result.runId} InProgress`]);
    const cancel = adf.requests.find((r) => r.path.endsWith("/cancel"));
    expect(cancel?.url.searchParams.get("isRecursive")).toBe("true");
    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Cancelled");
  });

  it("leaves the run alone when the interrupt is answered with leave (the default without a prompt)", async () => {
    const { adf, options } = setup({ statuses: ["Queued", "InProgress"] });
    const interrupt = new AbortController();
    const result = await runTenantPipeline(options({ signal: interrupt.signal, onEvent: (e) => e.type === "status" && interrupt.abort() }));
    expect(result.outcome.kind).toBe("left");
    expect(adf.calls().some((c) => c.endsWith("/cancel"))).toBe(false);
  });

  it("creates no run when interrupted before Create Run", async () => {
    const { adf, options } = setup();
    const interrupt = new AbortController();
    interrupt.abort();
    const error = await runTenantPipeline(options({ signal: interrupt.signal })).catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
    expect(adf.calls().filter((c) => c.includes("createRun"))).toHaveLength(0);
  });

  it("stops waiting at the timeout and leaves the run running", async () => {
    const { adf, clock, options } = setup({ statuses: ["Queued", "InProgress"] });
    const result = await runTenantPipeline(options({ timeoutMs: 10 * 60_000 }));
    expect(result.outcome).toMatchObject({ kind: "timedOut", run: { status: "InProgress" } });
    expect(clock.now() - NOW).toBe(10 * 60_000);
    expect(clock.waits.at(-1)).toBeLessThanOrEqual(120_000);
    expect(adf.calls().some((c) => c.endsWith("/cancel"))).toBe(false);
  });
});

describe("runTenantPipeline: throttling and service errors", () => {
  afterEach(() => vi.useRealTimers());

  it("lets the SDK retry a throttled Create Run after exactly the Retry-After it was given", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { adf, options } = setup(undefined, { maxRetries: 3 });
    adf.failNext((r) => r.path.endsWith("/createRun"), { status: 429, headers: { "retry-after": "7" }, body: { error: { code: "TooManyRequests", message: "Too many requests" } } });

    const running = runTenantPipeline(options({ wait: false }));
    const createRuns = () => adf.requests.filter((r) => r.path.endsWith("/createRun")).length;
    await vi.advanceTimersByTimeAsync(6_999);
    expect(createRuns()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const result = await running;
    expect(createRuns()).toBe(2);
    expect(result.outcome.kind).toBe("started");
  });

  it("when a poll is still throttled after the SDK's retries, polls again no sooner than its Retry-After", async () => {
    const { adf, clock, options } = setup({ statuses: ["InProgress", "Succeeded"] });
    adf.failNext((r) => r.method === "GET" && r.path.includes("/pipelineruns/"), { status: 429, headers: { "retry-after": "40" }, body: { error: { code: "TooManyRequests", message: "throttled" } } }, 2);

    const result = await runTenantPipeline(options());

    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Succeeded");
    expect(clock.waits).toEqual([15_000, 40_000, 40_000, 50_625]);
  });

  it("gives up on a run it may not read (403) with the service's code and message", async () => {
    const { adf, options } = setup();
    adf.failNext((r) => r.path.includes("/pipelineruns/"), {
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: "The client 'x' does not have authorization to perform action 'Microsoft.DataFactory/factories/pipelineruns/read'" } },
    });
    const error = await runTenantPipeline(options()).catch((e: unknown) => e);
    expect(isDropError(error, "PIPELINE_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toMatch(/cannot read run .*HTTP 403 AuthorizationFailed: The client 'x' does not have authorization/);
  });

  it("names a missing pipeline plainly before any run is created", async () => {
    const { adf, options } = setup();
    const error = await runTenantPipeline(options({ target: { ...TARGET, pipelineName: "Nope" } })).catch((e: unknown) => e);
    expect(isDropError(error, "PIPELINE_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toMatch(/pipeline Nope in factory adf-viva-prod-8f1c2d3e .*cannot read the pipeline: HTTP 404 PipelineNotFound.*not found: check the factory/);
    expect(adf.calls()).toHaveLength(1);
  });
});

describe("runTenantPipeline: parameters are checked with the config's rules before any call", () => {
  it.each([
    [{ start: "2026-02-30" }, 'start "2026-02-30": must be an ISO 8601 date (2027-06-30) or date-time with a zone (2027-06-30T00:00:00Z)'],
    [{ end: "2026-01-05T00:00:00" }, 'end "2026-01-05T00:00:00": must be an ISO 8601 date'],
    [{ lookbackDays: "0" }, 'lookbackDays "0": must be a whole number from 1 to 365'],
    [{ lookbackDays: "7.5" }, 'lookbackDays "7.5": must be a whole number from 1 to 365'],
    [{ aggregation: "week" }, 'aggregation "week": must be one of Day, Week, Month'],
    [{ start: "2026-02-01", end: "2026-01-01" }, 'end "2026-01-01": must be after start'],
    [{ start: "2026-02-01", end: "2026-02-05", aggregation: "Week" }, 'end "2026-02-05": must be at least one week after start for aggregation Week'],
    [{ start: "2026-01-31", end: "2026-02-28", aggregation: "Month" }, 'end "2026-02-28": must be at least one month after start for aggregation Month'],
    [{ lookbackDays: "20", aggregation: "Month" }, 'lookbackDays "20": must be at least 31 days for aggregation Month (the window must cover one aggregation period)'],
    [{ lookbackDays: "20", start: "2026-01-01" }, 'lookbackDays "20": has no effect together with start'],
    [{ start: "2026-03-05" }, 'start "2026-03-05": must be in the past'],
    [{ start: "2026-02-27", aggregation: "Week" }, 'start "2026-02-27": must be at least one week before now for aggregation Week'],
  ])("%j is refused with one line and no HTTP request", async (parameters, message) => {
    const { adf, options } = setup();
    expect(await usageError(runTenantPipeline(options({ parameters })))).toContain(message);
    expect(adf.requests).toHaveLength(0);
  });

  it("checks the window the run will use against the pipeline's defaults before Create Run", async () => {
    const { adf, options } = setup();
    adf.addPipeline(TARGET.factoryName, { DefaultLookbackWindowDays: 14, AggregationType: "Week" });
    expect(await usageError(runTenantPipeline(options({ parameters: { aggregation: "Month" } })))).toBe(
      "the pipeline's default DefaultLookbackWindowDays (14): must be at least 31 days for aggregation Month (the window must cover one aggregation period); give lookbackDays to override it",
    );
    adf.addPipeline(TARGET.factoryName, { AggregationType: "Month", DefaultLookbackWindowDays: 31 });
    expect(await usageError(runTenantPipeline(options({ parameters: { lookbackDays: "20" } })))).toBe(
      'lookbackDays "20": must be at least 31 days for the pipeline\'s default AggregationType Month (the window must cover one aggregation period)',
    );
    adf.addPipeline(TARGET.factoryName, { RequestStartDate: "2026-01-01T00:00:00Z", RequestEndDate: "2026-02-01T00:00:00Z" });
    expect(await usageError(runTenantPipeline(options({ parameters: { lookbackDays: "30" } })))).toContain(
      "has no effect: the pipeline's default RequestStartDate (2026-01-01T00:00:00Z) applies; give start instead",
    );
    expect(adf.calls().filter((c) => c.includes("createRun"))).toHaveLength(0);
  });

  it("refuses a pipeline that does not declare a parameter it would send", async () => {
    const { adf, options } = setup();
    adf.pipelines.get(TARGET.factoryName)!.parameters = { RequestStartDate: { type: "String", defaultValue: "" } };
    const error = await runTenantPipeline(options({ parameters: { aggregation: "Week" } })).catch((e: unknown) => e);
    expect((error as Error).message).toContain("has no parameter AggregationType (is it the viva-partner export pipeline?)");
    expect(adf.calls().filter((c) => c.includes("createRun"))).toHaveLength(0);
  });
});

describe("runTenantPipeline with ingest", () => {
  const CONTAINER = "https://stvivaprodweu.blob.core.windows.net/8f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f";

  function fakeIngest(summary: (runFolders: string[]) => Partial<IngestSummary>) {
    const calls: Parameters<IngestDrops>[] = [];
    const ingestDrops: IngestDrops = async (...args) => {
      calls.push(args);
      return { drops: [], loaded: 0, alreadyLoaded: 0, failed: 0, rejected: 0, rows: 0, seconds: 0, ...summary(args[3]?.runFolders ?? []) };
    };
    return { calls, ingestDrops };
  }

  const loadedAll = (runFolders: string[]) => ({
    drops: runFolders.map((runFolder) => ({ tenantId: "t", runFolder, dataset: "x", status: "loaded" as const, rows: 5 })),
    loaded: runFolders.length,
  });

  it("ingests the run's drop folders (person report and users) from the tenant container after Succeeded", async () => {
    const { options } = setup();
    const ingest = fakeIngest(loadedAll);
    const keyOptions = { keyVaultUrl: "https://kv-viva.vault.azure.net/" };
    const signal = new AbortController().signal;
    const result = await runTenantPipeline(options({ signal, ingest: { container: CONTAINER, sink: "viva.duckdb", keyOptions, usersDataset: true, ingestDrops: ingest.ingestDrops } }));
    expect(ingest.calls).toEqual([[CONTAINER, "viva.duckdb", keyOptions, { signal, runFolders: [result.runId, `${result.runId}-users`] }]]);
    expect(result.ingest?.loaded).toBe(2);
  });

  it("does not ingest after a failed run", async () => {
    const { options } = setup({ statuses: ["Failed"], activities: [] });
    const ingest = fakeIngest(loadedAll);
    const result = await runTenantPipeline(options({ ingest: { container: CONTAINER, sink: "viva.duckdb", keyOptions: {}, usersDataset: false, ingestDrops: ingest.ingestDrops } }));
    expect(result.outcome.kind === "finished" && result.outcome.run.status).toBe("Failed");
    expect(ingest.calls).toHaveLength(0);
  });

  it("fails when the run's folder holds no drop, or ingest could not load one", async () => {
    const { options } = setup();
    const none = fakeIngest(() => ({}));
    const missing = await runTenantPipeline(options({ ingest: { container: CONTAINER, sink: "viva.duckdb", keyOptions: {}, usersDataset: false, ingestDrops: none.ingestDrops } })).catch((e: unknown) => e);
    expect(isDropError(missing, "DATA_MISSING")).toBe(true);
    expect((missing as Error).message).toMatch(/succeeded but .* holds no drop in .*\//);

    const { options: again } = setup();
    const rejected = fakeIngest((folders) => ({ drops: [{ tenantId: "t", runFolder: folders[0], dataset: "x", status: "rejected", rows: 0, reason: "column name too long" }], rejected: 1 }));
    const error = await runTenantPipeline(again({ ingest: { container: CONTAINER, sink: "viva.duckdb", keyOptions: {}, usersDataset: false, ingestDrops: rejected.ingestDrops } })).catch((e: unknown) => e);
    expect(isDropError(error, "DROP_REJECTED")).toBe(true);
    expect((error as DropError).exitCode).toBe(5);
    expect((error as Error).message).toMatch(/succeeded but ingest rejected its drop: .* \(column name too long\)/);

    const { options: third } = setup();
    const failed = fakeIngest((folders) => ({ drops: [{ tenantId: "t", runFolder: folders[0], dataset: "x", status: "failed", rows: 0, reason: "Errors: consent pending" }], failed: 1 }));
    const failure = await runTenantPipeline(third({ ingest: { container: CONTAINER, sink: "viva.duckdb", keyOptions: {}, usersDataset: false, ingestDrops: failed.ingestDrops } })).catch((e: unknown) => e);
    expect(isDropError(failure, "RUN_FAILED")).toBe(true);
    expect((failure as DropError).exitCode).toBe(3);
    expect((failure as Error).message).toMatch(/succeeded but its drop reports a failed copy: .* \(Errors: consent pending\)/);
  });
});
