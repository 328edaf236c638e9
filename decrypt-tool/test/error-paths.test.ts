import { createCipheriv, randomBytes } from "node:crypto";
import { readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DropErrorCode, openDrop, verifyDrop } from "../src/index";
import { collectRows, collectText, rejectionOf } from "./support/collect";
import { hashFolder } from "./support/folder-hash";
import { assertBuilt, runCli } from "./support/run-cli";
import { encryptPart, makeKeyPair, makeTempDir, sampleRows, toNdjson, writeTestDrop, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let otherKeys: TestKeyPair;
let root: string;
let pemFile: string;

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  otherKeys = makeKeyPair();
  root = makeTempDir();
  pemFile = path.join(root, "tenant-key.pem");
  writeFileSync(pemFile, keys.privateKeyPem);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Scenario {
  name: string;
  /** Builds the bad drop; returns its folder and, optionally, other key arguments. */
  make: () => { dir: string; keyArgs?: string[] };
  code: DropErrorCode;
  exit: number;
  message: RegExp;
}

const validDrop = (rows = 6) => writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(rows) });
const firstPart = (drop: { dir: string; partPaths: string[] }) => path.join(drop.dir, ...drop.partPaths[0].split("/"));

const scenarios: Scenario[] = [
  { name: "a folder that does not exist", make: () => ({ dir: path.join(root, "no-such-drop") }), code: "SOURCE_NOT_FOUND", exit: 3, message: /no such folder/ },
  {
    name: "a drop without metadata",
    make: () => {
      const drop = validDrop();
      rmSync(path.join(drop.dir, "metadata"), { recursive: true });
      return { dir: drop.dir };
    },
    code: "METADATA_MISSING",
    exit: 3,
    message: /no metadata\/JobMetadata\/Metadata\.json/,
  },
  {
    name: "metadata that is not JSON",
    make: () => {
      const drop = validDrop();
      writeFileSync(path.join(drop.dir, "metadata/JobMetadata/Metadata.json"), "{ truncated");
      return { dir: drop.dir };
    },
    code: "METADATA_INVALID",
    exit: 3,
    message: /Metadata\.json is not valid JSON/,
  },
  {
    name: "a run the service reported as failed",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, metadata: { Errors: "Consent for application expired", DecryptionKeyDetails: undefined } }).dir }),
    code: "RUN_FAILED",
    exit: 3,
    message: /failed run: Consent for application expired/,
  },
  {
    name: "a drop whose data file is missing",
    make: () => {
      const drop = validDrop();
      rmSync(path.join(drop.dir, "data"), { recursive: true });
      return { dir: drop.dir };
    },
    code: "DATA_MISSING",
    exit: 3,
    message: /no data file outside metadata\/ \(metadata claims 6 rows\)/,
  },
  {
    name: "another tenant's private key",
    make: () => {
      const file = path.join(root, `other-${randomBytes(3).toString("hex")}.pem`);
      writeFileSync(file, otherKeys.privateKeyPem);
      return { dir: validDrop().dir, keyArgs: ["--private-key", file] };
    },
    code: "KEY_UNWRAP_FAILED",
    exit: 4,
    message: /cannot unwrap this drop's file key with RSA-OAEP or RSA-OAEP-256/,
  },
  {
    name: "a private key file that is not PEM",
    make: () => {
      const file = path.join(root, "garbage.pem");
      writeFileSync(file, "not a key");
      return { dir: validDrop().dir, keyArgs: ["--private-key", file] };
    },
    code: "KEY_UNAVAILABLE",
    exit: 4,
    message: /cannot read the private key/,
  },
  {
    name: "RSA1_5 with a local key",
    make: () => ({ dir: validDrop().dir, keyArgs: ["--private-key", pemFile, "--rsa-padding", "RSA1_5"] }),
    code: "KEY_PADDING_UNSUPPORTED",
    exit: 4,
    message: /Node\.js refuses PKCS#1 v1\.5 .*Key Vault/,
  },
  {
    name: "key text of an unknown form",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, keyPlaintext: randomBytes(24) }).dir }),
    code: "KEY_TEXT_INVALID",
    exit: 4,
    message: /file key is 24 bytes; expected 88 bytes .*44 bytes .*32 bytes/,
  },
  {
    name: "key text in UTF-16BE (big-endian), the right length for UTF-16LE",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, keyPlaintext: Buffer.from(randomBytes(32).toString("base64"), "utf16le").swap16() }).dir }),
    code: "KEY_TEXT_INVALID",
    exit: 4,
    message: /the unwrapped file key is 88 bytes of UTF-16BE \(big-endian\) text holding the Base64 of a 32-byte key; expected 88 bytes \(Base64 text in UTF-16LE\)/,
  },
  {
    name: "a file key wrapped with PKCS#1 v1.5 and a local private key",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, padding: "RSA1_5" }).dir }),
    code: "KEY_PADDING_UNSUPPORTED",
    exit: 4,
    message: /file key is wrapped with RSA1_5 \(PKCS#1 v1\.5\), not RSA-OAEP, and a local private key cannot unwrap it: .*import the key into Azure Key Vault and unwrap there \((`keyVaultUrl`|--key-vault), where auto padding includes RSA1_5\)/,
  },
  {
    name: "data encrypted with another file key",
    make: () => {
      const drop = validDrop();
      writeFileSync(firstPart(drop), encryptPart(toNdjson(sampleRows(6)), randomBytes(32), drop.iv));
      return { dir: drop.dir };
    },
    code: "DECRYPT_FAILED",
    exit: 5,
    message: /data\/part-00000\.json\.gz\.enc does not decrypt/,
  },
  {
    name: "a data file cut mid-block",
    make: () => {
      const drop = validDrop();
      const file = firstPart(drop);
      truncateSync(file, readFileSync(file).length - 5);
      return { dir: drop.dir };
    },
    code: "DATA_CORRUPT",
    exit: 5,
    message: /part-00000\.json\.gz\.enc is truncated or altered: \d+ bytes is not a whole number of AES blocks/,
  },
  {
    name: "a data file whose compressed bytes were altered",
    make: () => {
      const drop = validDrop(200);
      const plain = toNdjson(sampleRows(200));
      const gz = gzipSync(plain);
      gz[gz.length - 6] ^= 0xff; // inside the CRC32 trailer
      const cipher = createCipheriv("aes-256-cbc", drop.aesKey, drop.iv);
      writeFileSync(firstPart(drop), Buffer.concat([cipher.update(gz), cipher.final()]));
      return { dir: drop.dir };
    },
    code: "DATA_CORRUPT",
    exit: 5,
    message: /part-00000\.json\.gz\.enc is altered: gzip checksum mismatch/,
  },
  {
    name: "bytes after the end of a valid gzip stream",
    make: () => {
      const drop = validDrop(50);
      const cipher = createCipheriv("aes-256-cbc", drop.aesKey, drop.iv);
      const appended = Buffer.concat([gzipSync(toNdjson(sampleRows(50))), Buffer.from("appended later\n")]);
      writeFileSync(firstPart(drop), Buffer.concat([cipher.update(appended), cipher.final()]));
      return { dir: drop.dir };
    },
    code: "DATA_CORRUPT",
    exit: 5,
    message: /part-00000\.json\.gz\.enc has data after the end of its gzip stream \(bytes that are not another gzip member\)/,
  },
  {
    name: "a row that is not JSON",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [toNdjson(sampleRows(2)), `${toNdjson(sampleRows(3))}{"PersonId": oops}\n`] }).dir }),
    code: "JSON_INVALID",
    exit: 5,
    message: /data\/part-00001\.json\.gz\.enc line 4: invalid JSON/,
  },
  {
    name: "a row count that differs from NumberOfRowsExtracted",
    make: () => ({ dir: writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(6), metadata: { NumberOfRowsExtracted: 7 } }).dir }),
    code: "ROW_COUNT_MISMATCH",
    exit: 5,
    message: /the data has 6 rows but NumberOfRowsExtracted is 7/,
  },
];

