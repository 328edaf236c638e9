import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../src/cli/progress";
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
    expect(missing.stderr).toMatch(/cannot read the private key/);
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

  it.each(["decrypt", "verify", "inspect", "list"])("%s --help exits 0 and documents its options", async (command) => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: viva-drop ${command}`);
    expect(result.stdout).toContain("--connection-string");
  });

  it("--help lists the exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*5 {2}verification failed/);
  });
});

describe("progress", () => {
  function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    Object.assign(stream, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    return { stream, text: () => chunks.join("") };
  }

  it("draws bytes and rows on a terminal", () => {
    const { stream, text } = fakeStream(true);
    const progress = createProgressReporter(false, stream);
    progress.update({ encryptedBytes: 5 * 1024 * 1024, totalEncryptedBytes: 10 * 1024 * 1024, decryptedBytes: 0, rows: 1234 });
    progress.stop();
    expect(text()).toMatch(/5\.0\/10\.0 MB encrypted \| 1,234 rows/);
  });

  it("stays silent when stderr is not a terminal or --quiet is given", () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const { stream, text } = fakeStream(isTTY);
      const progress = createProgressReporter(quiet, stream);
      progress.update({ encryptedBytes: 1, totalEncryptedBytes: 2, decryptedBytes: 0, rows: 1 });
      progress.stop();
      expect(text()).toBe("");
    }
  });
});
