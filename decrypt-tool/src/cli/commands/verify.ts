import type { Command } from "commander";
import type { VerifyResult } from "../../drop";
import { formatBytes, formatCount, formatFields } from "../format";
import {
  addCommonOptions,
  addKeyOptions,
  addWorkersOption,
  type CommonCliOptions,
  type KeyCliOptions,
  keyOptionsFrom,
  parseWorkers,
  sourceOptionsFrom,
} from "../options";
import { note, runForDrop } from "../report";
import { writeStdout } from "../stdout";

/** Registers `viva-drop verify`: decrypt and check everything, print a summary, emit no rows. */
export function register(program: Command): void {
  const command = program
    .command("verify")
    .description("decrypt and check a whole drop (padding, gzip checksums, JSON, row count) and print a summary; emits no rows")
    .argument("<drop>", "drop folder, or its URL: https://<account>.blob.core.windows.net/<tenant-guid>/<run-folder>")
    .option("--json", "print the summary as JSON");
  addKeyOptions(command);
  addWorkersOption(command);
  addCommonOptions(command);
  command.action(async (drop: string, options: CommonCliOptions & KeyCliOptions) => {
    await runForDrop(drop, options.verbose ?? false, async () => {
      const workers = parseWorkers(options.workers);
      // Loaded when the command runs, not at start-up (see cli/main.ts).
      const [{ verifyDrop }, { KEY_ENCODING_LABELS }, { createProgressReporter }] = await Promise.all([import("../../drop"), import("../../key/key-text"), import("../progress")]);
      (await import("../gc-tuning")).tuneGcForStreaming();
      const keyOptions = await keyOptionsFrom(options);
      const progress = createProgressReporter(options.quiet);
      let result: VerifyResult;
      try {
        result = await verifyDrop(drop, keyOptions, { ...sourceOptionsFrom(options), workers, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      if (options.verbose) note(drop, `file key: ${KEY_ENCODING_LABELS[result.keyEncoding]}, unwrapped with ${result.rsaPadding}`);
      await writeStdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerifyResult(result, KEY_ENCODING_LABELS[result.keyEncoding]));
    });
  });
}

/** The human summary printed by `verify`. */
function formatVerifyResult(result: VerifyResult, keyEncoding: string): string {
  const claimed = result.rowsClaimed === undefined ? " (no count in metadata)" : " (matches NumberOfRowsExtracted)";
  const range = result.metricDateRange ? `${result.metricDateRange.min} to ${result.metricDateRange.max}` : "none";
  const rate = result.seconds > 0 ? ` (${formatBytes(result.decryptedBytes / result.seconds)}/s)` : "";
  return formatFields([
    ["drop", result.location],
    ["status", "OK"],
    ["rows", `${formatCount(result.rows)}${claimed}`],
    ["people", formatCount(result.people)],
    ["MetricDate", range],
    ["columns", String(result.columns.length)],
    ["bytes", `${formatBytes(result.encryptedBytes)} encrypted in ${result.dataFiles} file(s), ${formatBytes(result.decryptedBytes)} decrypted`],
    ["key", `${keyEncoding}, ${result.rsaPadding}`],
    ["seconds", `${result.seconds.toFixed(2)}${rate}`],
  ]);
}
