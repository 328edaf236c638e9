/**
 * The benchmark harness (issue 5) in smoke size: it must complete, its correctness guard must hold,
 * its report must be complete, and it must leave nothing behind. No timing is asserted anywhere.
 */
import { execFile, spawn } from "node:child_process";
import { createDecipheriv, createHash, constants, privateDecrypt } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDrop } from "../scripts/bench/generate";
import { jsonField } from "../scripts/bench/methods";
import { countPlan, judgePlan, planConfig } from "../scripts/bench/plan-scaling";
import { estimateState } from "../scripts/bench/state-size";
import { BEGIN_MARKER, END_MARKER, checksFor, startupChecks, writeBetweenMarkers, type MethodResult } from "../scripts/bench/report";
import { parseSize } from "../scripts/bench/size";

const REPO = resolve(__dirname, "..");
/**
 * How `npm run bench` starts the bench: one node process with tsx's loader. (The tsx CLI would put a parent
 * in front that relays Ctrl-C and SIGKILLs its child if the child's event loop takes 60 ms to answer.)
 */
const BENCH = [process.execPath, "--import", "tsx"] as const;
const RUN = join(REPO, "scripts", "bench", "run.ts");
const run = promisify(execFile);

const scratch: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
};
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe("generateDrop", () => {
  it("writes a drop an independent reader can open: key wrap, AES, gzip, rows and metadata agree", async () => {
    const dir = tempDir("bench-gen-");
    const drop = await generateDrop({ dir, bytes: 3e6 });

    const meta = JSON.parse(readFileSync(join(drop.dropDir, "metadata", "JobMetadata", "Metadata.json"), "utf8"));
    expect(meta.TenantId).toBe(drop.tenantId);
    expect(meta.Errors).toBe("");
    expect(meta.TableName).toBe("VivaInsightsDataset_PersonReport_v1");
    expect(meta.NumberOfRowsExtracted).toBe(drop.rows);
    expect(meta.ColumnsRequested.split(",").slice(0, 2)).toEqual(["PersonId", "MetricDate"]);
    for (const f of ["CopyActivityId", "JobSubmissionTime", "JobCompletionTime", "RequestStartDate", "RequestEndDate", "DataFactoryName", "ApplicationId", "OfficeGeo", "ExtractionResultId", "PublicKeyVersion"]) {
      expect(meta[f], f).toEqual(expect.any(String));
    }

    // The seed's key form: RSA-OAEP (SHA-1) over the UTF-16LE text of the Base64 AES key: 88 bytes.
    const details = meta.DecryptionKeyDetails;
    expect(details.DecryptionKeyType).toBe("File");
    const keyText = privateDecrypt(
      { key: readFileSync(drop.privateKeyPath), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      Buffer.from(details.value, "base64"),
    );
    expect(keyText.length).toBe(88);
    const key = Buffer.from(keyText.toString("utf16le"), "base64");
    expect(key.toString("hex")).toBe(drop.keyHex);
    expect(Buffer.from(details.iv, "base64").toString("hex")).toBe(drop.ivHex);

    const encrypted = readFileSync(drop.dataFile);
    expect(encrypted.length).toBe(drop.encryptedBytes);
    const decipher = createDecipheriv("aes-256-cbc", key, Buffer.from(details.iv, "base64"));
    const text = gunzipSync(Buffer.concat([decipher.update(encrypted), decipher.final()])).toString("utf8");
    expect(Buffer.byteLength(text)).toBe(drop.uncompressedBytes);
    expect(createHash("sha256").update(text).digest("hex")).toBe(drop.sha256);
    expect(drop.uncompressedBytes).toBeGreaterThanOrEqual(3e6);

    const lines = text.split("\n");
    expect(lines.pop()).toBe(""); // every row ends in \n
    expect(lines.length).toBe(drop.rows);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // More rows than the 1,000-row sample: the second repetition has fresh PersonIds.
    expect(drop.rows).toBeGreaterThan(1000);
    const people = new Set(rows.map((r) => r.PersonId));
    expect(people.size).toBe(drop.people);
    expect(people.size).toBeGreaterThan(84);
    const sample = readFileSync(join(REPO, "fixtures", "VivaInsightsDataset_v1.json"), "utf8");
    expect(sample.includes(String(rows[0].PersonId))).toBe(false);
    expect(Object.keys(rows[0])).toEqual(meta.ColumnsRequested.split(/,(?! )/)); // column names may hold ", "
  });
});

describe("bench helpers", () => {
  it("parses decimal sizes and rejects nonsense", () => {
    expect(parseSize("400m")).toBe(400e6);
    expect(parseSize("1g")).toBe(1e9);
    expect(parseSize("1.5GB")).toBe(1.5e9);
    expect(() => parseSize("lots")).toThrow(/invalid size/);
    expect(() => parseSize("0m")).toThrow(/positive/);
  });

  it("reads a count from the JSON a method prints, and nothing from anything else", () => {
    expect(jsonField("rows")('{\n  "rows": 1234,\n  "people": 12\n}\n')).toBe(1234);
    expect(jsonField("rows")('{"rows": "1234"}')).toBeNull();
    expect(jsonField("rows")("rows: 1234")).toBeNull();
  });

  it("counts a plan's platform and per-tenant resources from the parent links", () => {
    const plan = [
      { type: "viva-partner:platform:Platform", name: "platform", parent: null },
      { type: "azure-native:keyvault:Vault", name: "platform-kv", parent: "platform" },
      { type: "viva-partner:tenant:Tenant", name: "tenant-a", parent: null },
      { type: "azure-native:datafactory:Factory", name: "tenant-a-adf", parent: "tenant-a" },
      { type: "azure-native:datafactory:Pipeline", name: "tenant-a-pipe", parent: "tenant-a-adf" },
      { type: "viva-partner:tenant:Tenant", name: "tenant-b", parent: null },
      { type: "azure-native:datafactory:Factory", name: "tenant-b-adf", parent: "tenant-b" },
    ];
    expect(countPlan(plan)).toEqual({ resources: 7, platform: 2, perTenant: { min: 2, max: 3, mean: 2.5 } });
  });

  it("calls plan growth linear only with constant resources and per-tenant time", () => {
    const point = (tenants: number, median: number, platform = 13) => ({
      tenants,
      resources: platform + 15 * tenants,
      platform,
      perTenant: { min: 14, max: 16, mean: 15 },
      seconds: [median],
      median,
      peakRss: null,
      state: { total: 0, platform: 0, perTenant: { mean: 20_000, min: 19_000, max: 21_000 }, providersPerTenant: 14_000, largestProvider: 3_600 },
    });
    const linear = judgePlan([point(10, 3), point(100, 4), point(1000, 14)]);
    expect(linear).toMatchObject({ platformResources: 13, resourcesLinear: true, linear: true, under30s: true });
    const quadratic = judgePlan([point(10, 3), point(100, 4), point(1000, 40)]);
    expect(quadratic).toMatchObject({ linear: false, under30s: false });
    const growingPlatform = judgePlan([point(10, 3), point(100, 4, 14), point(1000, 14, 15)]);
    expect(growingPlatform).toMatchObject({ resourcesLinear: false, linear: false });
  });

  it("estimates state bytes per tenant, counting each serialized provider at its real size", () => {
    const provider = "[serialized provider: 3000 bytes]";
    const plan = [
      { type: "viva-partner:platform:Platform", name: "platform", parent: null, inputs: {} },
      { type: "viva-partner:tenant:Tenant", name: "tenant-a", parent: null, inputs: {} },
      { type: "pulumi-nodejs:dynamic/viva-partner:TenantKey", name: "tenant-a-key", parent: "tenant-a", inputs: { __provider: provider, keyName: "a" } },
    ];
    const state = estimateState(plan, "dev");
    const keyUrn = "urn:pulumi:dev::viva-partner::viva-partner:tenant:Tenant$pulumi-nodejs:dynamic/viva-partner:TenantKey::tenant-a-key";
    const tenantUrn = "urn:pulumi:dev::viva-partner::viva-partner:tenant:Tenant::tenant-a";
    const keyInputs = JSON.stringify({ __provider: "x".repeat(3000), keyName: "a" }).length;
    expect(state.perTenant).toEqual({ mean: 2 * 2 + tenantUrn.length + 2 * keyInputs + keyUrn.length + tenantUrn.length, min: expect.any(Number), max: expect.any(Number) });
    expect(state.providersPerTenant).toBe(6000);
    expect(state.largestProvider).toBe(3000);
    expect(state.platform).toBe(2 * 2 + "urn:pulumi:dev::viva-partner::viva-partner:platform:Platform::platform".length);
  });

  it("calls the state flat when bytes per tenant do not grow with the tenant count, and checks the 10 KB provider bound", () => {
    const at = (tenants: number, perTenant: number, largestProvider = 3_600) => ({
      tenants, resources: 14 * tenants, platform: 14, perTenant: { min: 14, max: 14, mean: 14 }, seconds: [1], median: tenants / 100, peakRss: null,
      state: { total: perTenant * tenants, platform: 1000, perTenant: { mean: perTenant, min: perTenant, max: perTenant }, providersPerTenant: 14_000, largestProvider },
    });
    expect(judgePlan([at(10, 20_000), at(100, 20_100), at(1000, 20_050)])).toMatchObject({ stateSpread: 1.005, providersUnder10KB: true });
    expect(judgePlan([at(10, 20_000), at(100, 20_000, 38_000)]).providersUnder10KB).toBe(false);
  });

  it("writes generated plan configs with unique tenants that keep the example's shape", () => {
    // Pulumi.dev.yaml has four tenants, one of them id-only: eight clones hold two id-only ones.
    const doc = planConfig(8) as { config: Record<string, unknown> };
    const tenants = doc.config["viva-partner:tenants"] as Array<Record<string, unknown>>;
    expect(tenants).toHaveLength(8);
    expect(new Set(tenants.map((t) => t.id)).size).toBe(8);
    for (const t of tenants) {
      expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Clones of a tenant with an expiry get one a year ahead; clones of the id-only tenant stay id-only.
      if (t.keyExpiresOn !== undefined) expect(Date.parse(String(t.keyExpiresOn))).toBeGreaterThan(Date.now());
    }
    expect(tenants.filter((t) => Object.keys(t).length === 1)).toHaveLength(2);
    expect(doc.config["viva-partner:platformStack"]).toBeUndefined();
  });

  it("judges issue 10's ratios: verify and decrypt against the floor, pinned decrypt against the pinned floor", () => {
    const method = (id: MethodResult["id"], median: number): MethodResult => ({ id, label: id, command: id, seconds: [median], median, mbPerSecond: null, peakRss: 100e6, rows: null });
    const checks = checksFor([method("a", 1), method("c", 20), method("d", 1.7), method("e", 1.2), method("f", 1.5), method("a1", 1.1), method("e1", 1.6)]);
    const verdicts = Object.fromEntries(checks.map((c) => [c.name, [c.value, c.pass]]));
    expect(verdicts["(d)/(a) verify ÷ floor"]).toEqual(["1.70×", false]);
    expect(verdicts["(e)/(a) decrypt ÷ floor"]).toEqual(["1.20×", true]);
    expect(verdicts["(e1)/(a1) decrypt ÷ floor, both pinned to one core"]).toEqual(["1.45×", true]);
    expect(checksFor([method("a", 1), method("e", 1)]).some((c) => c.name.startsWith("(e1)"))).toBe(false);
    const command = (id: "node" | "help" | "inspect", median: number, instructions: number | null) => ({ id, label: id, argv: [], seconds: [median], median, instructions });
    const startup = startupChecks({ runs: 1, commands: [command("node", 0.05, 500e6), command("help", 0.07, 600e6), command("inspect", 0.11, 1100e6)] });
    expect(startup.map((c) => [c.name, c.value, c.pass])).toEqual([
      ["help ÷ node -e 0 (wall time)", "1.40×", true],
      ["help ÷ node -e 0 (instructions, callgrind)", "1.20×", true],
      ["inspect ÷ node -e 0 (wall time)", "2.20×", false],
      ["inspect ÷ node -e 0 (instructions, callgrind)", "2.20×", false],
    ]);
  });

  it("replaces only what lies between the BENCHMARKS.md markers", () => {
    const file = join(tempDir("bench-md-"), "B.md");
    writeFileSync(file, `# head\n${BEGIN_MARKER}\nold\n${END_MARKER}\ntail\n`);
    writeBetweenMarkers(file, "| new |\n");
    expect(readFileSync(file, "utf8")).toBe(`# head\n${BEGIN_MARKER}\n| new |\n${END_MARKER}\ntail\n`);
    writeFileSync(file, "no markers\n");
    expect(() => writeBetweenMarkers(file, "x")).toThrow(/markers/);
  });
});

describe("npm run bench -- --smoke", () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO, "decrypt-tool", "dist", "index.js"))) await run("npm", ["run", "build", "--silent"], { cwd: REPO });
  }, 120_000);

  it("completes, the methods agree on the rows, the report is complete and nothing is left behind", async () => {
    const tmp = tempDir("bench-smoke-");
    const json = join(tempDir("bench-json-"), "result.json");
    const { stdout } = await run(BENCH[0], [...BENCH.slice(1), RUN, "--smoke", "--json", json], {
      cwd: REPO,
      env: { ...process.env, TMPDIR: tmp },
      maxBuffer: 16 << 20,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`bench --smoke failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
    });

    const result = JSON.parse(readFileSync(json, "utf8"));
    expect(result.failures).toEqual([]);
    expect(result.sizes).toHaveLength(1);
    const size = result.sizes[0];
    const byId = Object.fromEntries(size.methods.map((m: { id: string }) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual(["a", "a1", "b", "c", "d", "e", "e1", "f"]);
    for (const id of ["a", "b", "d", "e", "f", "a1", "e1"]) {
      expect(byId[id].skipped, id).toBeUndefined();
      expect(byId[id].seconds, id).toHaveLength(1);
      expect(byId[id].peakRss, id).toBeGreaterThan(0);
    }
    // The correctness guard: every counting method saw exactly the generated rows.
    for (const id of ["b", "e", "f", "e1"]) expect(byId[id].rows, id).toBe(size.rows);
    if (byId.d.rows !== null) expect(byId.d.rows).toBe(size.rows);
    if (!byId.c.skipped) expect(byId.c.rows).toBe(size.rows);

    // The markdown report: every method row, the ratios and targets, the row check.
    for (const id of ["a", "b", "c", "d", "e", "f", "a1", "e1"]) expect(stdout).toMatch(new RegExp(`^\\| ${id} \\| `, "m"));
    for (const ratio of ["(d)/(a) verify ÷ floor | ", "(e)/(a)", "(c)/(e)", "(e1)/(a1) decrypt ÷ floor, both pinned to one core"]) expect(stdout).toContain(`| ${ratio}`);
    expect(stdout).toMatch(/^\| \(d\)\/\(a\) verify ÷ floor \| [\d.]+× \| ≤ 1\.6× \| \*\*(pass|FAIL)\*\* \|$/m);
    expect(stdout).toMatch(/^\| \(e1\)\/\(a1\) .* \| ≤ 1\.5× \| \*\*(pass|FAIL)\*\* \|$/m);
    expect(stdout).toContain("- (e1) `taskset -c 0 node decrypt-tool/bin/viva-drop.js decrypt <drop>");
    expect(stdout).toMatch(/^- Load average \(1 min, \d+ cores\) at the start and the end: [\d.]+, [\d.]+/m);

    // Start-up: node -e 0, --help and inspect, each timed, with their ratios and targets.
    expect(result.startup.commands.map((c: { id: string }) => c.id)).toEqual(["node", "help", "inspect"]);
    for (const c of result.startup.commands) expect(c.seconds, c.id).toHaveLength(3);
    expect(stdout).toContain("### Start-up");
    for (const row of ["node -e 0", "viva-drop --help", "viva-drop inspect <drop>"]) expect(stdout).toMatch(new RegExp(`^\\| ${row} \\| [\\d.]+ \\| `, "m"));
    expect(stdout).toMatch(/^\| viva-drop --help ÷ node -e 0 \(wall time\) \| [\d.]+× \| ≤ 1\.5× \| \*\*(pass|FAIL)\*\* \|$/m);
    expect(stdout).toMatch(/^\| viva-drop inspect <drop> ÷ node -e 0 \(wall time\) \| [\d.]+× \| ≤ 2× \| \*\*(pass|FAIL)\*\* \|$/m);
    for (const check of ["peak RSS (d)", "peak RSS (e)", "peak RSS (f)"]) expect(stdout).toContain(`| ${check}`);
    expect(stdout).toMatch(/^Row counts: .* agree with the [\d,]+ rows generated/m);
    expect(stdout).toContain("- Machine: ");
    expect(stdout).toContain("- Command: `npm run bench -- --smoke`");

    // Ingest into DuckDB (issue 11): viva-drop ingest and DuckDB's own read_json both load every row.
    expect(size.ingest.floor.rows).toBe(size.rows);
    expect(size.ingest.ingest.rows).toBe(size.rows);
    expect(size.ingest.ingest.peakRss).toBeGreaterThan(0);
    expect(size.ingest.ratio).toBeGreaterThan(0);
    expect(size.ingest.strategies.rows).toBe(size.rows);
    expect(stdout).toContain("#### Ingest into DuckDB");
    expect(stdout).toContain("| (h)/(g) ingest ÷ DuckDB read_json |");

    // Plan scaling at 2 and 5 tenants: same platform, tenants of the same shapes, more resources.
    expect(result.plan.skipped).toBeUndefined();
    const [two, five] = result.plan.points;
    expect([two.tenants, five.tenants]).toEqual([2, 5]);
    expect(five.resources).toBeGreaterThan(two.resources);
    expect(five.platform).toBe(two.platform);
    expect(result.plan.verdict.resourcesLinear).toBe(true);
    expect(stdout).toMatch(/^\| 5 \| \d+ \| \d+ \| /m);
    expect(stdout).toContain("| 1,000 tenants | not measured |");

    // Ingest into PostgreSQL: every method ran and saw every generated row; the section is there.
    const ingest = result.ingestPostgres.sizes[0];
    expect(ingest.methods.map((m: { id: string; skipped?: string; rows: number }) => [m.id, m.skipped, m.rows])).toEqual(
      ["p1", "p2", "p3", "p4", "p5", "p6", "p7"].map((id) => [id, undefined, ingest.rows]),
    );
    expect(stdout).toMatch(/^### Ingest into PostgreSQL: /m);
    expect(stdout).toContain("| (p5)/(p1) viva-drop ingest ÷ COPY floor |");

    // Drops, keys, configs and the PostgreSQL server's data were generated under TMPDIR and removed.
    expect(readdirSync(tmp).filter((f) => f.startsWith("viva-bench-") || f.startsWith("viva-pg-"))).toEqual([]);
  }, 180_000);

  it("stops its PostgreSQL server and leaves nothing when only the bench gets a SIGTERM (a supervisor)", async () => {
    const tmp = tempDir("bench-term-");
    chmodSync(tmp, 0o755); // so that the server's data folder is made in it (the postgres user must reach it)
    const left = (): string[] => readdirSync(tmp).filter((f) => f.startsWith("viva-bench-") || f.startsWith("viva-pg-"));
    // Output to a file, as under a supervisor: nothing ends the bench's children by closing a pipe.
    const log = join(tmp, "bench.log");
    const out = openSync(log, "w");
    // 100 MB: the PostgreSQL part takes longer than the wait below, so only a stopped child passes.
    const args = [RUN, "--size", "100m", "--runs", "1", "--skip-pinned", "--skip-startup", "--skip-ingest", "--skip-plan"];
    const child = spawn(BENCH[0], [...BENCH.slice(1), ...args], { cwd: REPO, env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", out, out] });
    closeSync(out);
    const exited = new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
    try {
      const started = Date.now() + 90_000;
      while (!/ingest-postgres: generating/.test(readFileSync(log, "utf8"))) {
        if (child.exitCode !== null || Date.now() > started) throw new Error(`bench did not reach its PostgreSQL part: ${readFileSync(log, "utf8")}`);
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(left().some((f) => f.startsWith("viva-pg-"))).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(143);
      // The bench's child (its arguments name the bench's folder) and the server (its data folder) stop soon after.
      const running = async (): Promise<string[]> => (await run("ps", ["-eo", "args="])).stdout.split("\n").filter((line) => line.includes(tmp));
      const deadline = Date.now() + 5_000;
      while (((await running()).length > 0 || left().length > 0) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      expect(await running()).toEqual([]);
      expect(left()).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
  }, 120_000);

  it("removes its temp folder on Ctrl-C mid-run, and sweeps folders of runs that died", async () => {
    const tmp = tempDir("bench-stop-");
    const benchDirs = (): string[] => readdirSync(tmp).filter((f) => f.startsWith("viva-bench-"));
    // A folder left by a run whose process is gone (pid 2^22 + 1 is above Linux's pid_max).
    mkdirSync(join(tmp, "viva-bench-4194305-abcdef", "drop-x"), { recursive: true });
    // Own process group, like a shell job: the "Ctrl-C" below reaches the bench and its children alike.
    const child = spawn(BENCH[0], [...BENCH.slice(1), RUN, "--size", "300m", "--runs", "1", "--skip-plan"], { cwd: REPO, env: { ...process.env, TMPDIR: tmp }, detached: true });
    const exited = new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
    try {
      let stderr = "";
      child.stdout.resume();
      await new Promise<void>((res, rej) => {
        child.stderr.on("data", (b: Buffer) => {
          stderr += b.toString();
          if (stderr.includes("generating")) res();
        });
        child.on("exit", () => rej(new Error(`bench exited before generating: ${stderr}`)));
      });
      expect(benchDirs()).toEqual([expect.stringMatching(/^viva-bench-\d+-/)]); // the stale one is gone, the run's own is there
      process.kill(-child.pid!, "SIGINT");
      expect(await exited).toBe(130);
      expect(benchDirs()).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, "SIGKILL");
        await exited;
      }
    }
  }, 60_000);
});
