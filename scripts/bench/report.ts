/**
 * The bench's results: types, targets, the markdown report, and writing it into BENCHMARKS.md
 * between the markers.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { renderIngestPostgres, type IngestPostgresResult } from "./ingest-postgres-results";
import { type IngestBenchResult, renderIngest, renderIngestFlatness } from "./ingest";
import type { MethodId } from "./methods";
import { commandOutput } from "./methods";
import type { RssMethod } from "./measure";
import type { PlanPoint, PlanVerdict } from "./plan-scaling";
import type { StartupProfileEntry, ThreadProfile } from "./profile";
import { STARTUP_TARGETS, type StartupResult } from "./startup";
import { formatSize } from "./size";

export const BEGIN_MARKER = "<!-- bench:results:begin -->";
export const END_MARKER = "<!-- bench:results:end -->";

/** Issue 5's and issue 10's targets. */
export const TARGETS = {
  decryptOverFloor: 1.3, // (e)/(a) at most
  pinnedDecryptOverFloor: 1.5, // (e1)/(a1) at most: both on one core
  verifyOverFloor: 1.6, // (d)/(a) at most
  jqOverDecrypt: 8, // (c)/(e) at least
  peakRssBytes: 150e6, // (d), (e), (f) under
  rssFlatGrowth: 1.2, // (e) RSS largest size / smallest size at most
};

export interface MethodResult {
  id: MethodId;
  label: string;
  command: string;
  skipped?: string;
  seconds: number[];
  median: number | null;
  /** Uncompressed MB (10^6 bytes) per second at the median. */
  mbPerSecond: number | null;
  /** Largest peak RSS over the runs, bytes. */
  peakRss: number | null;
  rows: number | null;
}

export interface Check {
  name: string;
  value: string;
  target: string;
  /** null: informational, no target. */
  pass: boolean | null;
}

export interface SizeResult {
  requestedBytes: number;
  uncompressedBytes: number;
  encryptedBytes: number;
  rows: number;
  people: number;
  generateSeconds: number;
  methods: MethodResult[];
  checks: Check[];
  /** "b=…, c=…, d=…, e=…, f=… — agree with the … rows generated" */
  rowCheck: string;
  /** (e)'s stdout has the generated NDJSON's exact bytes (SHA-256); null when (e) did not run. */
  decryptOutputIdentical: boolean | null;
  /** viva-drop ingest into DuckDB against DuckDB's own read_json (issue 11); absent with --skip-ingest. */
  ingest?: IngestBenchResult;
}

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  openssl: string | null;
  gzip: string | null;
  jq: string | null;
  rss: RssMethod;
}

export interface BenchResult {
  date: string;
  command: string;
  runs: number;
  smoke: boolean;
  machine: Machine;
  sizes: SizeResult[];
  plan: { points: PlanPoint[]; verdict: PlanVerdict; timedOut?: { tenants: number; seconds: number } } | { skipped: string };
  startup?: StartupResult | { skipped: string };
  profile?: { size: number; threads: ThreadProfile[] };
  ingestPostgres?: IngestPostgresResult;
  startupProfile?: { totalMs: number; top: StartupProfileEntry[] };
  /** The 1-minute load average when the run started and ended (other work on the machine skews timings). */
  load?: { start: number; end: number };
  notes: string[];
}

export function describeMachine(rss: RssMethod): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    node: process.version,
    openssl: commandOutput("openssl", ["version"]),
    gzip: commandOutput("gzip", ["--version"]),
    jq: commandOutput("jq", ["--version"]),
    rss,
  };
}

const ratio = (x: number | null, y: number | null): number | null => (x === null || y === null || y === 0 ? null : x / y);
const fx = (v: number | null, digits = 2): string => (v === null ? "—" : `${v.toFixed(digits)}×`);
const mb = (bytes: number | null): string => (bytes === null ? "—" : (bytes / 1e6).toFixed(1));
const secs = (s: number | null): string => (s === null ? "—" : s < 1 ? s.toFixed(3) : s.toFixed(2));

