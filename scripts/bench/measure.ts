/**
 * Runs one command or shell pipeline and measures wall time and peak RSS.
 *
 * Peak RSS: each stage runs under GNU time (`/usr/bin/time -f %M -o <file>`), which reports that
 * process's maximum resident set from wait4(); a pipeline's figure is the sum over its stages (the
 * processes run at the same time, so this is the memory the pipeline as a whole holds at most). Where
 * GNU time is missing (or VIVA_BENCH_RSS=proc), the process tree is sampled through /proc every 20 ms
 * (VmHWM per process, summed) — coarser, said so in the report.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants as fsc, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export type RssMethod = "gnu-time" | "proc-sampling";

/** One process of a pipeline: argv[0] is looked up on PATH. */
export type Stage = string[];

export interface RunOptions {
  cwd: string;
  /** Folder for GNU time's output files (the bench's temp folder). */
  scratch: string;
  /** "capture": stdout is returned; "discard": stdout goes to /dev/null. */
  stdout: "capture" | "discard";
  rss?: RssMethod;
  env?: NodeJS.ProcessEnv;
  /** Kill the pipeline and throw a TimeoutError after this many seconds. */
  timeoutSeconds?: number;
}

/** Thrown by runMeasured when `timeoutSeconds` passed; the pipeline has been killed. */
export class TimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly seconds: number,
  ) {
    super(`did not finish within ${seconds} s: ${command}`);
  }
}

export interface RunResult {
  seconds: number;
  /** Peak RSS in bytes (sum over the pipeline's processes), or null where it could not be read. */
  peakRss: number | null;
  stdout: string;
  stderr: string;
}

/** Children currently running, so a signal handler can end them (each is a process-group leader). */
export const running = new Set<ChildProcess>();

/** Kills every running pipeline (the whole process group of each). */
export function killRunning(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

const GNU_TIME = "/usr/bin/time";

/** GNU time when it is there and works (BusyBox's `time` has no -o / %M), else /proc sampling. */
export function detectRssMethod(): RssMethod {
  if (process.env.VIVA_BENCH_RSS === "proc") return "proc-sampling";
  try {
    accessSync(GNU_TIME, fsc.X_OK);
  } catch {
    return "proc-sampling";
  }
  return "gnu-time";
}

/** Single-quotes a word for bash. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The pipeline as a person would type it (for the report). */
export function displayPipeline(stages: Stage[], stdout: "capture" | "discard"): string {
  return stages.map((s) => s.map(shellQuote).join(" ")).join(" | ") + (stdout === "discard" ? " > /dev/null" : "");
}

let serial = 0;

/**
 * Runs `stages` as one bash pipeline (pipefail: any stage failing fails the run) and measures it.
 * Throws with the command and the tail of stderr when the pipeline exits non-zero.
 */
export async function runMeasured(stages: Stage[], opts: RunOptions): Promise<RunResult> {
  const rss = opts.rss ?? detectRssMethod();
  const id = ++serial;
  const rssFiles = stages.map((_, i) => join(opts.scratch, `rss-${process.pid}-${id}-${i}.txt`));
  const parts = stages.map((stage, i) => {
    const cmd = stage.map(shellQuote).join(" ");
    return rss === "gnu-time" ? `${GNU_TIME} -f %M -o ${shellQuote(rssFiles[i])} ${cmd}` : cmd;
  });
  const script = parts.join(" | ") + (opts.stdout === "discard" ? " > /dev/null" : "");

  const started = process.hrtime.bigint();
  const child = spawn("bash", ["-o", "pipefail", "-c", script], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: killRunning() ends the whole pipeline
  });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => {
    // keep the last ~64 kB of stderr only
    err.push(b);
    errBytes += b.length;
    while (errBytes > 65536 && err.length > 1) errBytes -= err.shift()!.length;
  });
  const sampler = rss === "proc-sampling" && child.pid ? startProcSampler(child.pid) : null;
  let timedOut = false;
  const timer =
    opts.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
        }, opts.timeoutSeconds * 1000);
  const code = await new Promise<number | string>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, signal) => resolve(c ?? signal ?? -1));
  }).finally(() => {
    running.delete(child);
    clearTimeout(timer);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sampled = sampler ? sampler.stop() : null;

  const stdout = Buffer.concat(out).toString("utf8");
  const stderr = Buffer.concat(err).toString("utf8");
  let peakRss: number | null = sampled;
  if (rss === "gnu-time") {
    peakRss = 0;
    for (const f of rssFiles) {
      const kb = readGnuTimeKb(f);
      rmSync(f, { force: true });
      if (kb === null) peakRss = null;
      else if (peakRss !== null) peakRss += kb * 1024;
    }
  }
  if (timedOut) {
    for (const f of rssFiles) rmSync(f, { force: true });
    throw new TimeoutError(displayPipeline(stages, opts.stdout), opts.timeoutSeconds!);
  }
  if (code !== 0) {
    const tail = stderr.trim().split("\n").slice(-8).join("\n");
    throw new Error(`command failed (exit ${code}): ${displayPipeline(stages, opts.stdout)}\n${tail}`);
  }
  return { seconds, peakRss, stdout, stderr };
}

/** GNU time writes "Command exited with non-zero status N" before the number on failure. */
function readGnuTimeKb(file: string): number | null {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const n = Number(lines[lines.length - 1]);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Samples VmHWM of `root` and all its descendants; stop() returns the sum of per-process peaks. */
function startProcSampler(root: number): { stop(): number | null } {
  const peaks = new Map<number, number>();
  const sample = (): void => {
    const stack = [root];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      const hwm = readVmHwm(pid);
      if (hwm !== null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
      stack.push(...childrenOf(pid));
    }
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      if (peaks.size === 0) return null;
      let sum = 0;
      for (const v of peaks.values()) sum += v;
      return sum;
    },
  };
}

function readVmHwm(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text !== "") kids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // process gone, or no CONFIG_PROC_CHILDREN
  }
  return kids;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
