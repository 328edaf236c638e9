import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli } from "./support/run-cli";

// The built CLI, for what happens before any call to Azure: flags, the stack outputs file, parameters.
// (With no Azure sign-in here, a command that got as far as a call would fail with a sign-in message.)

const FIXTURE = path.resolve(__dirname, "fixtures/stack-outputs.json");
const FABRIKAM = "8f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f";
let work: string;

function outputsFile(name: string, edit: (outputs: Record<string, unknown>) => void): string {
  const outputs = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
  edit(outputs);
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(outputs));
  return file;
}

function tenantsOf(outputs: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return outputs.tenants as Record<string, Record<string, unknown>>;
}

beforeAll(() => {
  assertBuilt();
  work = mkdtempSync(path.join(tmpdir(), "run-cli-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(["run", "--tenant", FABRIKAM, "--stack-outputs", FIXTURE, ...args]);

describe("viva-drop run (built), refusals before any call", () => {
  it.each([
    [["--start", "2026-02-30"], `viva-drop: tenant ${FABRIKAM}: --start "2026-02-30": must be an ISO 8601 date (2027-06-30) or date-time with a zone (2027-06-30T00:00:00Z)\n`],
    [["--aggregation", "Year"], `viva-drop: tenant ${FABRIKAM}: --aggregation "Year": must be one of Day, Week, Month\n`],
    [["--lookback-days", "400"], `viva-drop: tenant ${FABRIKAM}: --lookback-days "400": must be a whole number from 1 to 365\n`],
    [
      ["--start", "2026-01-01", "--end", "2026-01-20", "--aggregation", "Month"],
      `viva-drop: tenant ${FABRIKAM}: --end "2026-01-20": must be at least one month after --start for --aggregation Month\n`,
    ],
    [["--timeout", "soon"], `viva-drop: tenant ${FABRIKAM}: --timeout "soon": must be a duration such as 12h, 90m or 1h30m\n`],
    [["--sink", "x.duckdb"], `viva-drop: tenant ${FABRIKAM}: --sink applies to --ingest only\n`],
    [["--ingest"], `viva-drop: tenant ${FABRIKAM}: --ingest needs --sink <target> (*.duckdb, duckdb:<path> or postgres://…)\n`],
    [["--ingest", "--sink", "db.sqlite"], `viva-drop: tenant ${FABRIKAM}: --sink "db.sqlite": must be *.duckdb, duckdb:<path> or postgres://…\n`],
    [["--ingest", "--sink", "x.duckdb", "--no-wait"], `viva-drop: tenant ${FABRIKAM}: --ingest needs the run to finish: drop --no-wait\n`],
    [["--factory", "adf-x"], `viva-drop: tenant ${FABRIKAM}: give either --stack-outputs or --subscription/--resource-group/--factory, not both\n`],
  ])("%j exits 2 with one line", async (args, stderr) => {
    expect(await run(...args)).toEqual({ code: 2, stdout: "", stderr });
  });

  it("needs a factory: the stack outputs or all three flags", async () => {
    const result = await runCli(["run", "--tenant", FABRIKAM, "--subscription", "s"]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/which factory\? give --stack-outputs <file>/);
  });

  it("refuses a tenant the stack does not have, listing the ones it has", async () => {
    const other = "11111111-2222-4333-8444-555555555555";
    const result = await runCli(["run", "--tenant", other, "--stack-outputs", FIXTURE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `viva-drop: tenant ${other}: --tenant ${other}: not in --stack-outputs ${FIXTURE} (its tenants: ${FABRIKAM}, 0b7f6e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b)\n`,
    );
  });

  it("names the missing or malformed field of a stack outputs file", async () => {
    const noFactory = outputsFile("no-factory.json", (o) => delete tenantsOf(o)[FABRIKAM].factory);
    expect((await runCli(["run", "--tenant", FABRIKAM, "--stack-outputs", noFactory])).stderr).toBe(
      `viva-drop: tenant ${FABRIKAM}: --stack-outputs ${noFactory}: tenants.${FABRIKAM}.factory is missing (expected \`pulumi stack output --json\` of a viva-partner stack)\n`,
    );
    const badPaused = outputsFile("bad-paused.json", (o) => (tenantsOf(o)[FABRIKAM].paused = "no"));
    expect((await runCli(["status", "--stack-outputs", badPaused])).stderr).toBe(
      `viva-drop: --stack-outputs ${badPaused}: tenants.${FABRIKAM}.paused must be true or false (expected \`pulumi stack output --json\` of a viva-partner stack)\n`,
    );
    const noVault = outputsFile("no-vault.json", (o) => delete o.vaultUri);
    const result = await runCli(["status", "--stack-outputs", noVault]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/vaultUri is missing/);
  });

  it("says when the file is not JSON or cannot be read", async () => {
    const notJson = path.join(work, "outputs.txt");
    writeFileSync(notJson, "Current stack outputs (3):\n  OUTPUT  VALUE\n");
    const result = await runCli(["status", "--stack-outputs", notJson]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^viva-drop: --stack-outputs ${notJson.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not JSON \\(.*\\); write it with \`pulumi stack output --json > .*\`\n$`));
    const missing = await runCli(["status", "--stack-outputs", path.join(work, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--stack-outputs .*nope\.json: cannot read it: ENOENT/);
  });
});

describe("viva-drop status (built), refusals before any call", () => {
  it.each([
    [["--now", "yesterday"], 'viva-drop: --now "yesterday": must be an ISO 8601 date or date-time with a zone\n'],
    [["--sink", "mysql://x"], 'viva-drop: --sink "mysql://x": must be *.duckdb, duckdb:<path> or postgres://…\n'],
  ])("%j exits 2 with one line", async (args, stderr) => {
    expect(await runCli(["status", "--stack-outputs", FIXTURE, ...args])).toEqual({ code: 2, stdout: "", stderr });
  });
});

describe("viva-drop status --sink (built)", () => {
  it("opens the ingest database read-only: a database that does not exist yet is not created", async () => {
    const database = path.join(work, "not-yet.duckdb");
    // No Azure sign-in (an empty Azure CLI profile): the command stops at the first call, after the sink was opened.
    const result = await runCli(["status", "--stack-outputs", FIXTURE, "--sink", database], { AZURE_CONFIG_DIR: mkdtempSync(path.join(work, "az-")), AZURE_CLIENT_ID: "", AZURE_TENANT_ID: "" });
    expect(result.stderr).toMatch(/no Azure sign-in found/);
    expect(existsSync(database)).toBe(false);
    expect(readdirSync(work).filter((name) => name.startsWith("not-yet"))).toEqual([]);
  });
});

describe("help", () => {
  it("documents exit codes 7 and 8, and the needs-action rules", async () => {
    const main = await runCli(["--help"]);
    expect(main.stdout).toMatch(/7 {2}run: the pipeline run failed, was cancelled, or did not finish within --timeout/);
    expect(main.stdout).toMatch(/8 {2}status: a tenant needs action/);
    const status = await runCli(["status", "--help"]);
    expect(status.stdout).toMatch(/expires within 30 days/);
    expect(status.stdout).toMatch(/no drop for more than 8 days/);
  });
});
