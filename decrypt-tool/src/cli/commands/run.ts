import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { PipelineTarget } from "../../data-factory";
import { DropError, EXIT_CODES, describeError } from "../../errors";
import { GUID_PATTERN } from "../../guid";
import { parseSinkTarget } from "../../ingest/sinks/target";
import type { ParameterNames } from "../../run/parameters";
import type { ActivityFailure, PipelineRunInfo } from "../../run/pipeline-run";
import type { RunEvent, RunIngestOptions, RunTenantResult } from "../../run/run-tenant";
import { formatDuration, parseDuration } from "../duration";
import { addCommonOptions, addKeyOptions, type CommonCliOptions, type KeyCliOptions, keyOptionsFrom, sourceOptionsFrom } from "../options";
import { reportFailure } from "../report";
import { signalExitCode } from "../exit-cleanup";

interface RunCliOptions extends CommonCliOptions, KeyCliOptions {
  tenant: string;
  stackOutputs?: string;
  subscription?: string;
  resourceGroup?: string;
  factory?: string;
  pipeline: string;
  start?: string;
  end?: string;
  lookbackDays?: string;
  aggregation?: string;
  wait: boolean;
  timeout: string;
  ingest?: boolean;
  sink?: string;
  container?: string;
}

/** The flags of the pipeline parameters, for messages. */
const PARAMETER_FLAGS: ParameterNames = { start: "--start", end: "--end", lookbackDays: "--lookback-days", aggregation: "--aggregation" };
const KEY_FLAGS = ["keyVault", "keyName", "keyVersion", "privateKey", "passphraseEnv"] as const;

/** Registers `viva-drop run`: start a tenant's export pipeline, wait for it, optionally ingest its drop. */
export function register(program: Command): void {
  const command = program
    .command("run")
    .description("run a tenant's export pipeline now (the pull model): start it, wait until it ends, optionally ingest its drop")
    .requiredOption("--tenant <guid>", "the customer tenant whose pipeline runs")
    .option("--stack-outputs <file>", "`pulumi stack output --json` of the stack: factory, pipeline, container and vault of each tenant")
    .option("--subscription <id>", "without --stack-outputs: the factory's Azure subscription")
    .option("--resource-group <name>", "without --stack-outputs: the factory's resource group")
    .option("--factory <name>", "without --stack-outputs: the tenant's Data Factory")
    .option("--pipeline <name>", "without --stack-outputs: the pipeline", "ExportO365DataEvents")
    .option("--start <iso>", "RequestStartDate, e.g. 2026-01-05 or 2026-01-05T00:00:00Z (default: the pipeline's)")
    .option("--end <iso>", "RequestEndDate (default: the pipeline's; without one the window ends when the run starts)")
    .option("--lookback-days <n>", "DefaultLookbackWindowDays, 1-365: how far back a run without --start reaches")
    .option("--aggregation <type>", "AggregationType: Day, Week or Month")
    .option("--no-wait", "start the run, print its id and return")
    .option("--timeout <duration>", "stop waiting after this long, e.g. 90m or 12h (the run is left running)", "12h")
    .option("--ingest", "after the run succeeded, ingest its drop folders (<runId>, <runId>-users) into --sink")
    .option("--sink <target>", "with --ingest: *.duckdb, duckdb:<path> or postgres://…")
    .option("--container <url>", "with --ingest: the tenant container or folder to ingest from (default: containerUrl from --stack-outputs)")
    .addHelpText("after", "\nKey options (--key-vault default: vaultUri from --stack-outputs) apply to --ingest.\n");
  addKeyOptions(command);
  addCommonOptions(command);
  command.action(async (options: RunCliOptions) => {
    const subject = `tenant ${options.tenant}`;
    try {
      await runCommand(options, subject);
    } catch (error) {
      reportFailure(error, subject, options.verbose ?? false);
    }
  });
}

