/**
 * Issue 11's ingest bench: `viva-drop ingest` of the generated drop into a fresh DuckDB file against
 * DuckDB loading the same plaintext NDJSON itself (INSERT … SELECT … FROM read_json, the same columns
 * and types, the file read once beforehand so it is in the page cache), plus the load-strategy
 * measurement behind the DuckDB sink's design and, with --profile, where ingest spends its time.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { GeneratedDrop } from "./generate";
import { median, runMeasured, type RssMethod } from "./measure";
import { REPO, VIVA_DROP_BIN } from "./methods";
import { summariseProfile, type ThreadProfile } from "./profile";
import { formatSize } from "./size";

const CHILDREN = resolve(__dirname, "children");
const DUCKDB_API = dirname(require.resolve("@duckdb/node-api/package.json", { paths: [resolve(REPO, "decrypt-tool")] }));

/** Issue 11's targets for DuckDB. */
export const INGEST_TARGETS = { overReadJson: 1.5, peakRssBytes: 300e6, rssFlatGrowth: 1.2 };

export interface IngestRun {
  label: string;
  command: string;
  seconds: number[];
  median: number | null;
  peakRss: number | null;
  rows: number | null;
  skipped?: string;
}

export interface IngestBenchResult {
  /** (g) DuckDB read_json of the plaintext; (h) viva-drop ingest. */
  floor: IngestRun;
  ingest: IngestRun;
  /** (h)/(g). */
  ratio: number | null;
  strategies?: { rows: number; columns: number; appendPerValue: number; dataChunks: number; stagingOnConflict: number } | { skipped: string };
  profile?: ThreadProfile[];
}

export interface IngestBenchOptions {
  runs: number;
  scratch: string;
  rss: RssMethod;
  profile: boolean;
  failures: string[];
  log: (line: string) => void;
}

