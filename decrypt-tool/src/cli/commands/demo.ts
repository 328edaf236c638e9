import type { Command } from "commander";
import { CleanupStack, formatDemoSummary, runDemo, type DemoResult } from "../../demo/index";
import { createProgressReporter, type ProgressReporter } from "../progress";
import { reportFailure } from "../report";

interface DemoCliOptions {
  tenant?: string;
  keepEmulator?: boolean;
  accountUrl?: string;
  keep?: boolean;
  quiet?: boolean;
}

const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Registers `viva-drop demo` (also `npm run demo`). */
export function register(program: Command): void {
  program
    .command("demo")
    .description("end-to-end demo with no Azure account: simulate drops into a local Azurite emulator, read them back, print a summary, clean up")
    .option("--tenant <guid>", "tenant GUID for the container and TenantId (default: a random GUID)")
    .option("--keep-emulator", "leave Azurite running with the drops; prints its connection string and how to stop it")
    .option("--account-url <url>", "use this storage account (https://<account>.blob.core.windows.net, DefaultAzureCredential) instead of Azurite: a smoke test of a real deployment")
    .option("--keep", "with --account-url: keep the drops (and a container the demo created) instead of deleting them")
    .option("-q, --quiet", "no status lines or progress on stderr")
    .action(async (options: DemoCliOptions) => {
      const cleanup = new CleanupStack();
      const log = (line: string): void => {
        if (!options.quiet) process.stderr.write(`viva-drop demo: ${line}\n`);
      };
      let interrupted = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (interrupted) return;
        interrupted = true;
        log(`${signal}: cleaning up`);
        void cleanup.run().finally(() => process.exit(SIGNAL_EXIT_CODES[signal] ?? 1));
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const progress = new Map<string, ProgressReporter>();
      let result: DemoResult | undefined;
      try {
        result = await runDemo({
          tenantId: options.tenant,
          keepEmulator: options.keepEmulator,
          accountUrl: options.accountUrl,
          keep: options.keep,
          cleanup,
          log,
          onProgress: (drop, p) => {
            if (!progress.has(drop)) progress.set(drop, createProgressReporter(options.quiet));
            progress.get(drop)!.update(p);
          },
        });
      } catch (error) {
        if (!interrupted) reportFailure(error, "demo");
      } finally {
        for (const reporter of progress.values()) reporter.stop();
      }
      if (interrupted) return;
      if (result) process.stdout.write(formatDemoSummary(result));
      const failures = await cleanup.run();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      for (const failure of failures) reportFailure(new Error(`cleanup failed: ${failure}`), "demo");
      if (result) log(afterwords(result, options));
    });
}

function afterwords(result: DemoResult, options: DemoCliOptions): string {
  const { storage } = result;
  if (storage.kind === "emulator" && options.keepEmulator) {
    return [
      `Azurite left running (pid ${storage.pid}) with the drops in ${storage.containerUrl}`,
      `  connection string: ${storage.connectionString}`,
      `  try: viva-drop list ${storage.containerUrl} --connection-string "${storage.connectionString}"`,
      `  stop it: kill ${storage.pid} && rm -rf ${storage.dataDir}`,
    ].join("\n");
  }
  if (storage.kind === "emulator") return "Azurite stopped and its temp data removed";
  return options.keep
    ? `drops kept in ${storage.containerUrl}`
    : `demo drops deleted from ${storage.containerUrl}${storage.createdContainer ? " (and the container the demo created)" : ""}`;
}
