/**
 * Start-up (issue 10): `viva-drop --help` and `viva-drop inspect <local drop>` against `node -e 0`, each
 * run directly (no shell, no GNU time, whose own start would narrow the ratios), interleaved, median wall
 * time. With `instructions`, each also runs once under valgrind's callgrind, whose instruction counts do
 * not move with the machine's load (user space only: the system calls of loading files are not counted).
 */
import { spawn } from "node:child_process";
import { hasCommand, VIVA_DROP_BIN } from "./methods";
import { median, running } from "./measure";

export interface StartupCommand {
  id: "node" | "help" | "inspect";
  label: string;
  argv: string[];
  seconds: number[];
  median: number | null;
  /** Instructions executed (all threads, user space), when counted. */
  instructions: number | null;
}

export interface StartupResult {
  runs: number;
  commands: StartupCommand[];
  /** Why instructions were not counted, when asked for and impossible. */
  instructionsSkipped?: string;
}

/** Issue 10's start-up targets: at most this many times `node -e 0`. */
export const STARTUP_TARGETS = { help: 1.5, inspect: 2 };

function startupCommands(dropDir: string): StartupCommand[] {
  const node = process.execPath;
  const entry = (id: StartupCommand["id"], label: string, argv: string[]): StartupCommand => ({ id, label, argv, seconds: [], median: null, instructions: null });
  return [
    entry("node", "node -e 0", [node, "-e", "0"]),
    entry("help", "viva-drop --help", [node, VIVA_DROP_BIN, "--help"]),
    entry("inspect", "viva-drop inspect <drop>", [node, VIVA_DROP_BIN, "inspect", dropDir]),
  ];
}

// Runs argv with stdout discarded: its wall time and stderr; rejects on a non-zero exit.
function run(argv: string[], cwd: string): Promise<{ seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], detached: true });
    running.add(child);
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      running.delete(child);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds, stderr });
      else reject(new Error(`command failed (exit ${code}): ${argv.join(" ")}\n${stderr.trim().split("\n").slice(-4).join("\n")}`));
    });
  });
}

const timed = async (argv: string[], cwd: string): Promise<number> => (await run(argv, cwd)).seconds;

// Instructions of one run under callgrind (its summary line on stderr: "Collected : <n>").
async function instructionsOf(argv: string[], cwd: string): Promise<number> {
  const { stderr } = await run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", ...argv], cwd);
  const m = /Collected\s*:\s*(\d+)/.exec(stderr);
  if (!m) throw new Error(`no instruction count from callgrind for ${argv.join(" ")}`);
  return Number(m[1]);
}

/** Measures the start-up commands `runs` times each, interleaved, against `dropDir` (a small local drop). */
export async function measureStartup(options: { dropDir: string; runs: number; cwd: string; instructions: boolean; log: (line: string) => void }): Promise<StartupResult> {
  const commands = startupCommands(options.dropDir);
  // One untimed round: warms the page cache for node and the CLI's files.
  for (const c of commands) await timed(c.argv, options.cwd);
  for (let i = 0; i < options.runs; i++) {
    for (const c of commands) c.seconds.push(await timed(c.argv, options.cwd));
  }
  for (const c of commands) c.median = median(c.seconds);
  options.log(`  start-up medians: ${commands.map((c) => `${c.label} ${(c.median! * 1000).toFixed(1)} ms`).join(", ")}`);
  const result: StartupResult = { runs: options.runs, commands };
  if (options.instructions) {
    if (!hasCommand("valgrind")) {
      result.instructionsSkipped = "valgrind not on PATH (Debian package valgrind)";
    } else {
      try {
        for (const c of commands) c.instructions = await instructionsOf(c.argv, options.cwd);
      } catch (error) {
        result.instructionsSkipped = (error as Error).message.split("\n")[0];
      }
    }
  }
  return result;
}
