import type { Command } from "commander";
import { formatCount } from "../format";
import { addCommonOptions, addKeyOptions, addWorkersOption, type CommonCliOptions, type KeyCliOptions, keyOptionsFrom, parseWorkers, sourceOptionsFrom } from "../options";
import { note, runForDrop } from "../report";
import { pipeToStdout } from "../stdout";

interface DecryptCliOptions extends CommonCliOptions, KeyCliOptions {
  output?: string;
}

/** Registers `viva-drop decrypt`: the rows as NDJSON on stdout, or atomically into --output. */
export function register(program: Command): void {
  const command = program
    .command("decrypt")
    .description("decrypt a drop and write its rows as newline-delimited JSON to stdout (or --output)")
    .argument("<drop>", "drop folder, or its URL: https://<account>.blob.core.windows.net/<tenant-guid>/<run-folder>")
    .option("-o, --output <file>", "write the rows to this regular file instead (atomically: complete or not at all); - is stdout");
  addKeyOptions(command);
  addWorkersOption(command);
  addCommonOptions(command);
  command.action(async (drop: string, options: DecryptCliOptions) => {
    await runForDrop(drop, options.verbose ?? false, async () => {
      const workers = parseWorkers(options.workers);
      const output = options.output === "-" ? undefined : options.output;
      // Loaded when the command runs, not at start-up (see cli/main.ts).
      const [{ checkOutputFile }, { openDrop }, { KEY_ENCODING_LABELS }, { createProgressReporter }, { writeFileAtomically }] = await Promise.all([
        import("../output-target"),
        import("../../drop"),
        import("../../key/key-text"),
        import("../progress"),
        import("../atomic-output"),
      ]);
      // Checked before any key is unwrapped or byte decrypted.
      const target = output === undefined ? undefined : await checkOutputFile(output, drop);
      (await import("../gc-tuning")).tuneGcForStreaming();
      const opened = await openDrop(drop, await keyOptionsFrom(options), sourceOptionsFrom(options));
      if (options.verbose) note(drop, `file key: ${KEY_ENCODING_LABELS[opened.keyEncoding]}, unwrapped with ${opened.rsaPadding}`);
      // Rows on the terminal: a bar on the same terminal would draw over them.
      const progress = createProgressReporter(options.quiet || (target === undefined && process.stdout.isTTY));
      let rows = 0;
      const data = opened.ndjson({
        workers,
        onProgress: (p) => {
          rows = p.rows;
          progress.update(p);
        },
      });
      try {
        if (target !== undefined) await writeFileAtomically(target, data, output);
        else await pipeToStdout(data);
      } finally {
        progress.stop();
      }
      // After the bar is gone, or it would redraw over this line.
      if (output !== undefined && !options.quiet) note(drop, `wrote ${formatCount(rows)} rows to ${output}`);
    });
  });
}
