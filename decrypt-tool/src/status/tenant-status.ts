import type { DataFactoryManagementClient, PipelineRun } from "@azure/arm-datafactory";
import type { KeyClient } from "@azure/keyvault-keys";
import { describeAzureFailure } from "../azure-errors";
import { describeDataFactoryFailure } from "../data-factory";
import { describeError, isDropError } from "../errors";
import type { LedgerRow } from "../ingest/sinks/sink";
import type { DropListing } from "../list-drops";
import { FINAL_RUN_STATUSES } from "../run/pipeline-run";
import type { StackOutputs, TenantOutputs } from "../stack-outputs";

/** A pipeline run, as status shows it. */
export interface RunSummary {
  runId: string;
  status: string;
  runStart?: string;
  runEnd?: string;
  durationMs?: number;
}

/** One tenant's health. Fields are undefined when unknown; `error` fields say why. */
export interface TenantStatus {
  tenantId: string;
  label?: string;
  trigger: { name: string; runtimeState?: string; paused: boolean; error?: string };
  /** The newest run, and the newest run that ended (the same unless one is in progress). */
  runs: { last?: RunSummary; lastFinished?: RunSummary; error?: string };
  drop: { last?: { runFolder: string; completedAt?: string; failed: boolean; loaded?: boolean }; note?: string; error?: string };
  key: { name: string; expiresOn?: string; daysLeft?: number; enabled?: boolean; error?: string };
  secret: { endDate: string; daysLeft: number };
  /** Why the tenant needs action; empty when healthy. */
  problems: string[];
}

/** Where status looks and how (injected by tests; the CLI passes the real ones). */
export interface TenantStatusSources {
  dataFactory: DataFactoryManagementClient;
  keys: KeyClient;
  listDrops: (containerUrl: string) => Promise<DropListing[]>;
  /** The sink's ledger (Sink.ledger) when a sink is given. */
  ledger?: (tenantId: string) => Promise<Map<string, LedgerRow>>;
}

/** The thresholds of "needs action". */
export interface HealthRules {
  /** A key or secret expiring within this many days needs action. Default 30. */
  expiryWarningDays: number;
  /** No drop for longer than this needs action (a weekly trigger delivers one every 7 days). Default 8. */
  staleDropDays: number;
  /** How far back pipeline runs are looked for (Data Factory keeps 45 days). */
  runHistoryDays: number;
}

export const DEFAULT_HEALTH_RULES: HealthRules = { expiryWarningDays: 30, staleDropDays: 8, runHistoryDays: 45 };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Pages of Query By Factory read at most while looking for the last finished run. */
const MAX_RUN_PAGES = 20;

/** Collects one tenant's status: trigger, runs, drops, key, in parallel; failures become problems, never exceptions. */
export async function tenantStatus(
  outputs: StackOutputs,
  tenantId: string,
  tenant: TenantOutputs,
  sources: TenantStatusSources,
  now: Date,
  rules: HealthRules = DEFAULT_HEALTH_RULES,
): Promise<TenantStatus> {
  const [trigger, runs, drop, key] = await Promise.all([
    readTrigger(outputs, tenant, sources.dataFactory),
    readRuns(outputs, tenant, sources.dataFactory, now, rules),
    readLastDrop(tenantId, tenant, sources),
    readKey(tenant, sources.keys, now),
  ]);
  const secretEnd = Date.parse(outputs.appSecretEndDate);
  const status: TenantStatus = {
    tenantId,
    label: tenant.label ?? undefined,
    trigger,
    runs,
    drop,
    key,
    secret: { endDate: outputs.appSecretEndDate, daysLeft: daysBetween(now.getTime(), secretEnd) },
    problems: [],
  };
  status.problems = problemsOf(status, now, rules);
  return status;
}

/** Why a tenant needs action (the rules of issue 12), in the order a reader should fix them. */
export function problemsOf(status: TenantStatus, now: Date, rules: HealthRules = DEFAULT_HEALTH_RULES): string[] {
  const problems: string[] = [];
  const { trigger, runs, drop, key, secret } = status;
  if (runs.error) problems.push(`pipeline runs: ${runs.error}`);
  else if (runs.lastFinished?.status === "Failed") problems.push(`last run failed${runs.lastFinished.runEnd ? ` (${runs.lastFinished.runEnd.slice(0, 10)})` : ""}`);
  if (trigger.error) problems.push(`trigger: ${trigger.error}`);
  else if (trigger.runtimeState === "Stopped" && !trigger.paused) problems.push("trigger stopped but the tenant is not paused");
  else if (trigger.runtimeState === "Started" && trigger.paused) problems.push("trigger started but the tenant is paused");
  if (key.error) problems.push(`key: ${key.error}`);
  else if (key.enabled === false) problems.push("key disabled");
  else if (key.expiresOn === undefined) problems.push("key has no expiry date (Graph Data Connect needs one)");
  else problems.push(...expiry("key", key.daysLeft!, rules));
  problems.push(...expiry("client secret", secret.daysLeft, rules));
  if (drop.error) problems.push(`drops: ${drop.error}`);
  else if (!trigger.paused) {
    const completed = drop.last?.completedAt ? Date.parse(drop.last.completedAt) : undefined;
    if (!drop.last) problems.push(`no drop yet${drop.note ? ` (${drop.note})` : ""}`);
    else if (completed !== undefined && now.getTime() - completed > rules.staleDropDays * DAY_MS) problems.push(`no drop for ${Math.floor((now.getTime() - completed) / DAY_MS)} days`);
  }
  if (drop.last?.failed) problems.push("last drop reports a failed run");
  else if (drop.last?.loaded === false) problems.push("last drop not loaded into the sink");
  return problems;
}

