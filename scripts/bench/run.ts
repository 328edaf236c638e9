/**
 * npm run bench — issues 5 and 10: decrypt throughput and memory against the shell pipeline a partner
 * would write and against the floor (also with both pinned to one core), start-up, and plan scaling. See
 * BENCHMARKS.md for what is measured and why.
 *
 *   npm run bench -- [--size 100m,400m,1g] [--runs 3] [--skip-pinned] [--skip-startup] [--startup-runs 20]
 *                    [--instructions] [--skip-plan] [--plan-sizes 10,100,1000] [--plan-timeout 300]
 *                    [--profile] [--write] [--smoke] [--json <file>] [--keep]
 *
 * Everything generated (drops, keys, plan configs, profiles) lives in one mkdtemp folder that is
 * removed at the end, on failure and on Ctrl-C / SIGTERM (--keep leaves it, for debugging).
 * Exit status: 0 when every measurement ran and the row counts agree (a missed performance target is
 * reported, not an error); 1 when a command failed, a method could not run, or counts disagree
 * (the other methods still run and are reported; --write then leaves BENCHMARKS.md alone).
 */
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateDrop, type GeneratedDrop } from "./generate";
import { detectRssMethod, displayPipeline, killRunning, median, runMeasured, type RssMethod } from "./measure";
import { decryptCountStages, detectTools, methodsFor, REPO, type Method } from "./methods";
import { judgePlan, measurePlan } from "./plan-scaling";
import { measureIngestPostgresInChild } from "./ingest-postgres-results";
import { profileDecrypt, profileStartup } from "./profile";
import { measureIngest } from "./ingest";
import { checksFor, describeMachine, renderMarkdown, writeBetweenMarkers, type BenchResult, type MethodResult, type SizeResult } from "./report";
import { formatSize, parseSize } from "./size";
import { measureStartup } from "./startup";

const BENCHMARKS_MD = resolve(REPO, "BENCHMARKS.md");

const USAGE = `usage: npm run bench -- [options]
  --size <s>[,<s>…]   uncompressed drop size(s): 20m, 400m, 1g (decimal units; default 100m,400m,1g)
  --runs <n>          timed runs per method (default 3; median reported)
  --skip-pinned       do not run the floor and decrypt pinned to one core (taskset -c 0)
  --skip-startup      do not measure start-up (node -e 0, viva-drop --help, viva-drop inspect)
  --startup-runs <n>  timed runs per start-up command (default 20)
  --instructions      also count start-up instructions with valgrind's callgrind (stable under load)
  --skip-plan         do not measure plan scaling
  --skip-ingest-postgres  do not measure ingest into PostgreSQL
  --skip-ingest       do not measure viva-drop ingest into DuckDB (issue 11)
  --plan-sizes <list> tenant counts for plan scaling (default 10,100,1000)
  --plan-timeout <s>  stop plan scaling when one plan run takes longer (default 300)
  --profile           also run (e) under node --cpu-prof and list the top self-time functions
  --write             write the results into BENCHMARKS.md between its markers
  --smoke             tiny drop, 1 run, plan at 2 and 5 tenants (seconds; what CI runs)
  --json <file>       also write the results as JSON
  --keep              keep the temp folder (drops, key, configs) for inspection
`;

interface Options {
  sizes: number[];
  runs: number;
  pinned: boolean;
  startup: boolean;
  startupRuns: number;
  instructions: boolean;
  plan: boolean;
  ingestPostgres: boolean;
  ingest: boolean;
  planSizes: number[];
  planTimeout: number;
  profile: boolean;
  write: boolean;
  smoke: boolean;
  json?: string;
  keep: boolean;
  command: string;
}