async function runCommand(options: RunCliOptions, subject: string): Promise<void> {
  checkFlags(options);
  const timeoutMs = parseDuration(options.timeout, "--timeout");
  const resolved = await resolveTarget(options);
  const ingest = options.ingest ? await ingestOptions(options, resolved) : undefined;
  const { runTenantPipeline } = await import("../../run/run-tenant");

  const interrupt = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  let runId: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      // A second Ctrl-C while cancelling: stop at once; the run id is already on stdout.
      note(subject, runId ? `stopped; run ${runId} may still be running` : "stopped");
      process.exit(signalExitCode(signal));
    }
    signalled = signal;
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await runTenantPipeline({
      target: resolved.target,
      parameters: { start: options.start, end: options.end, lookbackDays: options.lookbackDays, aggregation: options.aggregation },
      parameterNames: PARAMETER_FLAGS,
      wait: options.wait,
      timeoutMs,
      ingest,
      signal: interrupt.signal,
      onInterrupt: (id) => askToCancel(id, signalled === "SIGINT"),
      onEvent: (event) => {
        if (event.type === "started") runId = event.runId;
        reportEvent(event, subject, options.quiet ?? false);
      },
    });
    process.exitCode = reportResult(result, subject, options, signalled);
  } catch (error) {
    if (!signalled || runId !== undefined) throw error;
    note(subject, "interrupted before a run was started");
    process.exitCode = signalExitCode(signalled);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function checkFlags(options: RunCliOptions): void {
  if (!GUID_PATTERN.test(options.tenant)) throw new DropError("USAGE", `--tenant ${JSON.stringify(options.tenant)}: must be a tenant GUID`);
  const direct = [options.subscription, options.resourceGroup, options.factory].filter((v) => v !== undefined).length;
  if (options.stackOutputs && direct > 0) throw new DropError("USAGE", "give either --stack-outputs or --subscription/--resource-group/--factory, not both");
  if (!options.stackOutputs && direct < 3) throw new DropError("USAGE", "which factory? give --stack-outputs <file> (pulumi stack output --json), or all of --subscription, --resource-group and --factory");
  if (options.ingest) {
    if (!options.wait) throw new DropError("USAGE", "--ingest needs the run to finish: drop --no-wait");
    if (!options.sink) throw new DropError("USAGE", "--ingest needs --sink <target> (*.duckdb, duckdb:<path> or postgres://…)");
    if (!parseSinkTarget(options.sink)) throw new DropError("USAGE", `--sink ${JSON.stringify(options.sink)}: must be *.duckdb, duckdb:<path> or postgres://…`);
    if (!options.stackOutputs && !options.container) throw new DropError("USAGE", "--ingest without --stack-outputs needs --container <tenant container URL or folder>");
  } else {
    const stray = [options.sink && "--sink", options.container && "--container", ...KEY_FLAGS.filter((k) => options[k] !== undefined).map(flagOf)].filter(Boolean);
    if (stray.length > 0) throw new DropError("USAGE", `${stray.join(", ")} ${stray.length === 1 ? "applies" : "apply"} to --ingest only`);
  }
}

interface ResolvedTarget {
  target: PipelineTarget;
  containerUrl?: string;
  usersDataset?: boolean;
  vaultUri?: string;
}

async function resolveTarget(options: RunCliOptions): Promise<ResolvedTarget> {
  if (!options.stackOutputs) {
    return { target: { subscriptionId: options.subscription!, resourceGroupName: options.resourceGroup!, factoryName: options.factory!, pipelineName: options.pipeline } };
  }
  // Loaded when the command runs, not at start-up (zod; see cli/main.ts).
  const [{ readStackOutputs }, { runTargetFromOutputs }] = await Promise.all([import("../../stack-outputs"), import("../../run/tenant-target")]);
  const outputs = await readStackOutputs(options.stackOutputs);
  const tenant = runTargetFromOutputs(outputs, options.tenant, `--stack-outputs ${options.stackOutputs}`);
  return { target: tenant.target, containerUrl: tenant.containerUrl, usersDataset: tenant.usersDataset, vaultUri: tenant.vaultUri };
}

async function ingestOptions(options: RunCliOptions, resolved: ResolvedTarget): Promise<RunIngestOptions> {
  const keyVault = options.keyVault ?? (options.privateKey ? undefined : resolved.vaultUri);
  return {
    container: options.container ?? resolved.containerUrl!,
    sink: options.sink!,
    keyOptions: await keyOptionsFrom({ ...options, keyVault }),
    sourceOptions: sourceOptionsFrom(options),
    // Without stack outputs the users folder is looked for too; ingest skips a folder that is not there.
    usersDataset: resolved.usersDataset ?? true,
    // Loaded only with --ingest: the database drivers come with it.
    ingestDrops: (await import("../../ingest/ingest-drops")).ingestDrops,
  };
}

/** After Ctrl-C while waiting: on a terminal ask whether to cancel the run; otherwise leave it running. */
async function askToCancel(runId: string, interactiveSignal: boolean): Promise<"cancel" | "leave"> {
  if (!interactiveSignal || !process.stdin.isTTY || !process.stderr.isTTY) return "leave";
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      prompt.once("SIGINT", () => resolve(""));
      prompt.once("close", () => resolve(""));
      prompt.question(`\nCancel pipeline run ${runId}? (otherwise it keeps running) [y/N] `, resolve);
    });
    return /^\s*y(es)?\s*$/i.test(answer) ? "cancel" : "leave";
  } finally {
    prompt.close();
  }
}