function expiry(what: string, daysLeft: number, rules: HealthRules): string[] {
  if (daysLeft < 0) return [`${what} expired`];
  if (daysLeft < rules.expiryWarningDays) return [`${what} expires in ${daysLeft} days`];
  return [];
}

async function readTrigger(outputs: StackOutputs, tenant: TenantOutputs, client: DataFactoryManagementClient): Promise<TenantStatus["trigger"]> {
  const trigger: TenantStatus["trigger"] = { name: tenant.trigger, paused: tenant.paused };
  try {
    trigger.runtimeState = (await client.triggers.get(outputs.resourceGroupName, tenant.factory, tenant.trigger)).properties.runtimeState;
  } catch (error) {
    trigger.error = describeDataFactoryFailure(error);
  }
  return trigger;
}

/**
 * Pipeline Runs - Query By Factory for the tenant's pipeline, newest first, following continuation
 * tokens until a run that ended is found.
 */
async function readRuns(outputs: StackOutputs, tenant: TenantOutputs, client: DataFactoryManagementClient, now: Date, rules: HealthRules): Promise<TenantStatus["runs"]> {
  const runs: TenantStatus["runs"] = {};
  const filter = {
    lastUpdatedAfter: new Date(now.getTime() - rules.runHistoryDays * DAY_MS),
    lastUpdatedBefore: now,
    filters: [{ operand: "PipelineName", operator: "Equals", values: [tenant.pipeline] }],
    orderBy: [{ orderBy: "RunStart", order: "DESC" }],
  };
  try {
    let continuationToken: string | undefined;
    for (let page = 0; page < MAX_RUN_PAGES; page++) {
      const response = await client.pipelineRuns.queryByFactory(outputs.resourceGroupName, tenant.factory, { ...filter, continuationToken });
      for (const run of response.value) {
        runs.last ??= summarize(run);
        if ((FINAL_RUN_STATUSES as readonly (string | undefined)[]).includes(run.status)) {
          runs.lastFinished = summarize(run);
          return runs;
        }
      }
      continuationToken = response.continuationToken || undefined;
      if (!continuationToken) break;
    }
  } catch (error) {
    runs.error = describeDataFactoryFailure(error);
  }
  return runs;
}

function summarize(run: PipelineRun): RunSummary {
  return {
    runId: run.runId ?? "?",
    status: run.status ?? "Unknown",
    runStart: run.runStart?.toISOString(),
    runEnd: run.runEnd?.toISOString(),
    durationMs: run.durationInMs ?? undefined,
  };
}

/**
 * The newest person report drop in the tenant's container (users drops ride along with it), by
 * JobCompletionTime, and whether the sink's ledger has it loaded. An empty or missing container is
 * "no drop yet", not an error.
 */
async function readLastDrop(tenantId: string, tenant: TenantOutputs, sources: TenantStatusSources): Promise<TenantStatus["drop"]> {
  let listings: DropListing[];
  try {
    listings = await sources.listDrops(tenant.containerUrl);
  } catch (error) {
    if (isDropError(error, "SOURCE_NOT_FOUND")) return { note: describeError(error) };
    return { error: describeError(error) };
  }
  const readable = listings.filter((drop) => !drop.problem);
  const reports = readable.filter((drop) => !/User_v\d/.test(drop.tableName ?? ""));
  const candidates = reports.length > 0 ? reports : readable;
  const newest = [...candidates].sort((a, b) => completion(b) - completion(a))[0];
  if (!newest) return listings.length > 0 ? { note: `${listings.length} unreadable drop folders` } : {};
  const last: NonNullable<TenantStatus["drop"]["last"]> = { runFolder: newest.runFolder, completedAt: newest.jobCompletionTime, failed: Boolean(newest.errors) };
  if (sources.ledger) {
    try {
      last.loaded = (await sources.ledger(tenantId)).get(newest.runFolder)?.status === "loaded";
    } catch (error) {
      return { last, error: `sink ledger: ${describeError(error)}` };
    }
  }
  return { last };
}

function completion(drop: DropListing): number {
  const ms = drop.jobCompletionTime ? Date.parse(drop.jobCompletionTime) : Number.NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

async function readKey(tenant: TenantOutputs, keys: KeyClient, now: Date): Promise<TenantStatus["key"]> {
  const key: TenantStatus["key"] = { name: tenant.keyName };
  try {
    const { properties } = await keys.getKey(tenant.keyName);
    key.enabled = properties.enabled;
    if (properties.expiresOn) {
      key.expiresOn = properties.expiresOn.toISOString();
      key.daysLeft = daysBetween(now.getTime(), properties.expiresOn.getTime());
    }
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    key.error = status === 404 ? "not found in the vault" : describeAzureFailure(error, "Azure Key Vault");
  }
  return key;
}

function daysBetween(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}
