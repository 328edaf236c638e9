import type { Command } from "commander";
import { stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DropError } from "../../errors";
import { isBlobLocation } from "../../source/blob-location";
import { formatCount } from "../format";
import { addCommonOptions, addKeyOptions, addWorkersOption, type CommonCliOptions, type KeyCliOptions, keyOptionsFrom, parseWorkers, sourceOptionsFrom } from "../options";
import { note, runForDrop } from "../report";

interface DecryptCliOptions extends CommonCliOptions, KeyCliOptions {
  output?: string;
}

/** Registers `viva-drop decrypt`: the rows as NDJSON on stdout, or atomically into --output. */
export function register(program: Command): void {
  const command = program
    .command("decrypt")
    .description("decrypt a drop and write its rows as newline-delimited JSON to stdout (or --output)")
    .argument("<drop>", "drop folder, or its URL: https://<account>.blob.core.windows.net/<tenant-guid>/<run-folder>")
    .option("-o, --output <file>", "write the rows to this file instead (atomically: complete or not at all)");
  addKeyOptions(command);
  addWorkersOption(command);
  addCommonOptions(command);
  command.action(async (drop: string, options: DecryptCliOptions) => {
    await runForDrop(drop, options.verbose ?? false, async () => {
      const workers = parseWorkers(options.workers);
      if (options.output !== undefined) {
        if (options.output.trim() === "") throw new DropError("USAGE", "--output needs a file name");
        assertOutsideDrop(options.output, drop);
        await assertWritableTarget(options.output);
      }
      // Loaded when the command runs, not at start-up (see cli/main.ts).
      const [{ openDrop }, { KEY_ENCODING_LABELS }, { createProgressReporter }, { writeFileAtomically }] = await Promise.all([
        import("../../drop"),
        import("../../key/key-text"),
        import("../progress"),
        import("../atomic-output"),
      ]);
      (await import("../gc-tuning")).tuneGcForStreaming();
      const opened = await openDrop(drop, await keyOptionsFrom(options), sourceOptionsFrom(options));
      if (options.verbose) note(drop, `file key: ${KEY_ENCODING_LABELS[opened.keyEncoding]}, unwrapped with ${opened.rsaPadding}`);
      const progress = createProgressReporter(options.quiet);
      let rows = 0;
      const data = opened.ndjson({
        workers,
        onProgress: (p) => {
          rows = p.rows;
          progress.update(p);
        },
      });
      try {
        if (options.output !== undefined) await writeFileAtomically(options.output, data);
        else await writeToStdout(data);
      } finally {
        progress.stop();
      }
      // After the bar is gone, or it would redraw over this line.
      if (options.output !== undefined && !options.quiet) note(drop, `wrote ${formatCount(rows)} rows to ${options.output}`);
    });
  });
}

/**
 * Fails before any key is unwrapped or byte decrypted when --output cannot be written: a folder, or in a
 * folder that does not exist.
 */
async function assertWritableTarget(output: string): Promise<void> {
  const target = await stat(output).catch(() => undefined);
  if (target?.isDirectory()) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: it is a folder; give a file name`);
  const folder = path.dirname(path.resolve(output));
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: no folder ${folder}`);
  if (!parent.isDirectory()) throw new DropError("OUTPUT_FAILED", `cannot write ${output}: ${folder} is not a folder`);
}

/** Refuses an --output path inside a local drop folder: the tool never adds to or changes a drop. */
function assertOutsideDrop(output: string, drop: string): void {
  if (isBlobLocation(drop)) return;
  const relative = path.relative(path.resolve(drop), path.resolve(output));
  if (relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))) {
    throw new DropError("USAGE", `--output ${output} is inside the drop; write decrypted rows elsewhere (the drop is never modified)`);
  }
}

// A reader that stops early (`| head`) closes the pipe: not a failure of the decrypt.
async function writeToStdout(data: NodeJS.ReadableStream): Promise<void> {
  try {
    await pipeline(data, process.stdout, { end: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
  }
}
