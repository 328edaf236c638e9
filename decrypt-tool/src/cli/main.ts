import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT_CODES } from "../errors";
import { register as registerDecrypt } from "./commands/decrypt";
import { register as registerDemo } from "./commands/demo";
import { register as registerIngest } from "./commands/ingest";
import { register as registerInspect } from "./commands/inspect";
import { register as registerList } from "./commands/list";
import { register as registerRun } from "./commands/run";
import { register as registerSimulate } from "./commands/simulate";
import { register as registerStatus } from "./commands/status";
import { register as registerVerify } from "./commands/verify";
import { EXIT_CODE_HELP } from "./options";
import { reportFailure } from "./report";
import { guardStdio } from "./stdout";

/**
 * The `viva-drop` program with every command registered.
 *
 * Start-up: `viva-drop --help` must stay near `node -e 0`, so registering a command loads nothing but
 * commander and the light cli/ modules (options, format, report). A command file imports its heavy
 * modules (drop reading, zod schemas, Azure SDKs, database drivers, cli-progress) with `import type` at the
 * top and loads them with `await import(...)` inside its action; test/startup.test.ts checks this.
 */
export function createProgram(): Command {
  const program = new Command("viva-drop")
    .description("Read, verify and decrypt Microsoft Viva Insights data drops; run tenants' pipelines and check the fleet; simulate drops for prototyping.")
    .version(packageVersion())
    .addHelpText("after", EXIT_CODE_HELP)
    .exitOverride()
    // One line per error, in the same form as every other failure.
    .configureOutput({ outputError: (text, write) => write(`viva-drop: ${text.replace(/^error: /, "").trim()}\n`) });
  registerDecrypt(program);
  registerVerify(program);
  registerInspect(program);
  registerList(program);
  registerRun(program);
  registerStatus(program);
  registerIngest(program);
  registerSimulate(program);
  registerDemo(program);
  return program;
}

/** Runs the CLI. Sets `process.exitCode` and also returns it. */
export async function main(argv: string[] = process.argv): Promise<number> {
  guardStdio();
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help / version text).
      process.exitCode = error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
    } else {
      reportFailure(error, undefined);
    }
  }
  return Number(process.exitCode ?? 0);
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string };
  return manifest.version;
}
