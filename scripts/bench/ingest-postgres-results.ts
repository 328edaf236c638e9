/**
 * Ingest into PostgreSQL (issue 11): the results' types, the targets, the checks, the markdown, and
 * starting the measurement (ingest-postgres.ts) as a child process — it runs a PostgreSQL server,
 * whose library hooks the process's exit, so it stays out of the bench's own process.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RssMethod } from "./measure";
import type { Check } from "./report";
import { formatSize } from "./size";

export const INGEST_POSTGRES_TARGETS = {
  sinkOverFloor: 1.5, // (p5)/(p1) and (p7)/(p1) at most
  peakRssBytes: 300e6, // (p5), (p6) under
  rssFlatGrowth: 1.2, // (p5) RSS largest size / smallest size at most
};

export type IngestPostgresId = "p1" | "p2" | "p3" | "p4" | "p5" | "p6" | "p7";

export interface IngestPostgresMethod {
  id: IngestPostgresId;
  label: string;
  command: string;
  seconds: number[];
  median: number | null;
  mbPerSecond: number | null;
  peakRss: number | null;
  rows: number | null;
  skipped?: string;
}

export interface IngestPostgresSize {
  requestedBytes: number;
  /** Plaintext NDJSON bytes (what MB/s is computed on). */
  uncompressedBytes: number;
  csvBytes: number;
  rows: number;
  generateSeconds: number;
  methods: IngestPostgresMethod[];
  checks: Check[];
  /** (p3), (p4), the rest of (p5): where the sink's time goes. */
  breakdown: string | null;
}

export interface IngestPostgresResult {
  server: string;
  sizes: IngestPostgresSize[];
  flat: Check | null;
}

export const LABELS: Record<IngestPostgresId, string> = {
  p1: "floor: COPY … FROM '<csv>' (server reads the file)",
  p2: "COPY … FROM STDIN, CSV streamed by a client (psql \\copy)",
  p3: "read + JSON.parse + type into RowBatches, no database",
  p4: "(p3) + the sink's binary COPY encoding, no database",
  p5: "viva-drop ingest of the drop: the tenant's first (decrypt, verify, COPY into the table)",
  p6: "sink: reload as a newer drop, every row wins (staged upsert)",
  p7: "sink fed RowBatches built in memory (no NDJSON parsing): the sink alone",
};

const ratio = (x: number | null | undefined, y: number | null | undefined): number | null => (x == null || y == null || y === 0 ? null : x / y);
const fx = (v: number | null): string => (v === null ? "—" : `${v.toFixed(2)}×`);
const mb = (b: number | null): string => (b === null ? "—" : (b / 1e6).toFixed(1));
const secs = (s: number | null): string => (s === null ? "—" : s < 1 ? s.toFixed(3) : s.toFixed(2));

export function checksFor(methods: IngestPostgresMethod[]): Check[] {
  const m = (id: IngestPostgresId): IngestPostgresMethod | undefined => methods.find((x) => x.id === id);
  const t = (id: IngestPostgresId): number | null => m(id)?.median ?? null;
  const over = ratio(t("p5"), t("p1"));
  const checks: Check[] = [
    { name: "(p5)/(p1) viva-drop ingest ÷ COPY floor", value: fx(over), target: `≤ ${INGEST_POSTGRES_TARGETS.sinkOverFloor}×`, pass: over === null ? null : over <= INGEST_POSTGRES_TARGETS.sinkOverFloor },
    { name: "(p5)/(p2) viva-drop ingest ÷ client COPY", value: fx(ratio(t("p5"), t("p2"))), target: "—", pass: null },
    (() => {
      const alone = ratio(t("p7"), t("p1"));
      return { name: "(p7)/(p1) the sink alone ÷ COPY floor", value: fx(alone), target: `≤ ${INGEST_POSTGRES_TARGETS.sinkOverFloor}×`, pass: alone === null ? null : alone <= INGEST_POSTGRES_TARGETS.sinkOverFloor };
    })(),
    { name: "(p6)/(p1) reload ÷ COPY floor", value: fx(ratio(t("p6"), t("p1"))), target: "—", pass: null },
  ];
  for (const id of ["p5", "p6", "p7"] as const) {
    const rss = m(id)?.peakRss ?? null;
    checks.push({ name: `peak RSS (${id})`, value: rss === null ? "—" : `${mb(rss)} MB`, target: `< ${INGEST_POSTGRES_TARGETS.peakRssBytes / 1e6} MB`, pass: rss === null ? null : rss < INGEST_POSTGRES_TARGETS.peakRssBytes });
  }
  return checks;
}

export function breakdownOf(methods: IngestPostgresMethod[]): string | null {
  const t = (id: IngestPostgresId): number | null => methods.find((x) => x.id === id)?.median ?? null;
  const [parse, encode, sink, floor, alone] = [t("p3"), t("p4"), t("p5"), t("p1"), t("p7")];
  if (parse === null || encode === null || sink === null || floor === null || alone === null) return null;
  return (
    `(p5), the whole command from the encrypted drop, takes ${secs(sink)} s. Reading and typing the plaintext NDJSON — the engine's part — takes ${secs(parse)} s (p3) ` +
    `and the sink's binary COPY encoding ${secs(Math.max(encode - parse, 0))} s more (p4). Fed ready RowBatches, the sink loads the same rows in ${secs(alone)} s (p7), ` +
    `${fx(ratio(alone, floor))} the server's own COPY of the CSV (p1, ${secs(floor)} s): PostgreSQL reads binary COPY without parsing a number. ` +
    `Node and the server work at the same time on the two cores, so (p5) is at least the slower of (p4) and (p7); it is ${fx(ratio(sink, Math.max(encode, alone)))} that ` +
    `(the rest: decryption and verification, on the same cores).`
  );
}