export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string" },
      runs: { type: "string" },
      "skip-pinned": { type: "boolean", default: false },
      "skip-startup": { type: "boolean", default: false },
      "startup-runs": { type: "string" },
      instructions: { type: "boolean", default: false },
      "skip-plan": { type: "boolean", default: false },
      "skip-ingest-postgres": { type: "boolean", default: false },
      "skip-ingest": { type: "boolean", default: false },
      "plan-sizes": { type: "string" },
      "plan-timeout": { type: "string" },
      profile: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      json: { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const smoke = values.smoke!;
  const list = (text: string, what: string): number[] =>
    text.split(",").map((x) => {
      const n = Number(x.trim());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${what}: "${x}" is not a positive integer`);
      return n;
    });
  const runs = values.runs !== undefined ? list(values.runs, "runs")[0] : smoke ? 1 : 3;
  const shown = argv.filter((a, i) => a !== "--keep" && a !== "--json" && argv[i - 1] !== "--json" && !a.startsWith("--json="));
  return {
    sizes: (values.size ?? (smoke ? "3m" : "100m,400m,1g")).split(",").map(parseSize),
    runs,
    pinned: !values["skip-pinned"],
    startup: !values["skip-startup"],
    startupRuns: values["startup-runs"] !== undefined ? list(values["startup-runs"], "startup-runs")[0] : smoke ? 3 : 20,
    instructions: values.instructions!,
    plan: !values["skip-plan"],
    ingestPostgres: !values["skip-ingest-postgres"],
    ingest: !values["skip-ingest"],
    planSizes: values["plan-sizes"] !== undefined ? list(values["plan-sizes"], "plan-sizes") : smoke ? [2, 5] : [10, 100, 1000],
    planTimeout: values["plan-timeout"] !== undefined ? list(values["plan-timeout"], "plan-timeout")[0] : 300,
    profile: values.profile!,
    write: values.write!,
    smoke,
    json: values.json,
    keep: values.keep!,
    command: ["npm run bench", ...(shown.length > 0 ? ["--", ...shown] : [])].join(" "),
  };
}

/**
 * Removes temp folders of earlier runs whose process is gone (a run killed with SIGKILL, or by tsx's
 * own signal relay, cannot clean up after itself). Folders are named viva-bench-<pid>-XXXXXX.
 */
function sweepStaleTempFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^viva-bench-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

/** Fails early when the temp folder's disk cannot hold the encrypted drop (≈ 15–20 % of the size). */
function checkDisk(dir: string, bytes: number): void {
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  if (free < bytes * 0.3 + 100e6) throw new Error(`not enough space in ${dir}: ${formatSize(free)} free, need ~${formatSize(bytes * 0.3)}`);
}

/** A command line with the run's temp paths and secrets replaced by placeholders (for the report). */
function anonymise(command: string, drop: GeneratedDrop): string {
  return command
    .split(drop.dataFile).join("<data>")
    .split(drop.dropDir).join("<drop>")
    .split(drop.privateKeyPath).join("<pem>")
    .split(drop.keyHex).join("<key>")
    .split(drop.ivHex).join("<iv>")
    .split(process.execPath).join("node")
    .split(REPO + "/").join("");
}

async function measureSize(
  requested: number,
  opts: Options,
  ctx: { root: string; rss: RssMethod; failures: string[]; notes: string[] },
  /** Called with the drop still on disk, after the measurements (the --profile hook). */
  beforeDelete: (drop: GeneratedDrop, methods: Method[]) => Promise<void>,
): Promise<SizeResult> {
  checkDisk(ctx.root, requested);
  const dir = mkdtempSync(join(ctx.root, "drop-"));
  log(`generating a ${formatSize(requested)} drop in ${dir}`);
  const t0 = process.hrtime.bigint();
  const drop = await generateDrop({ dir, bytes: requested });
  const generateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`  ${drop.rows} rows, ${formatSize(drop.uncompressedBytes)} → ${formatSize(drop.encryptedBytes)} encrypted, ${generateSeconds.toFixed(1)} s`);

  const tools = detectTools();
  const methods = methodsFor(drop, tools, opts.pinned);
  // jq and taskset are optional: without them (c) and the pinned pair are skipped with a note.
  const optional = new Set(["c", "a1", "e1"]);
  for (const m of methods) if (m.skipped && !optional.has(m.id)) ctx.failures.push(`(${m.id}) ${m.label}: ${m.skipped}`);
  const c = methods.find((m) => m.id === "c")!;
  if (c.skipped && !ctx.notes.some((n) => n.startsWith("(c)"))) ctx.notes.push(`(c) skipped: ${c.skipped} (install jq to compare against it)`);
  const pinned = methods.find((m) => m.id === "e1");
  if (pinned?.skipped && !ctx.notes.some((n) => n.startsWith("(a1), (e1)"))) ctx.notes.push(`(a1), (e1) skipped: ${pinned.skipped}`);
  const run = (m: Method) => runMeasured(m.stages, { cwd: REPO, scratch: ctx.root, stdout: m.stdout, rss: ctx.rss });

  const results = new Map<string, MethodResult>(
    methods.map((m) => [
      m.id,
      { id: m.id, label: m.label, command: anonymise(displayPipeline(m.stages, m.stdout), drop), skipped: m.skipped, seconds: [], median: null, mbPerSecond: null, peakRss: null, rows: null },
    ]),
  );

  // A method whose command fails is reported, marked and not run again; the others go on.
  const failed = (m: Method, err: unknown): void => {
    const first = (err instanceof Error ? err.message : String(err)).split("\n");
    const why = first.slice(1).filter((l) => l.trim() !== "").pop() ?? first[0];
    ctx.failures.push(`(${m.id}) ${m.label}: ${anonymise(first[0], drop)}${why !== first[0] ? ` — ${anonymise(why, drop)}` : ""}`);
    m.skipped = `failed: ${anonymise(why, drop).slice(0, 160)}`;
    results.get(m.id)!.skipped = m.skipped;
  };

  // (e)'s row count: one untimed `viva-drop decrypt | wc -l` (also warms the page cache and node).
  let decryptRows: number | null = null;
  const e = methods.find((m) => m.id === "e")!;
  let identical: boolean | null = null;
  if (!e.skipped) {
    try {
      const r = await runMeasured(decryptCountStages(e), { cwd: REPO, scratch: ctx.root, stdout: "capture", rss: ctx.rss });
      const counted = JSON.parse(r.stdout) as { rows: number; bytes: number; sha256: string };
      decryptRows = counted.rows;
      identical = counted.bytes === drop.uncompressedBytes && counted.sha256 === drop.sha256;
    } catch (err) {
      failed(e, err);
    }
  }

  for (let i = 0; i < opts.runs; i++) {
    for (const m of methods) {
      if (m.skipped) continue;
      let res;
      try {
        res = await run(m);
      } catch (err) {
        failed(m, err);
        continue;
      }
      const out = results.get(m.id)!;
      out.seconds.push(res.seconds);
      if (res.peakRss !== null) out.peakRss = Math.max(out.peakRss ?? 0, res.peakRss);
      const rows = m.id === "e" || m.id === "e1" ? decryptRows : m.rows(res.stdout);
      if (rows !== null) {
        if (out.rows !== null && out.rows !== rows) ctx.failures.push(`(${m.id}) counted ${rows} rows on run ${i + 1}, ${out.rows} before`);
        out.rows = rows;
      }
      if (m.bytes) {
        const bytes = m.bytes(res.stdout);
        if (bytes !== drop.uncompressedBytes) ctx.failures.push(`(${m.id}) saw ${bytes} uncompressed bytes, the drop has ${drop.uncompressedBytes}`);
      }
      log(`  run ${i + 1}/${opts.runs} (${m.id}) ${res.seconds.toFixed(3)} s, ${res.peakRss === null ? "?" : (res.peakRss / 1e6).toFixed(1)} MB${rows !== null ? `, ${rows} rows` : ""}`);
    }
  }
  for (const r of results.values()) {
    if (r.seconds.length === 0) continue;
    r.median = median(r.seconds);
    r.mbPerSecond = drop.uncompressedBytes / 1e6 / r.median;
  }

  // Correctness guard: every method that counts rows must count exactly the rows generated.
  const counted: string[] = [];
  let agree = true;
  for (const id of ["b", "c", "d", "e", "f"] as const) {
    const r = results.get(id)!;
    if (r.skipped) continue;
    if (r.rows === null) {
      ctx.failures.push(`(${id}) ${r.label}: no row count`);
      continue;
    }
    counted.push(`${id}=${r.rows.toLocaleString("en-US")}`);
    if (r.rows !== drop.rows) {
      agree = false;
      ctx.failures.push(`(${id}) ${r.label} counted ${r.rows} rows; the drop has ${drop.rows}`);
    }
  }
  const rowCheck =
    `${counted.join(", ")} — ${agree ? "agree with" : "**DISAGREE** with"} the ${drop.rows.toLocaleString("en-US")} rows generated (NumberOfRowsExtracted)` +
    (identical === null ? "" : identical ? "; (e)'s output is byte-identical to the generated NDJSON (SHA-256)" : "; (e)'s output differs from the generated NDJSON bytes (re-serialized?)");

  const ingest = opts.ingest ? await measureIngest(drop, { runs: opts.runs, scratch: ctx.root, rss: ctx.rss, profile: opts.profile, failures: ctx.failures, log }) : undefined;
  await beforeDelete(drop, methods);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  const list = [...results.values()];
  return {
    requestedBytes: requested,
    uncompressedBytes: drop.uncompressedBytes,
    encryptedBytes: drop.encryptedBytes,
    rows: drop.rows,
    people: drop.people,
    generateSeconds,
    methods: list,
    checks: checksFor(list),
    rowCheck,
    decryptOutputIdentical: identical,
    ingest,
  };
}

export async function main(argv: string[]): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  sweepStaleTempFolders();
  const root = mkdtempSync(join(tmpdir(), `viva-bench-${process.pid}-`));
  const cleanup = (): void => {
    // Retries: a file the generator is creating at that moment makes a first pass fail with ENOTEMPTY.
    if (!o.keep) rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  };
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    // A second Ctrl-C (or SIGTERM) while the folder is being removed must not kill the process half-way.
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping, removing ${root}`);
    killRunning();
    cleanup();
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.once("exit", cleanup);

  const rss = detectRssMethod();
  const failures: string[] = [];
  const notes: string[] = [];
  if (rss !== "gnu-time") notes.push("GNU time (/usr/bin/time) not found: peak RSS sampled from /proc every 20 ms (apt-get install time for exact figures)");
  if (o.smoke) notes.push("smoke size: start-up dominates; the targets are set for 400 MB and 1 GB drops");
  const result: BenchResult = {
    date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    command: o.command,
    runs: o.runs,
    smoke: o.smoke,
    machine: describeMachine(rss),
    sizes: [],
    plan: { skipped: "--skip-plan" },
    load: { start: loadavg()[0], end: 0 },
    notes,
  };
  const largest = Math.max(...o.sizes);
  for (const size of o.sizes) {
    try {
      const sr = await measureSize(size, o, { root, rss, failures, notes }, async (drop, methods) => {
        if (!o.profile || size !== largest) return;
        const e = methods.find((m) => m.id === "e")!;
        if (e.skipped) return;
        log(`profiling (e) at ${formatSize(size)}`);
        try {
          result.profile = { size: drop.uncompressedBytes, threads: await profileDecrypt(e, { scratch: root, rss }) };
        } catch (err) {
          failures.push(`--profile: ${(err as Error).message.split("\n")[0]}`);
        }
      });
      result.sizes.push(sr);
    } catch (err) {
      failures.push(`${formatSize(size)} drop: ${(err as Error).message}`);
    }
  }
  if (o.ingestPostgres) {
    const { result: ingest, failures: failed } = await measureIngestPostgresInChild(o.sizes, { runs: o.runs, scratch: root, rss });
    if (ingest) result.ingestPostgres = ingest;
    failures.push(...failed.map((f) => `ingest-postgres: ${f}`));
  }
  if (o.startup) {
    try {
      const dir = mkdtempSync(join(root, "startup-"));
      const drop = await generateDrop({ dir, bytes: 1e6 });
      log(`start-up: ${o.startupRuns} runs each${o.instructions ? ", then instructions under callgrind" : ""}`);
      result.startup = await measureStartup({ dropDir: drop.dropDir, runs: o.startupRuns, cwd: REPO, instructions: o.instructions, log });
      if (o.profile) result.startupProfile = await profileStartup(drop.dropDir, { scratch: root, rss });
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      result.startup = { skipped: "failed (see the notes)" };
      failures.push(`start-up: ${(err as Error).message.split("\n")[0]}`);
    }
  } else {
    result.startup = { skipped: "--skip-startup" };
  }
  if (o.plan) {
    try {
      log(`plan scaling at ${o.planSizes.join(", ")} tenants`);
      const { points, timedOut } = await measurePlan({ sizes: o.planSizes, runs: o.runs, scratch: root, rss, timeoutSeconds: o.planTimeout, log });
      result.plan = { points, verdict: judgePlan(points, timedOut), timedOut };
    } catch (err) {
      result.plan = { skipped: "failed (see the notes)" };
      failures.push(`plan scaling: ${(err as Error).message}`);
    }
  }
  result.load!.end = loadavg()[0];
  const missed = result.sizes.flatMap((s) => s.checks.filter((c) => c.pass === false && /decrypt|verify|jq/.test(c.name)));
  if (missed.length > 0 && !o.profile) notes.push("a decrypt target was missed: run again with --profile to see where (e) spends its time");
  for (const f of failures) notes.push(`FAILED: ${f}`);

  const md = renderMarkdown(result);
  process.stdout.write(md);
  if (o.json) writeFileSync(o.json, JSON.stringify({ ...result, failures }, null, 2));
  if (failures.length > 0) {
    process.stderr.write(`bench: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
    if (o.write) process.stderr.write("bench: BENCHMARKS.md not written (failures)\n");
    return 1;
  }
  if (o.write) {
    writeBetweenMarkers(BENCHMARKS_MD, md);
    log(`results written to ${BENCHMARKS_MD}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