/** Measures ingest of `drop` (see the module comment). Failures are added to `opts.failures`; the rest still runs. */
export async function measureIngest(drop: GeneratedDrop, opts: IngestBenchOptions): Promise<IngestBenchResult> {
  const dir = join(opts.scratch, "ingest");
  mkdirSync(dir, { recursive: true });
  const tenantDir = dirname(drop.dropDir);
  const database = join(dir, "ingest.duckdb");
  const floorDatabase = join(dir, "read-json.duckdb");
  const plaintext = join(dir, "plaintext.ndjson");
  const columnsFile = join(dir, "columns.json");
  const freshDatabase = (file: string): void => {
    for (const suffix of ["", ".wal"]) rmSync(file + suffix, { force: true });
    rmSync(`${file}.tmp`, { recursive: true, force: true });
  };
  const node = process.execPath;
  const ingestStage = [node, VIVA_DROP_BIN, "ingest", tenantDir, "--sink", database, "--private-key", drop.privateKeyPath, "--quiet", "--json"];
  const floorStage = [node, resolve(CHILDREN, "duckdb-read-json.cjs"), DUCKDB_API, plaintext, columnsFile, floorDatabase];
  const ingest: IngestRun = { label: "viva-drop ingest --sink <fresh>.duckdb", command: "node viva-drop ingest <tenant> --sink <db>.duckdb --private-key <pem> --quiet --json", seconds: [], median: null, peakRss: null, rows: null };
  const floor: IngestRun = { label: "DuckDB: INSERT … SELECT … FROM read_json(plaintext)", command: "node children/duckdb-read-json.cjs <@duckdb/node-api> <plaintext> <columns> <db>.duckdb", seconds: [], median: null, peakRss: null, rows: null };
  const result: IngestBenchResult = { floor, ingest, ratio: null };

  try {
    // Untimed: the plaintext for the floor (viva-drop decrypt), and the column types ingest chose, read
    // from the table it made, so that the floor loads into the same shape.
    await runMeasured([[node, VIVA_DROP_BIN, "decrypt", drop.dropDir, "--private-key", drop.privateKeyPath, "--output", plaintext, "--quiet"]], { cwd: REPO, scratch: opts.scratch, stdout: "discard", rss: opts.rss });
    freshDatabase(database);
    await runMeasured([ingestStage], { cwd: REPO, scratch: opts.scratch, stdout: "capture", rss: opts.rss });
    writeFileSync(columnsFile, JSON.stringify(await dataColumns(database)));
    await runMeasured([["cat", plaintext]], { cwd: REPO, scratch: opts.scratch, stdout: "discard", rss: opts.rss });
  } catch (err) {
    opts.failures.push(`ingest: preparation failed: ${(err as Error).message.split("\n")[0]}`);
    ingest.skipped = floor.skipped = "preparation failed";
    rmSync(dir, { recursive: true, force: true });
    return result;
  }

  for (let i = 0; i < opts.runs; i++) {
    for (const [run, stage, file] of [
      [floor, floorStage, floorDatabase],
      [ingest, ingestStage, database],
    ] as const) {
      if (run.skipped) continue;
      freshDatabase(file);
      try {
        const r = await runMeasured([stage], { cwd: REPO, scratch: opts.scratch, stdout: "capture", rss: opts.rss });
        run.seconds.push(r.seconds);
        if (r.peakRss !== null) run.peakRss = Math.max(run.peakRss ?? 0, r.peakRss);
        run.rows = (JSON.parse(r.stdout) as { rows: number }).rows;
        opts.log(`  run ${i + 1}/${opts.runs} ingest ${run === floor ? "(g) read_json" : "(h) viva-drop"} ${r.seconds.toFixed(3)} s, ${r.peakRss === null ? "?" : (r.peakRss / 1e6).toFixed(1)} MB, ${run.rows} rows`);
      } catch (err) {
        opts.failures.push(`ingest ${run.label}: ${(err as Error).message.split("\n").slice(0, 2).join(" — ")}`);
        run.skipped = "failed";
      }
    }
  }
  for (const run of [floor, ingest]) {
    if (run.seconds.length > 0) run.median = median(run.seconds);
    if (run.rows !== null && run.rows !== drop.rows) opts.failures.push(`ingest ${run.label}: ${run.rows} rows in the table, the drop has ${drop.rows}`);
  }
  if (floor.median !== null && ingest.median !== null) result.ratio = ingest.median / floor.median;

  try {
    const r = await runMeasured([[node, resolve(CHILDREN, "duckdb-load-strategies.cjs"), DUCKDB_API, plaintext, String(Math.min(drop.rows, 50_000)), dir]], {
      cwd: REPO,
      scratch: opts.scratch,
      stdout: "capture",
      rss: opts.rss,
    });
    result.strategies = JSON.parse(r.stdout) as IngestBenchResult["strategies"];
  } catch (err) {
    result.strategies = { skipped: (err as Error).message.split("\n")[0] };
  }

  if (opts.profile) {
    const profiles = join(dir, "cpu-profiles");
    mkdirSync(profiles, { recursive: true });
    freshDatabase(database);
    try {
      await runMeasured([[node, "--cpu-prof", "--cpu-prof-dir", profiles, ...ingestStage.slice(1)]], { cwd: REPO, scratch: opts.scratch, stdout: "discard", rss: opts.rss });
      result.profile = readdirSync(profiles)
        .filter((f) => f.endsWith(".cpuprofile"))
        .sort()
        .map((f) => ({ file: f, ...summariseProfile(JSON.parse(readFileSync(join(profiles, f), "utf8")), 18) }));
    } catch (err) {
      opts.failures.push(`ingest --profile: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

// The data columns (after tenant_id … job_completed_at) of the person report table ingest created.
async function dataColumns(database: string): Promise<{ name: string; type: string }[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DuckDBInstance } = require(DUCKDB_API) as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(database, { access_mode: "READ_ONLY" });
  try {
    const conn = await instance.connect();
    const rows = (await conn.runAndReadAll("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'viva_person_report' ORDER BY column_index")).getRows();
    conn.closeSync();
    return rows.slice(5).map(([name, type]) => ({ name: String(name), type: String(type) === "TIMESTAMP WITH TIME ZONE" ? "TIMESTAMPTZ" : String(type) }));
  } finally {
    instance.closeSync();
  }
}

const mb = (bytes: number | null): string => (bytes === null ? "—" : (bytes / 1e6).toFixed(1));
const secs = (s: number | null): string => (s === null ? "—" : s.toFixed(2));
const verdict = (pass: boolean | null): string => (pass === null ? "—" : pass ? "**pass**" : "**FAIL**");

/** The markdown section for one drop size. */
export function renderIngest(result: IngestBenchResult, uncompressedBytes: number): string[] {
  const out: string[] = [];
  out.push("", `#### Ingest into DuckDB: ${formatSize(uncompressedBytes)} drop`, "");
  out.push("| | Method | Median s | MB/s | Peak RSS MB | Rows | Runs (s) |", "|---|---|---:|---:|---:|---:|---|");
  for (const [id, run] of [["g", result.floor], ["h", result.ingest]] as const) {
    if (run.skipped) {
      out.push(`| ${id} | ${run.label} | skipped | | | | ${run.skipped} |`);
      continue;
    }
    const rate = run.median === null ? "—" : (uncompressedBytes / 1e6 / run.median).toFixed(0);
    out.push(`| ${id} | ${run.label} | ${secs(run.median)} | ${rate} | ${mb(run.peakRss)} | ${run.rows?.toLocaleString("en-US") ?? "—"} | ${run.seconds.map((s) => secs(s)).join(", ")} |`);
  }
  out.push("", "| Check | Value | Target | Result |", "|---|---|---|---|");
  out.push(`| (h)/(g) ingest ÷ DuckDB read_json | ${result.ratio === null ? "—" : `${result.ratio.toFixed(2)}×`} | ≤ ${INGEST_TARGETS.overReadJson}× | ${verdict(result.ratio === null ? null : result.ratio <= INGEST_TARGETS.overReadJson)} |`);
  const rss = result.ingest.peakRss;
  out.push(`| peak RSS (h) | ${mb(rss)} MB | < ${INGEST_TARGETS.peakRssBytes / 1e6} MB | ${verdict(rss === null ? null : rss < INGEST_TARGETS.peakRssBytes)} |`);
  const s = result.strategies;
  if (s && "rows" in s) {
    out.push("", `Load strategies (same ${s.rows.toLocaleString("en-US")} typed rows × ${s.columns} columns, one transaction each, seconds): appender call per value ${s.appendPerValue.toFixed(2)}, data chunks filled per column ${s.dataChunks.toFixed(2)} (the sink's way), chunks into a staging table then INSERT … ON CONFLICT into a PRIMARY KEY table ${s.stagingOnConflict.toFixed(2)}.`);
  } else if (s) {
    out.push("", `Load strategies: skipped (${s.skipped}).`);
  }
  if (result.profile) {
    for (const t of result.profile) {
      out.push("", `Profile of (h) (node --cpu-prof, self time), ${t.file.includes(".0.") ? "main thread" : t.file}: ${(t.totalMs / 1000).toFixed(2)} s sampled`, "");
      out.push("| Self ms | % | Function | Where |", "|---:|---:|---|---|");
      for (const e of t.top) out.push(`| ${e.selfMs.toFixed(0)} | ${e.percent.toFixed(1)} | \`${e.fn}\` | ${e.where} |`);
    }
  }
  return out;
}

/** Ingest's peak RSS across sizes: flat when the largest size's is within 1.2× of the smallest's. */
export function renderIngestFlatness(sizes: { uncompressedBytes: number; ingest?: IngestBenchResult }[]): string[] {
  const measured = sizes.filter((s) => s.ingest?.ingest.peakRss != null).sort((a, b) => a.uncompressedBytes - b.uncompressedBytes);
  if (measured.length < 2) return [];
  const lo = measured[0].ingest!.ingest.peakRss!;
  const hi = measured[measured.length - 1].ingest!.ingest.peakRss!;
  const growth = hi / lo;
  return [
    "",
    "| Check | Value | Target | Result |",
    "|---|---|---|---|",
    `| peak RSS (h) ${formatSize(measured[measured.length - 1].uncompressedBytes)} ÷ ${formatSize(measured[0].uncompressedBytes)} | ${growth.toFixed(2)}× (${mb(hi)} vs ${mb(lo)} MB) | ≤ ${INGEST_TARGETS.rssFlatGrowth}× (flat) | ${verdict(growth <= INGEST_TARGETS.rssFlatGrowth)} |`,
  ];
}
