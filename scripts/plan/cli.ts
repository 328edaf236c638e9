import { basename } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../../config";
import { ConfigFileError, readStackConfigFile } from "./config-file";
import { runPlan } from "./run-plan";

interface PlanOptions {
  stack?: string;
  config?: string;
  now?: Date;
}

/** The stack name a config file stands for: Pulumi.<stack>.yaml → <stack>. */
export function stackFromFile(path: string): string {
  const match = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(path));
  return match ? match[1] : basename(path).replace(/\.ya?ml$/, "");
}

function parseNow(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("must be an ISO 8601 date-time");
  return date;
}

/** Parses the command line and prints the plan; errors go to stderr as one line with exit code 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await parse(argv);
  } catch (error) {
    reportError(error);
  }
}

async function parse(argv: string[]): Promise<void> {
  const program = new Command()
    .name("plan")
    .description("Print every resource the Pulumi program would register, run offline on Pulumi's mock runtime.")
    .option("--stack <name>", "read Pulumi.<name>.yaml")
    .option("--config <file>", "read this stack config file (stack name taken from Pulumi.<stack>.yaml)")
    .option("--now <iso>", "clock for the 'not in the past' checks (default: now)", parseNow)
    .action(async (opts: PlanOptions) => {
      if (!!opts.stack === !!opts.config) program.error("error: give exactly one of --stack <name> or --config <file>", { exitCode: 2 });
      const file = opts.config ?? `Pulumi.${opts.stack}.yaml`;
      const stack = opts.stack ?? stackFromFile(file);
      const { resources } = await runPlan({ stack, config: readStackConfigFile(file), now: opts.now });
      process.stdout.write(`${JSON.stringify(resources, null, 2)}\n`);
    });
  await program.parseAsync(argv);
}

function reportError(error: unknown): void {
  if (error instanceof ConfigError || error instanceof ConfigFileError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`plan failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
}