describe.each(scenarios)("$name", (scenario) => {
  let dir: string;
  let keyArgs: string[];
  beforeAll(() => {
    const made = scenario.make();
    dir = made.dir;
    keyArgs = made.keyArgs ?? ["--private-key", pemFile];
  });

  it(`fails with ${scenario.code} from the library`, async () => {
    const keyOptions = libraryKeyOptions(keyArgs);
    const error = await rejectionOf(async () => {
      const drop = await openDrop(dir, keyOptions);
      await collectRows(drop.rows());
    });
    expect(error.code).toBe(scenario.code);
    expect(error.exitCode).toBe(scenario.exit);
    expect(error.message).toMatch(scenario.message);
    const verifyError = await rejectionOf(() => verifyDrop(dir, keyOptions));
    expect(verifyError.code).toBe(scenario.code);
  });

  it(`prints one line naming the drop and exits ${scenario.exit}, leaving the drop untouched`, async () => {
    const before = scenario.code === "SOURCE_NOT_FOUND" ? undefined : hashFolder(dir);
    const output = path.join(root, `out-${randomBytes(4).toString("hex")}.ndjson`);
    for (const command of [["verify"], ["decrypt", "--output", output]]) {
      const result = await runCli([...command, dir, ...keyArgs]);
      expect(result.code).toBe(scenario.exit);
      const lines = result.stderr.split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(`viva-drop: ${dir}: `)).toBe(true);
      expect(lines[0]).toMatch(scenario.message);
    }
    expect(readdirSync(root).filter((name) => name.includes(path.basename(output)))).toEqual([]);
    if (before) expect(hashFolder(dir)).toBe(before);
  });
});

