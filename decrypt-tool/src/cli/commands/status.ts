import type { Command } from "commander";
import { DropError, EXIT_CODES } from "../../errors";
import type { Sink } from "../../ingest/sinks/sink";
import { type SinkTarget, parseSinkTarget } from "../../ingest/sinks/target";
import { parseInstant } from "../../iso-dates";
import type { TenantStatus } from "../../status/tenant-status";
import { formatDuration } from "../duration";
import { formatTable } from "../format";
import { addCommonOptions, type CommonCliOptions, sourceOptionsFrom } from "../options";
import { reportFailure } from "../report";

interface StatusCliOptions extends CommonCliOptions {
  stackOutputs: string;
  sink?: string;
  now?: string;
}

/** Registers `viva-drop status`: one row per tenant, those needing action first; exit 8 when any does. */
export function register(program: Command): void {
  const command = program
    .command("status")
    .description("the health of every tenant in the stack: trigger, last pipeline run, last drop (and whether it is loaded), key and client secret expiry")
    .requiredOption("--stack-outputs <file>", "`pulumi stack output --json` of the stack")
    .option("--sink <target>", "also say whether each last drop is loaded: the ingest database (*.duckdb, duckdb:<path> or postgres://…)")
    .option("--json", "print the statuses as JSON")
    .option("--now <iso>", "judge as of this instant instead of now (reports, tests)")
    .addHelpText(
      "after",
      "\nA tenant needs action when its last run failed, its key or the client secret expires within 30 days,\nits trigger is stopped while it is not paused, or it has had no drop for more than 8 days.\n",
    );
  addCommonOptions(command);
  command.action(async (options: StatusCliOptions) => {
    try {
      process.exitCode = await statusCommand(options);
    } catch (error) {
      reportFailure(error, undefined, options.verbose ?? false);
    }
  });
}

async function statusCommand(options: StatusCliOptions): Promise<number> {
  const now = options.now === undefined ? new Date() : parseNow(options.now);
  const sinkTarget = options.sink === undefined ? undefined : parseSink(options.sink);
  // Loaded when the command runs, not at start-up (zod; see cli/main.ts).
  const { readStackOutputs } = await import("../../stack-outputs");
  const outputs = await readStackOutputs(options.stackOutputs);
  const sink = sinkTarget ? await openLedger(sinkTarget) : undefined;
  try {
    const { allHealthy, fleetStatus } = await import("../../status/fleet-status");
    const statuses = await fleetStatus(outputs, { now, sourceOptions: sourceOptionsFrom(options), ledger: sink && ((tenantId) => sink.ledger(tenantId)) });
    const healthy = allHealthy(statuses);
    process.stdout.write(options.json ? `${JSON.stringify({ healthy, now: now.toISOString(), tenants: statuses }, null, 2)}\n` : formatStatus(statuses, sink !== undefined));
    if (!options.quiet && !options.json) {
      const needing = statuses.filter((status) => status.problems.length > 0).length;
      process.stderr.write(`viva-drop: ${needing === 0 ? `all ${statuses.length} tenants healthy` : `${needing} of ${statuses.length} tenants need action`}\n`);
    }
    return healthy ? EXIT_CODES.OK : EXIT_CODES.NEEDS_ACTION;
  } finally {
    await sink?.close();
  }
}

function parseNow(text: string): Date {
  const ms = parseInstant(text);
  if (ms === undefined) throw new DropError("USAGE", `--now ${JSON.stringify(text)}: must be an ISO 8601 date or date-time with a zone`);
  return new Date(ms);
}

function parseSink(text: string): SinkTarget {
  const target = parseSinkTarget(text);
  if (!target) throw new DropError("USAGE", `--sink ${JSON.stringify(text)}: must be *.duckdb, duckdb:<path> or postgres://…`);
  return target;
}

/** The ingest database's ledger, read only: nothing is created or locked for writing, no table made. */
async function openLedger(target: SinkTarget): Promise<Pick<Sink, "ledger" | "close">> {
  const { openSink } = await import("../../ingest/sinks/index");
  return openSink(target, { readOnly: true });
}

/** The table `status` prints: one row per tenant, needing action first. */
export function formatStatus(statuses: TenantStatus[], withSink: boolean): string {
  if (statuses.length === 0) return "no tenants in the stack outputs\n";
  const header = ["TENANT", "TRIGGER", "LAST RUN", "FINISHED", "DURATION", "LAST DROP", ...(withSink ? ["LOADED"] : []), "KEY EXPIRES", "SECRET ENDS", "ACTION"];
  return formatTable(
    header,
    statuses.map((s) => [
      s.label ? `${s.label} (${s.tenantId.slice(0, 8)})` : s.tenantId,
      triggerCell(s.trigger),
      runCell(s.runs),
      s.runs.lastFinished?.runEnd ? minute(s.runs.lastFinished.runEnd) : "-",
      s.runs.lastFinished?.durationMs === undefined ? "-" : formatDuration(s.runs.lastFinished.durationMs),
      s.drop.last ? `${s.drop.last.completedAt ? minute(s.drop.last.completedAt) : s.drop.last.runFolder}${s.drop.last.failed ? " (failed)" : ""}` : "-",
      ...(withSink ? [s.drop.last?.loaded === undefined ? "-" : s.drop.last.loaded ? "yes" : "no"] : []),
      s.key.expiresOn ? `${s.key.expiresOn.slice(0, 10)} (${s.key.daysLeft}d)` : s.key.error ? "?" : "never",
      `${s.secret.endDate.slice(0, 10)} (${s.secret.daysLeft}d)`,
      s.problems.length === 0 ? "ok" : s.problems.join("; "),
    ]),
  );
}

function triggerCell(trigger: TenantStatus["trigger"]): string {
  if (trigger.error) return "?";
  if (trigger.paused) return trigger.runtimeState === "Stopped" ? "paused" : `${trigger.runtimeState} (paused)`;
  return trigger.runtimeState ?? "?";
}

function runCell(runs: TenantStatus["runs"]): string {
  if (runs.error) return "?";
  if (!runs.last) return "none";
  if (runs.lastFinished && runs.lastFinished.runId !== runs.last.runId) return `${runs.last.status} (before: ${runs.lastFinished.status})`;
  return runs.last.status;
}

function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
