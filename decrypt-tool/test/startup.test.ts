/**
 * Start-up stays near `node -e 0` only if registering the commands loads nothing heavy (see createProgram in
 * src/cli/main.ts). This checks which modules a real `viva-drop` process loaded, for the help of every
 * command (new commands included) and for `inspect`, which needs no decryption code. It runs the CLI from
 * tsc's output (dist/cli/main.js), one file per module, where laziness shows in the files loaded; the
 * one-file build bin/viva-drop.js runs keeps it (scripts/bundle-cli.cjs). No timing is asserted.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../src/cli/main";
import { resolveWorkerScript } from "../src/decrypt/worker-pool";
import { assertBuilt, runCli } from "./support/run-cli";
import { makeKeyPair, writeTestDrop } from "./support/test-drop";

let scratch: string;
const RECORDER = (): string => path.join(scratch, "record-modules.cjs");
const UNBUNDLED_CLI = (): string => path.join(scratch, "viva-drop-unbundled.cjs");

beforeAll(() => {
  assertBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), "viva-startup-"));
  // Preloaded into the CLI process: writes the files it required, at exit.
  writeFileSync(
    RECORDER(),
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.VIVA_MODULES_OUT, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  writeFileSync(UNBUNDLED_CLI(), `require(${JSON.stringify(path.resolve(__dirname, "../dist/cli/main.js"))}).main();\n`);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The files a `viva-drop <args>` process loaded: npm packages by name, our own modules relative to dist/. */
function modulesLoadedBy(args: string[]): { packages: string[]; own: string[] } {
  const out = path.join(scratch, "modules.json");
  const run = spawnSync(process.execPath, ["--require", RECORDER(), UNBUNDLED_CLI(), ...args], { env: { ...process.env, VIVA_MODULES_OUT: out }, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  const files = JSON.parse(readFileSync(out, "utf8")) as string[];
  const packages = new Set<string>();
  const own: string[] = [];
  for (const file of files) {
    const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (npm) packages.add(npm[1]);
    else if (file.includes(`${path.sep}dist${path.sep}`)) own.push(file.slice(file.lastIndexOf(`${path.sep}dist${path.sep}`) + 6));
  }
  return { packages: [...packages].sort(), own };
}

describe("start-up", () => {
  it("the one-file build bundles commander and zod, without zod's other languages", () => {
    const bundle = readFileSync(path.resolve(__dirname, "../dist/cli/bundle.js"), "utf8");
    expect(bundle).toContain("node_modules/commander/");
    expect(bundle).toContain("node_modules/zod/v4/locales/en.cjs");
    expect(bundle).not.toContain("node_modules/zod/v4/locales/de.cjs");
    expect(bundle).not.toMatch(/node_modules\/(@azure|azurite|cli-progress)\//);
  });

  it("the one-file build finds the parser worker (dist/decrypt/validate-worker.js)", async () => {
    const dist = path.resolve(__dirname, "../dist");
    expect(resolveWorkerScript(path.join(dist, "cli"))).toBe(path.join(dist, "decrypt", "validate-worker.js"));
    const keys = makeKeyPair();
    const drop = writeTestDrop(scratch, { publicKeyPem: keys.publicKeyPem });
    const pem = path.join(scratch, "worker-test.pem");
    writeFileSync(pem, keys.privateKeyPem);
    const result = await runCli(["verify", drop.dir, "--private-key", pem, "--workers", "1", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 5 });
  });

  it("`viva-drop --help` loads commander and the command registrations only", () => {
    const { packages, own } = modulesLoadedBy(["--help"]);
    expect(packages).toEqual(["commander"]);
    // ingest/sinks/target.js parses --sink for three commands: a few lines, no imports but node:path.
    const light = new Set(["ingest/sinks/target.js"]);
    expect(own.filter((file) => (/^(decrypt|metadata|ingest|run|status|demo)\//.test(file) || file === "drop.js") && !light.has(file))).toEqual([]);
  });

  it.each(createProgram().commands.map((command) => command.name()))("`viva-drop %s --help` loads nothing heavy either", (name) => {
    expect(modulesLoadedBy([name, "--help"]).packages).toEqual(["commander"]);
  });

  it("`viva-drop inspect` reads metadata without loading decryption, Azure SDKs or the progress bar", () => {
    const keys = makeKeyPair();
    const drop = writeTestDrop(scratch, { publicKeyPem: keys.publicKeyPem });
    const { packages, own } = modulesLoadedBy(["inspect", drop.dir]);
    expect(packages).toEqual(["commander", "zod"]);
    expect(own.filter((file) => /^decrypt\/|^key\/(?!key-options\.js$)/.test(file))).toEqual([]);
  });
});
