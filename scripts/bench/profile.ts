/**
 * `--profile`: run (e) `viva-drop decrypt > /dev/null` under `node --cpu-prof` and summarise the
 * V8 CPU profiles (one per thread: main and any worker) by self time per function; and show where the
 * start-up of `viva-drop inspect` goes, by package.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Method } from "./methods";
import { REPO, VIVA_DROP_DIST } from "./methods";
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

export interface StartupProfileEntry {
  /** An npm package, one of our modules (dist/…), or what Node.js does itself. */
  what: string;
  ms: number;
  percent: number;
}

/**
 * Where `viva-drop inspect <drop>` spends its start-up: run from tsc's output (one file per module, so time
 * can be told apart by file) under --cpu-prof, every sample charged to the innermost npm package or module
 * of ours on its stack, else to Node.js itself.
 */
export async function profileStartup(dropDir: string, opts: { scratch: string; rss: RssMethod; top?: number }): Promise<{ totalMs: number; top: StartupProfileEntry[] }> {
  const dir = join(opts.scratch, "startup-profile");
  mkdirSync(dir, { recursive: true });
  const runner = join(dir, "viva-drop-unbundled.cjs");
  writeFileSync(runner, `require(${JSON.stringify(join(VIVA_DROP_DIST, "cli", "main.js"))}).main();\n`);
  await runMeasured([[process.execPath, "--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", dir, runner, "inspect", dropDir]], { cwd: REPO, scratch: opts.scratch, stdout: "discard", rss: opts.rss });
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`--profile: node wrote no .cpuprofile into ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile & { nodes: (CpuProfileNode & { children?: number[] })[] };
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const charged = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    let what = "Node.js (bootstrap, module loader, builtins)";
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const url = byId.get(id)?.callFrame.url ?? "";
      const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (npm) {
        what = `npm: ${npm[1]}`;
        break;
      }
      const own = url.indexOf("/decrypt-tool/dist/");
      if (own >= 0) {
        what = `viva-drop: ${url.slice(own + "/decrypt-tool/dist/".length)}`;
        break;
      }
    }
    charged.set(what, (charged.get(what) ?? 0) + us);
    total += us;
  }
  const top = [...charged].sort((a, b) => b[1] - a[1]).slice(0, opts.top ?? 12);
  return { totalMs: total / 1000, top: top.map(([what, us]) => ({ what, ms: us / 1000, percent: total > 0 ? (100 * us) / total : 0 })) };
}
