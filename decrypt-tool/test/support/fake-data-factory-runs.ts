// An in-memory ARM endpoint for the Data Factory calls of `run` and `status`, answering with the shapes of
// Microsoft's REST examples (azure-rest-api-specs, datafactory 2018-06-01: Pipelines_Get, Pipelines_CreateRun,
// PipelineRuns_Get, PipelineRuns_Cancel, PipelineRuns_QueryByFactory, ActivityRuns_QueryByPipelineRun,
// Triggers_Get). The real DataFactoryManagementClient talks to it through `httpClient`.
import { randomUUID } from "node:crypto";
import { FakeService, azureError, type FakeResponse, type RecordedRequest } from "../../../tests/providers/http-recorder";

const FACTORY = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataFactory\/factories\/([^/]+)(\/.*)?$/i;

/** A pipeline run the fake serves: its states in order (each poll moves one step on) and what it ends with. */
export interface ScriptedRun {
  /** Statuses reported by successive Pipeline Runs - Get, e.g. ["Queued", "InProgress", "Failed"]; the last one stays. */
  statuses: string[];
  message?: string;
  /** Activity runs of the run (Activity Runs - Query By Pipeline Run). */
  activities?: FakeActivityRun[];
}

export interface FakeActivityRun {
  activityName: string;
  activityType?: string;
  status: string;
  error?: { errorCode: string; message: string; failureType?: string };
  /** Minutes after the run's start the activity ended. */
  endedAfterMinutes?: number;
}

/** A run that exists already (for Query By Factory), as the service reports it. */
export interface SeededRun {
  runId?: string;
  pipelineName: string;
  status: string;
  runStart: string;
  runEnd?: string;
  message?: string;
}

interface StoredRun {
  factory: string;
  runId: string;
  pipelineName: string;
  parameters: Record<string, unknown>;
  script: ScriptedRun;
  step: number;
  runStart: number;
  cancelRequested: boolean;
  seeded?: SeededRun;
}

export class FakeDataFactoryRuns extends FakeService {
  /** Pipelines by factory (lower case): declared parameters and their defaults. */
  readonly pipelines = new Map<string, { name: string; parameters: Record<string, { type: string; defaultValue?: unknown }> }>();
  /** Trigger runtime states by factory (lower case) and trigger name. */
  readonly triggers = new Map<string, { name: string; pipelineName: string; runtimeState: "Started" | "Stopped" }>();
  readonly runs: StoredRun[] = [];
  /** Scripts handed to the next runs created, in order. */
  readonly nextRuns: ScriptedRun[] = [];
  /** Page size of the query APIs (continuationToken beyond it). */
  pageSize = 100;
  /** When runs start (createRun), ms since the epoch. */
  clock = Date.parse("2026-03-02T03:00:00Z");

  constructor(private readonly token = "test-token") {
    super();
  }

  /** A viva-partner export pipeline with the seed's parameters. */
  addPipeline(factory: string, defaults: { RequestStartDate?: string; RequestEndDate?: string; DefaultLookbackWindowDays?: number; AggregationType?: string } = {}, name = "ExportO365DataEvents"): void {
    this.pipelines.set(factory.toLowerCase(), {
      name,
      parameters: {
        RequestStartDate: { type: "String", defaultValue: defaults.RequestStartDate ?? "" },
        RequestEndDate: { type: "String", defaultValue: defaults.RequestEndDate ?? "" },
        DefaultLookbackWindowDays: { type: "Int", defaultValue: defaults.DefaultLookbackWindowDays ?? 14 },
        AggregationType: { type: "String", defaultValue: defaults.AggregationType ?? "Week" },
      },
    });
  }

  addTrigger(factory: string, runtimeState: "Started" | "Stopped", name = "WeeklyMondayExport", pipelineName = "ExportO365DataEvents"): void {
    this.triggers.set(factory.toLowerCase(), { name, pipelineName, runtimeState });
  }

  /** A run that already happened, listed by Query By Factory and served by Get. */
  seedRun(factory: string, run: SeededRun): string {
    const runId = run.runId ?? randomUUID();
    this.runs.push({
      factory: factory.toLowerCase(),
      runId,
      pipelineName: run.pipelineName,
      parameters: {},
      script: { statuses: [run.status], message: run.message },
      step: 0,
      runStart: Date.parse(run.runStart),
      cancelRequested: false,
      seeded: { ...run, runId },
    });
    return runId;
  }