/** Ratios and targets for one drop size (issue 5). */
export function checksFor(methods: MethodResult[]): Check[] {
  const m = (id: MethodId): MethodResult | undefined => methods.find((x) => x.id === id);
  const t = (id: MethodId): number | null => m(id)?.median ?? null;
  const checks: Check[] = [];
  const atMost = (name: string, value: number | null, limit: number): Check => ({ name, value: fx(value), target: `≤ ${limit}×`, pass: value === null ? null : value <= limit });
  checks.push(atMost("(d)/(a) verify ÷ floor", ratio(t("d"), t("a")), TARGETS.verifyOverFloor));
  checks.push(atMost("(e)/(a) decrypt ÷ floor", ratio(t("e"), t("a")), TARGETS.decryptOverFloor));
  if (m("e1") && m("a1")) {
    const pinned = atMost("(e1)/(a1) decrypt ÷ floor, both pinned to one core", ratio(t("e1"), t("a1")), TARGETS.pinnedDecryptOverFloor);
    checks.push(m("e1")!.skipped ? { ...pinned, value: `skipped (${m("e1")!.skipped})` } : pinned);
  }
  const ce = ratio(t("c"), t("e"));
  checks.push({
    name: "(c)/(e) jq pipeline ÷ decrypt",
    value: m("c")?.skipped ? `skipped (${m("c")!.skipped})` : fx(ce, 1),
    target: `≥ ${TARGETS.jqOverDecrypt}×`,
    pass: ce === null ? null : ce >= TARGETS.jqOverDecrypt,
  });
  for (const id of ["d", "e", "f"] as MethodId[]) {
    const rss = m(id)?.peakRss ?? null;
    checks.push({
      name: `peak RSS (${id}) ${m(id)?.label ?? ""}`.trim(),
      value: rss === null ? "—" : `${mb(rss)} MB`,
      target: `< ${TARGETS.peakRssBytes / 1e6} MB`,
      pass: rss === null ? null : rss < TARGETS.peakRssBytes,
    });
  }
  return checks;
}

/** Start-up ratios against `node -e 0`: wall time, and instructions when counted. */
export function startupChecks(r: StartupResult): Check[] {
  const by = (id: string) => r.commands.find((c) => c.id === id);
  const checks: Check[] = [];
  for (const id of ["help", "inspect"] as const) {
    const limit = STARTUP_TARGETS[id];
    const value = ratio(by(id)?.median ?? null, by("node")?.median ?? null);
    checks.push({ name: `${by(id)!.label} ÷ node -e 0 (wall time)`, value: fx(value), target: `≤ ${limit}×`, pass: value === null ? null : value <= limit });
    const instructions = ratio(by(id)?.instructions ?? null, by("node")?.instructions ?? null);
    if (instructions !== null) checks.push({ name: `${by(id)!.label} ÷ node -e 0 (instructions, callgrind)`, value: fx(instructions), target: `≤ ${limit}×`, pass: instructions <= limit });
  }
  return checks;
}

/** (e)'s peak RSS flat across drop sizes (only with two or more sizes). */
export function flatnessCheck(sizes: SizeResult[]): Check | null {
  if (sizes.length < 2) return null;
  const sorted = [...sizes].sort((a, b) => a.uncompressedBytes - b.uncompressedBytes);
  const rssOf = (s: SizeResult): number | null => s.methods.find((x) => x.id === "e")?.peakRss ?? null;
  const lo = rssOf(sorted[0]);
  const hi = rssOf(sorted[sorted.length - 1]);
  const g = ratio(hi, lo);
  return {
    name: `peak RSS (e) ${formatSize(sorted[sorted.length - 1].uncompressedBytes)} ÷ ${formatSize(sorted[0].uncompressedBytes)}`,
    value: `${fx(g)} (${mb(hi)} vs ${mb(lo)} MB)`,
    target: `≤ ${TARGETS.rssFlatGrowth}× (flat)`,
    pass: g === null ? null : g <= TARGETS.rssFlatGrowth,
  };
}