describe("decrypt to stdout after an error", () => {
  it("emits only the rows before the bad line and exits 5", async () => {
    const good = sampleRows(3);
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [toNdjson(good), '{"bad":\n'] });
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe(toNdjson(good));
    expect(result.stderr).toMatch(/part-00001\.json\.gz\.enc line 1: invalid JSON/);
  });

  it("reports tampering, not the garbled JSON it causes, when a block in the middle is altered", async () => {
    const rows = sampleRows(3000);
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows });
    const file = firstPart(drop);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(file, bytes);
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    const error = await rejectionOf(() => collectText(opened.ndjson({ batchBytes: 1024 })));
    expect(error.code).toBe("DATA_CORRUPT");
    const rowsError = await rejectionOf(() => collectRows(opened.rows()));
    expect(rowsError.code).toBe("DATA_CORRUPT");
  });
});

describe("usage errors", () => {
  it.each([
    [["decrypt", "x"], /a key is needed: --key-vault <vault URL> or --private-key <PEM file>/],
    [["decrypt", "x", "--key-vault", "https://kv.vault.azure.net", "--private-key", "k.pem"], /either --key-vault or --private-key, not both/],
    [["verify", "x", "--private-key", "k.pem", "--workers", "many"], /--workers must be a whole number/],
    [["decrypt", "x", "--private-key", "k.pem", "--rsa-padding", "PKCS1"], /argument 'PKCS1' is invalid/],
    [["decrypt"], /missing required argument 'drop'/],
    [["decrypt", "drops/run", "--private-key", "k.pem", "--output", "drops/run/rows.ndjson"], /--output drops\/run\/rows\.ndjson is inside the drop/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["decrypt", "x", "--private-key", "k.pem", "--output", ""], /--output needs a file name/],
  ])("viva-drop %j exits 2 with one line", async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^viva-drop: /);
    expect(lines[0]).toMatch(message);
  });
});

describe("--output", () => {
  it("writes the file only when the whole drop decrypted, readable by the owner only", async () => {
    const rows = sampleRows(12);
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows });
    const output = path.join(root, "rows.ndjson");
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", output, "--quiet"]);
    expect(result).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(output, "utf8")).toBe(toNdjson(rows));
    expect(statSync(output).mode & 0o777).toBe(0o600);
  });

  it("leaves an existing file as it was when decryption fails", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(4), metadata: { NumberOfRowsExtracted: 99 } });
    const output = path.join(root, "kept.ndjson");
    writeFileSync(output, "previous content\n");
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", output]);
    expect(result.code).toBe(5);
    expect(readFileSync(output, "utf8")).toBe("previous content\n");
    expect(readdirSync(root).filter((name) => name.startsWith(".kept.ndjson"))).toEqual([]);
  });

  it("fails with exit 6 when the output folder does not exist", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(2) });
    const output = path.join(root, "missing-dir", "rows.ndjson");
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", output]);
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(`viva-drop: ${drop.dir}: cannot write ${output}: no folder ${path.dirname(output)}\n`);
  });

  it("refuses a folder as --output before unwrapping any key (exit 6, not the wrong key's 4)", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: otherKeys.publicKeyPem, rows: sampleRows(2) });
    const before = readdirSync(root);
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", root]);
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(`viva-drop: ${drop.dir}: cannot write ${root}: it is a folder; give a file name\n`);
    expect(readdirSync(root)).toEqual(before);
  });

  it("prints 'wrote N rows' once, after the rows are in place", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(7) });
    const output = path.join(root, "noted.ndjson");
    const result = await runCli(["decrypt", drop.dir, "--private-key", pemFile, "--output", output]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: `viva-drop: ${drop.dir}: wrote 7 rows to ${output}\n` });
  });
});

function libraryKeyOptions(args: string[]) {
  const pem = args[args.indexOf("--private-key") + 1];
  const padding = args.includes("--rsa-padding") ? (args[args.indexOf("--rsa-padding") + 1] as "RSA1_5") : undefined;
  return { privateKeyPem: readFileSync(pem), rsaPadding: padding };
}

describe("a bad row is reported by position, never by content", () => {
  // Rows are customer data: error messages end up in logs and terminals.
  const secret = "jane.doe@contoso.example";
  const badLine = `{"PersonId": "${secret}", "Collaboration hours": 12.5.3}`;
  const badByte = badLine.indexOf("12.5.3") + "12.5".length + 1;
  const expected = new RegExp(`part-00000\\.json\\.gz\\.enc line 3: invalid JSON at byte ${badByte}\\b`);
  const drop = () => writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [`${toNdjson(sampleRows(2))}${badLine}\n`] }).dir;

  it("in rows(), verify and ndjson()", async () => {
    const dir = drop();
    const opened = await openDrop(dir, { privateKeyPem: keys.privateKeyPem });
    for (const failure of [
      await rejectionOf(() => collectRows(opened.rows())),
      await rejectionOf(() => verifyDrop(dir, { privateKeyPem: keys.privateKeyPem })),
      await rejectionOf(() => collectText(opened.ndjson())),
    ]) {
      expect(failure.code).toBe("JSON_INVALID");
      expect(failure.message).toMatch(expected);
      expect(failure.message).not.toContain(secret);
    }
  });

  it("on the command line", async () => {
    const result = await runCli(["verify", drop(), "--private-key", pemFile]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toContain(secret);
  });
});