  /** The requests as "METHOD path" lines. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path.replace(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DataFactory\/factories\//i, "")}`);
  }

  protected respond(request: RecordedRequest): FakeResponse {
    if (request.authorization !== `Bearer ${this.token}`) return { status: 401, body: azureError("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.") };
    if (request.url.searchParams.get("api-version") !== "2018-06-01") return { status: 400, body: azureError("InvalidApiVersion", "expected 2018-06-01") };
    const failure = this.failures.take(request);
    if (failure) return failure;
    const match = FACTORY.exec(request.path);
    if (!match) return notFound(request);
    const factory = match[3].toLowerCase();
    const rest = match[4] ?? "";
    const route = (pattern: RegExp) => pattern.exec(rest);
    let found: RegExpExecArray | null;
    if (request.method === "GET" && (found = route(/^\/pipelines\/([^/]+)$/i))) return this.getPipeline(factory, decodeURIComponent(found[1]));
    if (request.method === "POST" && (found = route(/^\/pipelines\/([^/]+)\/createRun$/i))) return this.createRun(factory, decodeURIComponent(found[1]), request);
    if (request.method === "GET" && (found = route(/^\/pipelineruns\/([^/]+)$/i))) return this.getRun(factory, found[1]);
    if (request.method === "POST" && (found = route(/^\/pipelineruns\/([^/]+)\/cancel$/i))) return this.cancel(factory, found[1]);
    if (request.method === "POST" && (found = route(/^\/pipelineruns\/([^/]+)\/queryActivityruns$/i))) return this.queryActivities(factory, found[1], request);
    if (request.method === "POST" && route(/^\/queryPipelineRuns$/i)) return this.queryRuns(factory, request);
    if (request.method === "GET" && (found = route(/^\/triggers\/([^/]+)$/i))) return this.getTrigger(factory, decodeURIComponent(found[1]), request.path);
    return notFound(request);
  }

  private getPipeline(factory: string, name: string): FakeResponse {
    const pipeline = this.pipelines.get(factory);
    if (!pipeline || pipeline.name !== name) return { status: 404, body: azureError("PipelineNotFound", `Pipeline ${name} not found in factory ${factory}`) };
    return {
      status: 200,
      body: {
        id: `/subscriptions/x/resourceGroups/x/providers/Microsoft.DataFactory/factories/${factory}/pipelines/${name}`,
        name,
        type: "Microsoft.DataFactory/factories/pipelines",
        properties: { activities: [], parameters: pipeline.parameters },
        etag: "1500504f-0000-0200-0000-5cbe090f0000",
      },
    };
  }

  private createRun(factory: string, pipelineName: string, request: RecordedRequest): FakeResponse {
    const pipeline = this.pipelines.get(factory);
    if (!pipeline || pipeline.name !== pipelineName) return { status: 404, body: azureError("PipelineNotFound", `Pipeline ${pipelineName} not found`) };
    const script = this.nextRuns.shift() ?? { statuses: ["Queued", "InProgress", "Succeeded"] };
    const runId = randomUUID();
    this.runs.push({ factory, runId, pipelineName, parameters: (request.body ?? {}) as Record<string, unknown>, script, step: -1, runStart: this.clock, cancelRequested: false });
    return { status: 200, body: { runId } };
  }

  private getRun(factory: string, runId: string): FakeResponse {
    const run = this.find(factory, runId);
    if (!run) return { status: 404, body: azureError("PipelineRunNotFound", `Pipeline run ${runId} does not exist.`) };
    if (!run.seeded) run.step = Math.min(run.step + 1, run.script.statuses.length - 1);
    return { status: 200, body: this.runBody(run) };
  }

  private cancel(factory: string, runId: string): FakeResponse {
    const run = this.find(factory, runId);
    if (!run) return { status: 404, body: azureError("PipelineRunNotFound", `Pipeline run ${runId} does not exist.`) };
    if (!run.cancelRequested) {
      run.cancelRequested = true;
      run.script = { ...run.script, statuses: [...run.script.statuses.slice(0, run.step + 1), "Canceling", "Cancelled"], message: "" };
    }
    return { status: 200 };
  }

  private queryActivities(factory: string, runId: string, request: RecordedRequest): FakeResponse {
    const run = this.find(factory, runId);
    if (!run) return { status: 404, body: azureError("PipelineRunNotFound", `Pipeline run ${runId} does not exist.`) };
    const body = request.body as { lastUpdatedAfter?: string; lastUpdatedBefore?: string; continuationToken?: string };
    if (!body?.lastUpdatedAfter || !body.lastUpdatedBefore) return { status: 400, body: azureError("InvalidRequest", "lastUpdatedAfter and lastUpdatedBefore are required") };
    const activities = (run.script.activities ?? []).map((activity, index) => this.activityBody(run, activity, index));
    return { status: 200, body: this.page(activities, body.continuationToken) };
  }

  private queryRuns(factory: string, request: RecordedRequest): FakeResponse {
    const body = request.body as {
      lastUpdatedAfter?: string;
      lastUpdatedBefore?: string;
      continuationToken?: string;
      filters?: { operand: string; operator: string; values: string[] }[];
      orderBy?: { orderBy: string; order: string }[];
    };
    if (!body?.lastUpdatedAfter || !body.lastUpdatedBefore) return { status: 400, body: azureError("InvalidRequest", "lastUpdatedAfter and lastUpdatedBefore are required") };
    const after = Date.parse(body.lastUpdatedAfter);
    const before = Date.parse(body.lastUpdatedBefore);
    let runs = this.runs.filter((run) => run.factory === factory).map((run) => this.runBody(run));
    runs = runs.filter((run) => Date.parse(String(run.lastUpdated)) >= after && Date.parse(String(run.lastUpdated)) <= before);
    for (const filter of body.filters ?? []) {
      if (filter.operand !== "PipelineName" || filter.operator !== "Equals") return { status: 400, body: azureError("InvalidFilter", `fake supports PipelineName Equals only, got ${filter.operand} ${filter.operator}`) };
      runs = runs.filter((run) => filter.values.includes(String(run.pipelineName)));
    }
    const order = body.orderBy?.[0];
    if (order) {
      if (order.orderBy !== "RunStart") return { status: 400, body: azureError("InvalidOrderBy", "fake orders by RunStart only") };
      runs.sort((a, b) => (Date.parse(String(a.runStart)) - Date.parse(String(b.runStart))) * (order.order === "DESC" ? -1 : 1));
    }
    return { status: 200, body: this.page(runs, body.continuationToken) };
  }

  private getTrigger(factory: string, name: string, path: string): FakeResponse {
    const trigger = this.triggers.get(factory);
    if (!trigger || trigger.name !== name) return { status: 404, body: azureError("TriggerNotFound", `Trigger ${name} not found`) };
    return {
      status: 200,
      body: {
        id: path,
        name,
        type: "Microsoft.DataFactory/factories/triggers",
        properties: {
          type: "ScheduleTrigger",
          typeProperties: { recurrence: { frequency: "Week", interval: 1, startTime: "2026-01-05T00:00:00Z", timeZone: "UTC", schedule: { weekDays: ["Monday"], hours: [3], minutes: [0] } } },
          pipelines: [{ pipelineReference: { referenceName: trigger.pipelineName, type: "PipelineReference" } }],
          runtimeState: trigger.runtimeState,
        },
        etag: "1500544f-0000-0200-0000-5cbe09100000",
      },
    };
  }

  private page(items: Record<string, unknown>[], token: string | undefined): Record<string, unknown> {
    const start = token ? Number(token.replace("page-", "")) : 0;
    const value = items.slice(start, start + this.pageSize);
    const next = start + this.pageSize < items.length ? `page-${start + this.pageSize}` : undefined;
    return next ? { value, continuationToken: next } : { value };
  }

  private find(factory: string, runId: string): StoredRun | undefined {
    return this.runs.find((run) => run.factory === factory && run.runId === runId);
  }

  private runBody(run: StoredRun): Record<string, unknown> {
    const status = run.script.statuses[Math.max(run.step, 0)];
    const seeded = run.seeded;
    const finished = ["Succeeded", "Failed", "Cancelled"].includes(status);
    const runEnd = seeded ? (seeded.runEnd ? Date.parse(seeded.runEnd) : undefined) : finished ? run.runStart + 47 * 60_000 : undefined;
    return {
      runId: run.runId,
      runGroupId: run.runId,
      isLatest: true,
      pipelineName: run.pipelineName,
      parameters: Object.fromEntries(Object.entries(run.parameters).map(([key, value]) => [key, String(value)])),
      invokedBy: { id: "80a01654a9d34ad18b3fcac5d5d76b67", name: "Manual", invokedByType: "Manual" },
      runStart: new Date(run.runStart).toISOString(),
      runEnd: runEnd === undefined ? null : new Date(runEnd).toISOString(),
      durationInMs: runEnd === undefined ? null : runEnd - run.runStart,
      status,
      message: status === "Failed" ? (run.script.message ?? "") : "",
      lastUpdated: new Date(runEnd ?? run.runStart).toISOString(),
      annotations: [],
      runDimension: {},
    };
  }

  private activityBody(run: StoredRun, activity: FakeActivityRun, index: number): Record<string, unknown> {
    const start = run.runStart + index * 60_000;
    const end = run.runStart + (activity.endedAfterMinutes ?? 45) * 60_000;
    return {
      activityRunEnd: new Date(end).toISOString(),
      activityName: activity.activityName,
      activityRunStart: new Date(start).toISOString(),
      activityType: activity.activityType ?? "Copy",
      durationInMs: end - start,
      retryAttempt: null,
      error: { errorCode: activity.error?.errorCode ?? "", message: activity.error?.message ?? "", failureType: activity.error?.failureType ?? "", target: activity.activityName },
      activityRunId: randomUUID(),
      input: {},
      linkedServiceName: "",
      output: {},
      userProperties: {},
      pipelineName: run.pipelineName,
      pipelineRunId: run.runId,
      status: activity.status,
    };
  }
}

function notFound(request: RecordedRequest): FakeResponse {
  return { status: 404, body: azureError("NotFound", `fake Data Factory cannot answer ${request.method} ${request.path}`) };
}