/** A table cell: pipes escaped so shell pipelines do not split the row. */
const cell = (text: string): string => text.replace(/\|/g, "\\|");

const verdict = (pass: boolean | null): string => (pass === null ? "—" : pass ? "**pass**" : "**FAIL**");

/** The markdown report (what goes to stdout and between the BENCHMARKS.md markers). */
export function renderMarkdown(r: BenchResult): string {
  const out: string[] = [];
  const mc = r.machine;
  out.push(`Measured ${r.date}${r.smoke ? " — **smoke run** (tiny size, 1 run: proves the harness, not the numbers)" : ""}.`);
  out.push("");
  out.push(`- Command: \`${r.command}\``);
  out.push(`- Machine: ${mc.cpu}, ${mc.cores} cores, ${mc.memory}; ${mc.os}; Node.js ${mc.node}; ${mc.openssl ?? "openssl: not found"}; ${mc.gzip ?? "gzip: not found"}; ${mc.jq ?? "jq: not found"}`);
  if (r.load) out.push(`- Load average (1 min, ${mc.cores} cores) at the start and the end: ${r.load.start.toFixed(2)}, ${r.load.end.toFixed(2)}${r.load.start > 0.5 || r.load.end > 0.5 ? " — other work was running: timings are skewed" : ""}`);
  out.push(`- Runs per method: ${r.runs}, interleaved (a…f, a1, e1, a…f, …); median wall time. MB = 10^6 bytes of uncompressed NDJSON. Peak RSS: ${mc.rss === "gnu-time" ? "GNU time %M per process, summed over a pipeline's processes" : "/proc VmHWM sampled every 20 ms, summed over the process tree"}; largest over the runs.`);
  for (const s of r.sizes) {
    out.push("");
    out.push(`### Decrypt: ${formatSize(s.uncompressedBytes)} drop`);
    out.push("");
    out.push(
      `${s.rows.toLocaleString("en-US")} rows, ${s.people.toLocaleString("en-US")} people, ${formatSize(s.uncompressedBytes)} uncompressed (${s.uncompressedBytes.toLocaleString("en-US")} bytes), ` +
        `${formatSize(s.encryptedBytes)} encrypted; generated in ${s.generateSeconds.toFixed(1)} s.`,
    );
    out.push("");
    out.push("| | Method | Median s | MB/s | Peak RSS MB | Rows | Runs (s) |");
    out.push("|---|---|---:|---:|---:|---:|---|");
    for (const m of s.methods) {
      if (m.skipped) {
        out.push(`| ${m.id} | ${cell(m.label)} | skipped | | | | ${cell(m.skipped)} |`);
        continue;
      }
      const rows = m.rows === null ? (m.id === "a" || m.id === "a1" ? "(bytes only)" : "—") : m.rows.toLocaleString("en-US");
      out.push(
        `| ${m.id} | ${cell(m.label)} | ${secs(m.median)} | ${m.mbPerSecond === null ? "—" : m.mbPerSecond.toFixed(0)} | ${mb(m.peakRss)} | ${rows} | ${m.seconds.map((x) => secs(x)).join(", ")} |`,
      );
    }
    out.push("");
    out.push(`Row counts: ${s.rowCheck}`);
    out.push("");
    out.push("| Check | Value | Target | Result |");
    out.push("|---|---|---|---|");
    for (const c of s.checks) out.push(`| ${cell(c.name)} | ${cell(c.value)} | ${c.target} | ${verdict(c.pass)} |`);
    if (s.ingest) out.push(...renderIngest(s.ingest, s.uncompressedBytes));
  }
  if (r.sizes.length > 0) {
    out.push("");
    out.push("Commands (`<drop>` = run folder, `<data>` = its data file, `<pem>` = private key, `<key>`/`<iv>` = AES key and IV in hex):");
    out.push("");
    for (const m of r.sizes[0].methods) out.push(`- (${m.id}) \`${m.command}\``);
  }
  const flat = flatnessCheck(r.sizes);
  if (flat) {
    out.push("");
    out.push("| Check | Value | Target | Result |");
    out.push("|---|---|---|---|");
    out.push(`| ${cell(flat.name)} | ${cell(flat.value)} | ${flat.target} | ${verdict(flat.pass)} |`);
  }
  out.push(...renderIngestFlatness(r.sizes));

  if (r.ingestPostgres) out.push(...renderIngestPostgres(r.ingestPostgres));

  if (r.startup) {
    out.push("");
    out.push("### Start-up");
    out.push("");
    if ("skipped" in r.startup) {
      out.push(`Skipped: ${r.startup.skipped}.`);
    } else {
      const s = r.startup;
      out.push(`Each command run directly (no shell), ${s.runs} times interleaved after one warm-up round; median wall time. \`<drop>\` is a small local drop.`);
      out.push("");
      out.push("| Command | Median ms | Instructions (callgrind) | Runs (ms) |");
      out.push("|---|---:|---:|---|");
      for (const c of s.commands) {
        const ins = c.instructions === null ? "—" : `${(c.instructions / 1e6).toFixed(0)} M`;
        out.push(`| ${cell(c.label)} | ${c.median === null ? "—" : (c.median * 1000).toFixed(1)} | ${ins} | ${c.seconds.map((x) => (x * 1000).toFixed(0)).join(", ")} |`);
      }
      if (s.instructionsSkipped) out.push(`\nInstructions not counted: ${s.instructionsSkipped}.`);
      out.push("");
      out.push("| Check | Value | Target | Result |");
      out.push("|---|---|---|---|");
      for (const c of startupChecks(s)) out.push(`| ${cell(c.name)} | ${cell(c.value)} | ${c.target} | ${verdict(c.pass)} |`);
    }
  }

  out.push("");
  out.push("### Plan scaling");
  out.push("");
  if ("skipped" in r.plan) {
    out.push(`Skipped: ${r.plan.skipped}.`);
  } else {
    const { points, verdict: v } = r.plan;
    out.push("`npm run plan --silent -- --config <generated single-stack config>`, timed as a user runs it (npm start-up included).");
    out.push("");
    const shape = (t: PlanPoint["perTenant"]): string =>
      t === null ? "—" : t.min === t.max ? String(t.min) : `${t.mean.toFixed(1)} (${t.min}–${t.max})`;
    out.push("| Tenants | Resources | Platform | Per tenant | Median s | s/tenant (marginal) | Peak RSS MB | Runs (s) |");
    out.push("|---:|---:|---:|---:|---:|---:|---:|---|");
    points.forEach((p, i) => {
      const spt = i === 0 ? "—" : `${(v.secondsPerTenant[i - 1] * 1000).toFixed(1)} ms`;
      out.push(
        `| ${p.tenants.toLocaleString("en-US")} | ${p.resources.toLocaleString("en-US")} | ${p.platform ?? "—"} | ${shape(p.perTenant)} | ${secs(p.median)} | ${spt} | ${mb(p.peakRss)} | ${p.seconds.map((x) => secs(x)).join(", ")} |`,
      );
    });
    if (r.plan.timedOut) out.push(`| ${r.plan.timedOut.tenants.toLocaleString("en-US")} | — | — | — | > ${r.plan.timedOut.seconds} (stopped) | — | — | — |`);
    out.push("");
    out.push("Per tenant: resources in one tenant component's subtree, mean (min–max): tenants with the users dataset and a notify URL have more.");
    out.push("");
    out.push("| Check | Value | Target | Result |");
    out.push("|---|---|---|---|");
    out.push(
      `| resources: platform constant, same per-tenant shapes at every size | platform ${v.platformResources ?? "varies"}, per tenant ${shape(v.perTenant)} | linear | ${verdict(v.resourcesLinear)} |`,
    );
    out.push(
      `| time: marginal s/tenant, max ÷ min | ${v.spread === null ? "—" : `${v.spread.toFixed(2)}×`}${v.note ? ` (${v.note})` : ""} | ≤ 2× (linear) | ${verdict(v.linear)} |`,
    );
    out.push(`| 1,000 tenants | ${v.at1000 === null ? "not measured" : `${v.at1000.toFixed(2)} s`} | < 30 s | ${verdict(v.under30s)} |`);
    out.push("");
    out.push("### State size");
    out.push("");
    out.push("Estimated from the same plans (scripts/bench/state-size.ts): each resource's inputs twice (inputs and outputs), serialized providers at their real size, plus URNs. A lower bound of the Pulumi checkpoint.");
    out.push("");
    out.push("| Tenants | State MB | Per tenant KB (min–max) | of which serialized providers KB | Platform KB | Largest provider bytes |");
    out.push("|---:|---:|---:|---:|---:|---:|");
    const kb = (bytes: number) => (bytes / 1024).toFixed(1);
    for (const p of points) {
      const t = p.state.perTenant;
      out.push(
        `| ${p.tenants.toLocaleString("en-US")} | ${(p.state.total / 1e6).toFixed(2)} | ${t === null ? "—" : `${kb(t.mean)} (${kb(t.min)}–${kb(t.max)})`} | ${kb(p.state.providersPerTenant)} | ${kb(p.state.platform)} | ${p.state.largestProvider.toLocaleString("en-US")} |`,
      );
    }
    out.push("");
    out.push("| Check | Value | Target | Result |");
    out.push("|---|---|---|---|");
    out.push(`| state per tenant, max ÷ min over the sizes | ${v.stateSpread === null ? "—" : `${v.stateSpread.toFixed(3)}×`} | ≤ 1.05× (flat) | ${verdict(v.stateSpread === null ? null : v.stateSpread <= 1.05)} |`);
    out.push(`| serialized provider per dynamic resource | largest ${Math.max(...points.map((p) => p.state.largestProvider)).toLocaleString("en-US")} bytes | < 10 KB | ${verdict(v.providersUnder10KB)} |`);
  }

  if (r.profile) {
    out.push("");
    out.push(`### Profile of (e) at ${formatSize(r.profile.size)} (node --cpu-prof, self time)`);
    for (const t of r.profile.threads) {
      out.push("");
      // node names profiles CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main thread.
      const thread = /\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(t.file)?.[1];
      const who = thread === undefined ? t.file : thread === "0" ? "main thread" : `worker thread ${thread}`;
      out.push(`${who}: ${(t.totalMs / 1000).toFixed(2)} s sampled`);
      out.push("");
      out.push("| Self ms | % | Function | Where |");
      out.push("|---:|---:|---|---|");
      for (const e of t.top) out.push(`| ${e.selfMs.toFixed(0)} | ${e.percent.toFixed(1)} | \`${e.fn}\` | ${e.where} |`);
    }
  }
  if (r.startupProfile) {
    out.push("");
    out.push(`### Profile of start-up: viva-drop inspect <drop> (tsc's output, one file per module; node --cpu-prof)`);
    out.push("");
    out.push(`${r.startupProfile.totalMs.toFixed(0)} ms sampled (the profiler slows it), charged to the innermost package or module on each sample's stack:`);
    out.push("");
    out.push("| ms | % | Where |");
    out.push("|---:|---:|---|");
    for (const e of r.startupProfile.top) out.push(`| ${e.ms.toFixed(1)} | ${e.percent.toFixed(1)} | ${cell(e.what)} |`);
  }
  if (r.notes.length > 0) {
    out.push("");
    for (const n of r.notes) out.push(`- Note: ${n}`);
  }
  return out.join("\n") + "\n";
}

/** Replaces what lies between the markers in `file` with `body` (atomically: temp file + rename). */
export function writeBetweenMarkers(file: string, body: string): void {
  const text = readFileSync(file, "utf8");
  const b = text.indexOf(BEGIN_MARKER);
  const e = text.indexOf(END_MARKER);
  if (b < 0 || e < b) throw new Error(`${file}: markers ${BEGIN_MARKER} … ${END_MARKER} not found`);
  const next = text.slice(0, b + BEGIN_MARKER.length) + "\n" + body.trimEnd() + "\n" + text.slice(e);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, file);
}
