import type { Command } from "commander";
import type { DemoResult } from "../../demo/index";
import type { ProgressReporter } from "../progress";
import { reportFailure } from "../report";

interface DemoCliOptions {
  tenant?: string;
  keepEmulator?: boolean;
  accountUrl?: string;
  keep?: boolean;
  quiet?: boolean;
}

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
      // Only this command needs the demo (Azurite launcher, samples, http/net): loaded here, not at startup.
      const [{ CleanupStack, cleanupOnSignals, formatDemoSummary, runDemo }, { createProgressReporter }] = await Promise.all([import("../../demo/index"), import("../progress")]);
      const cleanup = new CleanupStack();
      // One progress bar at a time, for the drop being verified; a status line ends it.
      let bar: { drop: string; reporter: ProgressReporter } | undefined;
      const endBar = (): void => {
        bar?.reporter.stop();
        bar = undefined;
      };
      const log = (line: string): void => {
        endBar();
        if (!options.quiet) process.stderr.write(`viva-drop demo: ${line}\n`);
      };
      const signals = cleanupOnSignals(cleanup, (signal) => log(`${signal}: cleaning up`));
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
            if (bar?.drop !== drop) {
              endBar();
              bar = { drop, reporter: createProgressReporter(options.quiet) };
            }
            bar.reporter.update(p);
          },
        });
      } catch (error) {
        if (!signals.interrupted) reportFailure(error, "demo");
      } finally {
        endBar();
      }
      if (signals.interrupted) return;
      if (result) process.stdout.write(formatDemoSummary(result));
      const failures = await cleanup.run();
      signals.release();
      for (const failure of failures) reportFailure(new Error(`cleanup failed: ${failure}`), "demo");
      // Where the kept emulator is and how to stop it matters even with --quiet.
      if (result && options.keepEmulator) process.stderr.write(`viva-drop demo: ${afterwords(result, options)}\n`);
      else if (result) log(afterwords(result, options));
    });
}

function afterwords(result: DemoResult, options: DemoCliOptions): string {
  const { storage } = result;
  if (storage.kind === "emulator" && options.keepEmulator) {
    return [
      `Azurite left running (pid ${storage.pid}) with the drops in ${storage.containerUrl}`,
      `  connection string: ${storage.connectionString}`,
      `  try: viva-drop list ${storage.containerUrl} --connection-string "${storage.connectionString}"`,
      `  tenant private key: ${storage.privateKeyFile} (add --private-key <it> to decrypt or verify the kept drops)`,
      `  stop it: kill ${storage.pid} && rm -rf ${storage.dataDir}`,
    ].join("\n");
  }
  if (storage.kind === "emulator") return "Azurite stopped and its temp data removed";
  return options.keep
    ? `drops kept in ${storage.containerUrl}`
    : `demo drops deleted from ${storage.containerUrl}${storage.createdContainer ? " (and the container the demo created)" : ""}`;
}