function reportEvent(event: RunEvent, subject: string, quiet: boolean): void {
  // The run id is the command's data: on stdout as soon as it exists, whatever happens next.
  if (event.type === "started") process.stdout.write(`${event.runId}\n`);
  if (quiet) return;
  if (event.type === "started") note(subject, `started run ${event.runId}`);
  if (event.type === "status") note(subject, `run ${event.run.runId}: ${event.run.status}`);
  if (event.type === "cancelling") note(subject, `cancelling run ${event.runId}`);
  if (event.type === "ingesting") note(subject, `ingesting ${event.runFolders.join(", ")}`);
}

/** Prints how the run ended and returns the exit code. */
export function reportResult(result: RunTenantResult, subject: string, options: RunCliOptions, signalled: NodeJS.Signals | undefined): number {
  const { outcome, runId } = result;
  switch (outcome.kind) {
    case "started":
      return EXIT_CODES.OK;
    case "interrupted":
    case "left":
      note(subject, `left run ${runId} running${outcome.run ? ` (${outcome.run.status})` : ""}; follow it with Data Factory's monitor or cancel it there`);
      return signalExitCode(signalled ?? "SIGINT");
    case "timedOut":
      note(subject, `run ${runId} is still ${outcome.run?.status ?? "running"} after ${options.timeout}: left running`);
      return EXIT_CODES.PIPELINE_RUN;
    case "finished":
      break;
  }
  const run = outcome.run;
  const took = run.durationMs === undefined ? "" : ` after ${formatDuration(run.durationMs)}`;
  if (run.status === "Succeeded") {
    if (!options.quiet) note(subject, `run ${runId} succeeded${took}${result.ingest ? `; ingested ${result.ingest.loaded} drops (${result.ingest.alreadyLoaded} already loaded), ${result.ingest.rows} rows into ${options.sink}` : ""}`);
    return EXIT_CODES.OK;
  }
  if (run.status === "Cancelled") {
    note(subject, `run ${runId} was cancelled${took}`);
    return EXIT_CODES.PIPELINE_RUN;
  }
  note(subject, `run ${runId} failed${took}: ${describeFailure(result.failure, run)}`);
  return EXIT_CODES.PIPELINE_RUN;
}

const MAX_ERROR_TEXT = 600;

/** The failed activity in one line: plain words for a known Graph Data Connect cause, then the service's own error. */
export function describeFailure(failure: ActivityFailure | undefined, run: PipelineRunInfo): string {
  const serviceText = failure
    ? `activity ${failure.activityName}${failure.errorCode ? ` error ${failure.errorCode}` : ""}: ${failure.message ?? run.message ?? "no message"}`
    : (run.message ?? "the service gave no message");
  const flat = describeError(serviceText);
  const shown = flat.length > MAX_ERROR_TEXT ? `${flat.slice(0, MAX_ERROR_TEXT)}…` : flat;
  return failure?.graphDataConnect ? `${failure.graphDataConnect.explanation} (${shown})` : shown;
}

function note(subject: string, text: string): void {
  process.stderr.write(`viva-drop: ${subject}: ${text}\n`);
}

function flagOf(key: (typeof KEY_FLAGS)[number]): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
