import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "../src/cli/format";
import { createProgressReporter, formatTimeLeft } from "../src/cli/progress";
import { fakeTerminal } from "./support/fake-terminal";
import { assertBuilt, runCli, runCliPiped } from "./support/run-cli";
import { makeKeyPair, makeTempDir, sampleRows, toNdjson, writeTestDrop, type TestDrop, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;
let pemFile: string;
let drop: TestDrop;
const rows = sampleRows(25, 6);

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  root = makeTempDir();
  pemFile = path.join(root, "key.pem");
  writeFileSync(pemFile, keys.privateKeyPem);
  drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [toNdjson(rows.slice(0, 10)), toNdjson(rows.slice(10))], padding: "RSA-OAEP-256", keyText: "raw" });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("viva-drop CLI (built)", () => {
  it("decrypt writes the rows as NDJSON on stdout and nothing on stderr", async () => {
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile]);
    expect(result).toEqual({ code: 0, stdout: toNdjson(rows), stderr: "" });
  });

  it("decrypt --verbose names the key text encoding and padding on stderr", async () => {
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--verbose", "--workers", "0"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(toNdjson(rows));
    expect(result.stderr).toBe(`viva-drop: ${drop.dir}: file key: raw 32-byte key, unwrapped with RSA-OAEP-256\n`);
  });

  it("decrypt stops quietly with exit 0 when the reader closes the pipe early", async () => {
    const bigRows = sampleRows(20000);
    const big = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: bigRows });
    const result = await runCliPiped(["decrypt", big.dir, "--private-key", pemFile], 300);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.firstBytes).toBe(toNdjson(bigRows).slice(0, 300));
  });

  it("reads an encrypted PEM with the passphrase from an environment variable", async () => {
    const { createPrivateKey } = await import("node:crypto");
    const encrypted = createPrivateKey(keys.privateKeyPem).export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "s3cret" });
    const encryptedFile = path.join(root, "encrypted.pem");
    writeFileSync(encryptedFile, encrypted);
    const ok = await runCli(["verify", drop.dir, "--private-key", encryptedFile, "--passphrase-env", "TENANT_KEY_PASSPHRASE", "--json"], { TENANT_KEY_PASSPHRASE: "s3cret" });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ rows: 25 });
    const missing = await runCli(["verify", drop.dir, "--private-key", encryptedFile]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/cannot read the private key: it is encrypted; give its passphrase with --passphrase-env/);
    const wrong = await runCli(["verify", drop.dir, "--private-key", encryptedFile, "--passphrase-env", "TENANT_KEY_PASSPHRASE"], { TENANT_KEY_PASSPHRASE: "wrong" });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/cannot read the private key: wrong passphrase$/m);
  });

  it("verify prints the summary", async () => {
    const result = await runCli(["verify", drop.dir, "--private-key", pemFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^rows\s+25 \(matches NumberOfRowsExtracted\)$/m);
    expect(result.stdout).toMatch(/^people\s+6$/m);
    expect(result.stdout).toMatch(/^MetricDate\s+2024-01-01T00:00:00Z to 2024-03-07T00:00:00Z$/m);
    expect(result.stdout).toMatch(/^columns\s+6$/m);
    expect(result.stdout).toMatch(/^bytes\s+.* encrypted in 2 file\(s\), .* decrypted$/m);
    expect(result.stdout).toMatch(/^key\s+raw 32-byte key, RSA-OAEP-256$/m);
    expect(result.stdout).toMatch(/^seconds\s+\d+\.\d\d/m);
  });

  it("inspect prints the metadata without a key", async () => {
    const result = await runCli(["inspect", drop.dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tenant\s+[0-9a-f-]{36}$/m);
    expect(result.stdout).toMatch(/^rows claimed\s+25$/m);
    expect(result.stdout).toMatch(/^data files\s+2 \(/m);
    const json = JSON.parse((await runCli(["inspect", drop.dir, "--json"])).stdout) as { metadata: { fileKey: { iv: string }; columnsRequested: string[] } };
    expect(json.metadata.fileKey.iv).toBe(drop.iv.toString("base64"));
    expect(json.metadata.columnsRequested).toContain("Small-group meeting, call, and chat hours");
  });

  it("list shows the drops of a tenant folder", async () => {
    const result = await runCli(["list", path.dirname(drop.dir), "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      expect.objectContaining({ runFolder: path.basename(drop.dir), rowsClaimed: 25, tableName: "VivaInsightsDataset_PersonReport_v1" }),
    ]);
  });

  it("list marks a drop whose metadata cannot be read instead of failing", async () => {
    const tenantDir = makeTempDir();
    try {
      const good = writeTestDrop(tenantDir, { publicKeyPem: keys.publicKeyPem, tenantId: "t" });
      const broken = writeTestDrop(tenantDir, { publicKeyPem: keys.publicKeyPem, tenantId: "t" });
      writeFileSync(path.join(broken.dir, "metadata/JobMetadata/Metadata.json"), "{");
      const result = await runCli(["list", path.join(tenantDir, "t")]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^${path.basename(good.dir)} .* ok$`, "m"));
      expect(result.stdout).toMatch(new RegExp(`^${path.basename(broken.dir)} .* unreadable: .*Metadata\\.json is not valid JSON`, "m"));
    } finally {
      rmSync(tenantDir, { recursive: true, force: true });
    }
  });

  it("verify --verbose names the key text encoding and padding on stderr, the summary stays on stdout", async () => {
    const result = await runCli(["verify", drop.dir, "--private-key", pemFile, "--verbose"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`viva-drop: ${drop.dir}: file key: raw 32-byte key, unwrapped with RSA-OAEP-256\n`);
    expect(result.stdout).toMatch(/^rows\s+25 /m);
  });

  it("list given one drop lists that drop as run folder '.'", async () => {
    const result = await runCli(["list", drop.dir, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ runFolder: ".", rowsClaimed: 25, dataFiles: 2 })]);
  });

  it("list marks a drop that has metadata but no data file", async () => {
    const tenantDir = makeTempDir();
    try {
      const good = writeTestDrop(tenantDir, { publicKeyPem: keys.publicKeyPem, tenantId: "t" });
      const empty = writeTestDrop(tenantDir, { publicKeyPem: keys.publicKeyPem, tenantId: "t" });
      rmSync(path.join(empty.dir, "data"), { recursive: true });
      const result = await runCli(["list", path.join(tenantDir, "t")]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^RUN FOLDER .* STATUS \/ ERRORS$/m);
      expect(result.stdout).toMatch(new RegExp(`^${path.basename(good.dir)} .* ok$`, "m"));
      expect(result.stdout).toMatch(new RegExp(`^${path.basename(empty.dir)} .* no data file$`, "m"));
      const json = JSON.parse((await runCli(["list", path.join(tenantDir, "t"), "--json"])).stdout) as { runFolder: string; dataFiles: number }[];
      expect(json.map((d) => [d.runFolder === path.basename(good.dir) ? "good" : "empty", d.dataFiles]).sort()).toEqual([
        ["empty", 0],
        ["good", 1],
      ]);
    } finally {
      rmSync(tenantDir, { recursive: true, force: true });
    }
  });

  it("a tenant folder given where a drop is expected names a run folder to give instead", async () => {
    const result = await runCli(["verify", path.dirname(drop.dir), "--private-key", pemFile]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `viva-drop: ${path.dirname(drop.dir)}: no metadata/JobMetadata/Metadata.json (nor metadata/MoreMetadata/EncryptedDatasets/encryptionKeyDetails.json); this holds drops in sub-folders (e.g. ${path.basename(drop.dir)}): give one run folder, or use viva-drop list\n`,
    );
  });

  it("never prints a SAS signature, in errors about the URL either", async () => {
    const result = await runCli(["inspect", "https://contoso.blob.core.windows.net/?sv=2022-11-02&sp=rl&sig=c2VjcmV0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "viva-drop: https://contoso.blob.core.windows.net/?sv=2022-11-02&sp=rl&sig=REDACTED: missing container name in https://contoso.blob.core.windows.net/?sv=2022-11-02&sp=rl&sig=REDACTED\n",
    );
  });

  it("a malformed %-escape in a storage URL is a usage error, not a crash", async () => {
    for (const url of ["https://contoso.blob.core.windows.net/tenant/run%ZZ", "abfss://%ZZ@contoso.dfs.core.windows.net/run"]) {
      const result = await runCli(["inspect", url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`viva-drop: ${url}: not a valid storage URL: ${url} (bad %-escape)\n`);
    }
  });

  it.each([
    ["a public key", (pub: string) => pub, /cannot read the private key: this is a public key; give the tenant's private key/],
    ["not a PEM file", () => "hello\n", /cannot read the private key: not a PEM private key/],
  ])("--private-key with %s fails with exit 4 and says what is wrong", async (_name, content, message) => {
    const file = path.join(root, `bad-${Math.random().toString(16).slice(2)}.pem`);
    writeFileSync(file, content(keys.publicKeyPem));
    const result = await runCli(["verify", drop.dir, "--private-key", file]);
    expect(result.code).toBe(4);
    expect(result.stderr.split("\n").filter((l) => l !== "")).toEqual([expect.stringMatching(message)]);
  });

  it.each(["decrypt", "verify", "inspect", "list"])("%s --help exits 0 and documents its options", async (command) => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: viva-drop ${command}`);
    expect(result.stdout).toContain("--connection-string");
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*4 {2}key problem[\s\S]*6 {2}the --output file/);
  });

  it("--help lists the exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*5 {2}verification failed/);
  });
});

