/**
 * `--profile`: run (e) `viva-drop decrypt > /dev/null` under `node --cpu-prof` and summarise the
 * V8 CPU profiles (one per thread: main and any worker) by self time per function.
 */
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Method } from "./methods";
import { REPO } from "./methods";
import { runMeasured, type RssMethod } from "./measure";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  fn: string;
  where: string;
  selfMs: number;
  percent: number;
}

export interface ThreadProfile {
  file: string;
  totalMs: number;
  top: ProfileEntry[];
}

/** Self time per function (samples × their time deltas), largest first. */
export function summariseProfile(profile: CpuProfile, top = 15): { totalMs: number; top: ProfileEntry[] } {
  const byNode = new Map<number, CpuProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: it belongs to the previous sample's frame.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = byNode.get(profile.samples[i]);
    if (!node) continue;
    const cf = node.callFrame;
    const fn = cf.functionName || "(anonymous)";
    const url = cf.url.startsWith("file://") ? cf.url.slice(7) : cf.url;
    const where = url ? `${url.startsWith(REPO) ? relative(REPO, url) : url}:${cf.lineNumber + 1}` : "";
    const key = `${fn}\u0000${where}`;
    const entry = self.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    self.set(key, entry);
    total += us;
  }
  const entries = [...self.values()].sort((a, b) => b.us - a.us).slice(0, top);
  return {
    totalMs: total / 1000,
    top: entries.map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, percent: total > 0 ? (100 * e.us) / total : 0 })),
  };
}

/** Runs (e) once under --cpu-prof in `dir` and summarises every profile written (one per thread). */
export async function profileDecrypt(e: Method, opts: { scratch: string; rss: RssMethod; top?: number }): Promise<ThreadProfile[]> {
  const dir = join(opts.scratch, "cpu-profiles");
  mkdirSync(dir, { recursive: true });
  const [node, ...rest] = e.stages[0];
  await runMeasured([[node, "--cpu-prof", "--cpu-prof-dir", dir, ...rest]], { cwd: REPO, scratch: opts.scratch, stdout: "discard", rss: opts.rss });
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort();
  if (files.length === 0) throw new Error(`--profile: node wrote no .cpuprofile into ${dir}`);
  return files.map((f) => {
    const summary = summariseProfile(JSON.parse(readFileSync(join(dir, f), "utf8")) as CpuProfile, opts.top);
    return { file: f, ...summary };
  });
}