export function flatnessOf(sizes: IngestPostgresSize[]): Check | null {
  if (sizes.length < 2) return null;
  const sorted = [...sizes].sort((a, b) => a.uncompressedBytes - b.uncompressedBytes);
  const rss = (s: IngestPostgresSize): number | null => s.methods.find((x) => x.id === "p5")?.peakRss ?? null;
  const [lo, hi] = [rss(sorted[0]), rss(sorted[sorted.length - 1])];
  const g = ratio(hi, lo);
  return {
    name: `peak RSS (p5) ${formatSize(sorted[sorted.length - 1].uncompressedBytes)} ÷ ${formatSize(sorted[0].uncompressedBytes)}`,
    value: `${fx(g)} (${mb(hi)} vs ${mb(lo)} MB)`,
    target: `≤ ${INGEST_POSTGRES_TARGETS.rssFlatGrowth}× (flat)`,
    pass: g === null ? null : g <= INGEST_POSTGRES_TARGETS.rssFlatGrowth,
  };
}

const cell = (text: string): string => text.replace(/\|/g, "\\|");
const verdict = (pass: boolean | null): string => (pass === null ? "—" : pass ? "**pass**" : "**FAIL**");

/** The markdown section. */
export function renderIngestPostgres(r: IngestPostgresResult): string[] {
  const out: string[] = [];
  for (const s of r.sizes) {
    out.push("", `### Ingest into PostgreSQL: ${formatSize(s.uncompressedBytes)} drop`, "");
    out.push(`${s.rows.toLocaleString("en-US")} rows; ${formatSize(s.uncompressedBytes)} as NDJSON, ${formatSize(s.csvBytes)} as CSV; generated in ${s.generateSeconds.toFixed(1)} s. ${r.server}.`, "");
    out.push("| | Method | Median s | MB/s | Peak RSS MB | Rows | Runs (s) |", "|---|---|---:|---:|---:|---:|---|");
    for (const m of s.methods) {
      if (m.skipped) {
        out.push(`| ${m.id} | ${cell(m.label)} | skipped | | | | ${cell(m.skipped)} |`);
        continue;
      }
      out.push(`| ${m.id} | ${cell(m.label)} | ${secs(m.median)} | ${m.mbPerSecond === null ? "—" : m.mbPerSecond.toFixed(0)} | ${mb(m.peakRss)} | ${m.rows === null ? "—" : m.rows.toLocaleString("en-US")} | ${m.seconds.map((x) => secs(x)).join(", ")} |`);
    }
    out.push("", "| Check | Value | Target | Result |", "|---|---|---|---|");
    for (const c of s.checks) out.push(`| ${cell(c.name)} | ${cell(c.value)} | ${c.target} | ${verdict(c.pass)} |`);
    if (s.breakdown) out.push("", `Where the time goes: ${s.breakdown}`);
  }
  if (r.sizes.length > 0) {
    out.push("", "Commands (`<url>` = a fresh database, `<csv>`/`<ndjson>` = the generated rows, `<tenant>` = their tenant; MB/s on the NDJSON bytes):", "");
    for (const m of r.sizes[0].methods) out.push(`- (${m.id}) \`${m.command}\``);
  }
  if (r.flat) out.push("", "| Check | Value | Target | Result |", "|---|---|---|---|", `| ${cell(r.flat.name)} | ${cell(r.flat.value)} | ${r.flat.target} | ${verdict(r.flat.pass)} |`);
  return out;
}

/** Runs ingest-postgres.ts in a child process; its log goes to stderr. */
export async function measureIngestPostgresInChild(
  sizes: number[],
  opts: { runs: number; scratch: string; rss: RssMethod },
): Promise<{ result: IngestPostgresResult | null; failures: string[] }> {
  const json = join(opts.scratch, "ingest-postgres.json");
  const args = ["--import", "tsx", resolve(__dirname, "ingest-postgres.ts"), "--size", sizes.join(","), "--runs", String(opts.runs), "--rss", opts.rss, "--json", json];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    // The bench stopped by a signal stops this child too, with SIGTERM: it then stops its PostgreSQL server
    // (a Ctrl-C reaches it from the terminal as well; it stops once). First in line: run.ts's own handler exits.
    const stop = (): void => void child.kill("SIGTERM");
    process.prependListener("SIGINT", stop);
    process.prependListener("SIGTERM", stop);
    child.on("error", fail);
    child.on("close", (c) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done(c);
    });
  });
  try {
    const out = JSON.parse(readFileSync(json, "utf8")) as { result: IngestPostgresResult | null; failures: string[] };
    return code === 0 ? out : { result: out.result, failures: [...out.failures, `exited with ${code}`] };
  } catch {
    return { result: null, failures: [`exited with ${code} and wrote no results`] };
  } finally {
    rmSync(json, { force: true });
  }
}
