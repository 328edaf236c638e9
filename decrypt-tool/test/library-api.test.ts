// Issue 10 defect 9: the package's public API is a curated list, and the library's messages name options in
// library terms (`privateKeyPem`) while the CLI prints the flags (--private-key).
import { createPrivateKey } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inCliTerms } from "../src/cli/flag-names";
import { inspectDrop, openDrop, simulateDrop } from "../src/index";
import { rejectionOf } from "./support/collect";
import { assertBuilt, runCli } from "./support/run-cli";
import { makeKeyPair, makeTempDir, writeTestDrop, type TestDrop, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;
let drop: TestDrop;
let encryptedPem: string;
let encryptedPemFile: string;

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  root = makeTempDir();
  drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem });
  encryptedPem = createPrivateKey(keys.privateKeyPem).export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "s3cret" }).toString();
  encryptedPemFile = path.join(root, "encrypted.pem");
  writeFileSync(encryptedPemFile, encryptedPem);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the public API (decrypt-tool/dist/index.js, what the package ships)", () => {
  it("exports exactly the curated names", () => {
    const api = createRequire(__filename)(path.resolve(__dirname, "../dist/index.js")) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(
      [
        "DROP_ERROR_EXIT_CODES",
        "DropError",
        "EXIT_CODES",
        "KEY_ENCODING_LABELS",
        "KEY_TEXT_FORMS",
        "PERSON_REPORT_TABLE",
        "RSA_PADDINGS",
        "SIMULATE_LAYOUTS",
        "SIMULATE_RSA_PADDINGS",
        "describeError",
        "inspectDrop",
        "isBlobLocation",
        "isDropError",
        "listDrops",
        "openDrop",
        "parseBlobLocation",
        "parseColumnsRequested",
        "redactLocation",
        "resolveSource",
        "simulateDrop",
        "verifyDrop",
        "runTenantPipeline",
        "runTargetFromOutputs",
        "parseRunParameters",
        "explainGraphDataConnectError",
        "FINAL_RUN_STATUSES",
        "fleetStatus",
        "allHealthy",
        "parseStackOutputs",
        "readStackOutputs",
        "ingestDrops",
        "openSink",
        "parseSinkTarget",
        "describeSinkTarget",
        "SinkError",
        "DropRejectedError",
        "SINK_OBJECTS",
      ].sort(),
    );
    // The validator's internals, its mutable error state among them, stay private.
    for (const internal of ["lastJsonError", "validateJsonObject", "validateBatch", "lineBatches", "createBatchValidator", "decryptDataFile", "decodeKeyText"]) {
      expect(api).not.toHaveProperty(internal);
    }
  });
});

describe("option names in messages", () => {
  const flag = /(^|[\s(])--[a-z]/;
  const cases: { name: string; library: () => Promise<unknown>; cli: () => string[]; libraryText: string; cliText: string }[] = [
    {
      name: "an encrypted PEM without its passphrase",
      library: () => openDrop(drop.dir, { privateKeyPem: encryptedPem }),
      cli: () => ["verify", drop.dir, "--private-key", encryptedPemFile],
      libraryText: "cannot read the private key: it is encrypted; give its passphrase with `privateKeyPassphrase`",
      cliText: "cannot read the private key: it is encrypted; give its passphrase with --passphrase-env",
    },
    {
      name: "a Key Vault URL that is not a URL",
      library: () => openDrop(drop.dir, { keyVaultUrl: "not a url" }),
      cli: () => ["verify", drop.dir, "--key-vault", "not a url"],
      libraryText: "`keyVaultUrl`: not a valid Key Vault URL: not a url",
      cliText: "--key-vault: not a valid Key Vault URL: not a url",
    },
    {
      name: "a malformed storage connection string",
      library: () => inspectDrop("https://contoso.blob.core.windows.net/tenant/run", { connectionString: "garbage" }),
      cli: () => ["inspect", "https://contoso.blob.core.windows.net/tenant/run", "--connection-string", "garbage"],
      libraryText: "`connectionString` is not a valid Azure Storage connection string",
      cliText: "--connection-string (or AZURE_STORAGE_CONNECTION_STRING) is not a valid Azure Storage connection string",
    },
    {
      name: "a tenant GUID that is not one (simulate)",
      library: () => simulateDrop({ input: "rows.ndjson", tenantId: "contoso", publicKeyPem: keys.publicKeyPem, out: root }),
      cli: () => {
        const publicKeyFile = path.join(root, "public.pem");
        writeFileSync(publicKeyFile, keys.publicKeyPem);
        return ["simulate", "--input", "rows.ndjson", "--tenant", "contoso", "--public-key", publicKeyFile, "--out", root];
      },
      libraryText: '`tenantId` "contoso": must be a GUID',
      cliText: '--tenant "contoso": must be a GUID',
    },
  ];

  it.each(cases)("$name: the library names the option, the CLI its flag", async ({ library, cli, libraryText, cliText }) => {
    const error = await rejectionOf(library);
    expect(error.message).toContain(libraryText);
    expect(error.message).not.toMatch(flag);
    const result = await runCli(cli());
    expect(result.code).toBe(error.exitCode);
    expect(result.stderr).toContain(cliText);
    expect(result.stderr).not.toContain("`");
  });

  it("the CLI translates each backticked name it has a flag for and leaves any other", () => {
    expect(inCliTerms("give `keyVaultUrl` or `privateKeyPem`, not both")).toBe("give --key-vault or --private-key, not both");
    expect(inCliTerms("`dataFactoryName` must not be empty")).toBe("`dataFactoryName` must not be empty");
    expect(inCliTerms("a path with keyName in it")).toBe("a path with keyName in it");
  });
});