describe("progress", () => {
  it("draws bytes and rows on a terminal", () => {
    const { stream, text } = fakeTerminal(true);
    const progress = createProgressReporter(false, stream);
    progress.update({ encryptedBytes: 5_000_000, totalEncryptedBytes: 10_000_000, decryptedBytes: 0, rows: 1234 });
    progress.stop();
    expect(text()).toMatch(/5\.0\/10\.0 MB encrypted \| 1,234 rows/);
  });

  it("counts MB as verify, inspect and list do (10^6 bytes), not MiB under an MB label", () => {
    const { stream, text } = fakeTerminal(true);
    const progress = createProgressReporter(false, stream);
    const size = 64 * 1024 * 1024;
    progress.update({ encryptedBytes: size, totalEncryptedBytes: size, decryptedBytes: 0, rows: 1 });
    progress.stop();
    expect(formatBytes(size)).toBe("67.1 MB");
    expect(text()).toContain("67.1/67.1 MB encrypted");
  });

  it("shows the time left once there is a rate to go by, and never cli-progress's clipped INF/NULL", () => {
    const { stream, text } = fakeTerminal(true);
    let clock = 1_000_000;
    const progress = createProgressReporter(false, stream, () => clock);
    const total = 100_000_000;
    progress.update({ encryptedBytes: 0, totalEncryptedBytes: total, decryptedBytes: 0, rows: 0 });
    clock += 10_000;
    progress.update({ encryptedBytes: total / 4, totalEncryptedBytes: total, decryptedBytes: 0, rows: 10 });
    progress.stop();
    expect(text()).toMatch(/25\.0\/100\.0 MB encrypted \| 10 rows \| 30s left/);
    expect(text()).not.toMatch(/NF|LL|NaN|Infinity/);
  });

  it.each([
    [400, 1, 4, ""],
    [10_000, 0, 4, ""],
    [10_000, 1, 4, "30s left"],
    [60_000, 1, 3, "2m00s left"],
    [3_600_000, 1, 3, "2h00m left"],
    [10_000, 4, 4, ""],
  ])("formatTimeLeft(%i ms, %i of %i)", (elapsed, done, total, expected) => {
    expect(formatTimeLeft(elapsed, done, total)).toBe(expected);
  });

  it("stays silent when stderr is not a terminal or --quiet is given", () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const { stream, text } = fakeTerminal(isTTY);
      const progress = createProgressReporter(quiet, stream);
      progress.update({ encryptedBytes: 1, totalEncryptedBytes: 2, decryptedBytes: 0, rows: 1 });
      progress.stop();
      expect(text()).toBe("");
    }
  });
});
