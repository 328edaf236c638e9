import type { Command } from "commander";
import { DropError, EXIT_CODES } from "../../errors";
import type { IngestSummary } from "../../ingest/types";
import { describeSinkTarget, parseSinkTarget } from "../../ingest/sinks/target";
import { formatCount, formatTable } from "../format";
import { addCommonOptions, addKeyOptions, type CommonCliOptions, type KeyCliOptions, keyOptionsFrom, sourceOptionsFrom } from "../options";
import { reportFailure } from "../report";
import { signalExitCode } from "../exit-cleanup";

interface IngestCliOptions extends CommonCliOptions, KeyCliOptions {
  sink: string;
  deleteAfterLoad?: boolean;
}


/** Registers `viva-drop ingest`: every drop of a tenant container or storage account into a database, exactly once. */
export function register(program: Command): void {
  const command = program
    .command("ingest")
    .description("load every drop of a tenant container or storage account into a DuckDB or PostgreSQL database, exactly once (see docs/ingest.md)")
    .argument("<source>", "tenant container (folder or URL named by the tenant GUID, holding run folders) or storage account (folder or URL holding tenant containers)")
    .requiredOption("--sink <target>", "database: a DuckDB file (*.duckdb or duckdb:<path>, created when missing) or postgres://user@host/db")
    .option("--delete-after-load", "delete each drop's files once its rows are committed (never a failed or rejected drop)")
    .option("--json", "print the summary as one JSON object");
  addKeyOptions(command);
  addCommonOptions(command);
  command.addHelpText(
    "after",
    "  ingest: 0 every drop loaded or already loaded, 3 a failed run among them, 5 a drop rejected (the others still load),\n  6 the database could not be written (or a loaded drop's files could not be deleted)\n",
  );
  command.action(async (source: string, options: IngestCliOptions) => {
    const controller = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal does not wait for the rollback: the database never holds half a drop either way.
      if (signalled) process.exit(signalExitCode(signal));
      signalled = signal;
      controller.abort(new DropError("USAGE", `interrupted by ${signal}`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // Only this command needs the engine, the database drivers and the Azure SDKs: loaded here, not at startup.
    const { ingestDrops, SinkError } = await import("../../ingest/index");
    const { createIngestProgress } = await import("../ingest-progress");
    const progress = createIngestProgress(options.quiet || options.json);
    try {
      const target = parseSinkTarget(options.sink);
      if (!target) {
        throw new DropError("USAGE", `--sink ${JSON.stringify(options.sink)}: expected a DuckDB file (*.duckdb or duckdb:<path>) or a PostgreSQL URL (postgres://…)`);
      }
      const keyOptions = await keyOptionsFrom(options);
      const summary = await ingestDrops(source, options.sink, keyOptions, {
        ...sourceOptionsFrom(options),
        deleteAfterLoad: options.deleteAfterLoad ?? false,
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, describeSinkTarget(target)));
      process.exitCode = exitCodeOf(summary);
    } catch (error) {
      progress.stop();
      if (signalled) {
        process.stderr.write(`viva-drop: ${source}: interrupted by ${signalled}; the drop being loaded was rolled back, drops loaded before it stay loaded\n`);
        process.exitCode = signalExitCode(signalled);
      } else if (error instanceof SinkError) {
        process.stderr.write(`viva-drop: ${error.message}\n`);
        process.exitCode = EXIT_CODES.OUTPUT;
      } else {
        reportFailure(error, source, options.verbose);
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

/** 6 when a loaded drop's files could not be deleted, else 5 when a drop was rejected, else 3 for a failed run, else 0. */
export function exitCodeOf(summary: IngestSummary): number {
  if (summary.drops.some((d) => d.deleteError !== undefined)) return EXIT_CODES.OUTPUT;
  if (summary.rejected > 0) return EXIT_CODES.VERIFY;
  if (summary.failed > 0) return EXIT_CODES.BAD_DROP;
  return EXIT_CODES.OK;
}

function formatSummary(summary: IngestSummary, sink: string): string {
  if (summary.drops.length === 0) return "no drops found\n";
  const table = formatTable(
    ["TENANT", "RUN FOLDER", "DATASET", "STATUS", "ROWS", "NOTE"],
    summary.drops.map((d) => [
      d.tenantId,
      d.runFolder,
      d.dataset,
      d.status,
      d.status === "loaded" ? formatCount(d.rows) : "-",
      [d.reason, d.unchanged ? "(files unchanged since it was recorded: not read again)" : undefined, d.deleted ? "files deleted" : undefined, d.deleteError]
        .filter((x) => x !== undefined)
        .join(" "),
    ]),
  );
  const parts = [`${summary.loaded} loaded (${formatCount(summary.rows)} rows)`, `${summary.alreadyLoaded} already loaded`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.rejected > 0) parts.push(`${summary.rejected} rejected`);
  return `${table}\n${parts.join(", ")} in ${summary.seconds.toFixed(1)} s into ${sink}\n`;
}
