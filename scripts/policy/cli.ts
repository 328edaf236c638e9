import { Command, CommanderError } from "commander";
import { PACK_NAME, POLICIES } from "../../policy/policies";
import { evaluatePlan, PolicyCrash, type Finding } from "./evaluate";
import { PlanFileError, readPlanFile } from "./plan-file";

/** Exit codes: every mandatory policy holds; a mandatory policy is violated; the plan could not be checked. */
export const EXIT = { ok: 0, violated: 1, unchecked: 2 } as const;

/** One line per finding: level, policy, resource, then the message (which starts with the property). */
export function formatFinding(finding: Finding): string {
  return `${finding.level}: ${finding.policy}: ${finding.resource ?? "(plan)"}: ${finding.message}`;
}

async function check(planPath: string): Promise<void> {
  const plan = readPlanFile(planPath);
  const findings = await evaluatePlan(plan);
  for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
  const mandatory = findings.filter((f) => f.level === "mandatory").length;
  const advisory = findings.length - mandatory;
  process.stderr.write(`${PACK_NAME} policies: ${plan.length} resources, ${POLICIES.length} policies, ${mandatory} mandatory and ${advisory} advisory findings\n`);
  process.exitCode = mandatory > 0 ? EXIT.violated : EXIT.ok;
}

/** Parses the command line and checks the plan; problems with the input are one line on stderr. */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command()
    .name("policy")
    .description("Check a saved `npm run plan` output against the policy pack (policy/), offline, without the Pulumi CLI.")
    .argument("<plan.json>", "file holding the JSON that `npm run plan` prints")
    .exitOverride()
    .action(check);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own line (usage error) or the help text.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.unchecked;
    } else if (error instanceof PlanFileError || error instanceof PolicyCrash) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.unchecked;
    } else {
      process.stderr.write(`policy check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT.unchecked;
    }
  }
}
