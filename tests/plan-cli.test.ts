import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stackFromFile } from "../scripts/plan/cli";
import { FABRIKAM, NORTHWIND, ROOT } from "./helpers/plan";

function npmPlan(...args: string[]) {
  const run = spawnSync("npm", ["run", "plan", "--silent", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(path.join(tmpdir(), "viva-plan-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function configFile(name: string, yaml: string): string {
  const file = path.join(mkdtempSync(path.join(scratch, "case-")), name);
  writeFileSync(file, yaml);
  return file;
}

describe("npm run plan", () => {
  it("prints the dev stack's resources as JSON on stdout", () => {
    const run = npmPlan("--stack", "dev", "--now", "2026-11-25T12:00:00Z");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const resources = JSON.parse(run.stdout) as { type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[];
    for (const r of resources) expect(Object.keys(r).sort()).toEqual(["inputs", "name", "parent", "type"]);
    const names = resources.map((r) => r.name);
    expect(names).toContain(`tenant-${FABRIKAM}-trigger`);
    expect(names).toContain(`tenant-${NORTHWIND}-pipeline`);
    expect(resources.find((r) => r.name === "platform-kv-vault")?.parent).toBe("platform-kv");
    // A dynamic resource's serialized provider prints as its size, never as code.
    const providers = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.inputs.__provider);
    expect(providers.length).toBeGreaterThan(0);
    for (const p of providers) expect(p).toMatch(/^\[serialized provider: \d+ bytes\]$/);
    expect(run.stdout).not.toContain("exports.handler");
    // The Viva Insights dataset shows what reaches ARM: the window and the aggregation on the dataset.
    const dataset = resources.find((r) => r.name === `tenant-${FABRIKAM}-ds-person-report`)!;
    expect(dataset.type).toBe("pulumi-nodejs:dynamic/viva-partner:VerbatimDataset");
    expect(dataset.inputs.properties).toMatchObject({
      typeProperties: { dateFilterColumn: "MetricDate", AdditionalDataSetProperties: { aggregationType: "@dataset().AggregationType" } },
    });
    expect(run.stdout).not.toContain("mock-client-secret");
  });

  it("fails a bad config with one line naming the field, and a non-zero exit", () => {
    const file = configFile(
      "Pulumi.bad.yaml",
      [
        "config:",
        "  viva-partner:location: westeurope",
        "  viva-partner:namePrefix: contoso",
        "  viva-partner:appSecretEndDate: '2027-11-25'",
        "  viva-partner:tenants:",
        `    - id: ${FABRIKAM}`,
        "      keyExpiresOn: '2027-11-01'",
        "      notifyUrl: http://hooks.example.com/viva",
        "",
      ].join("\n"),
    );
    const run = npmPlan("--config", file, "--now", "2026-11-25T12:00:00Z");
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("viva-partner:tenants[0].notifyUrl: must use https (drop notifications carry tenant data), got http\n");
  });

  it("reports a missing stack file and wrong flags", () => {
    const missing = npmPlan("--stack", "does-not-exist");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("cannot read Pulumi.does-not-exist.yaml: ENOENT\n");
    const both = npmPlan("--stack", "dev", "--config", "Pulumi.dev.yaml");
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("give exactly one of --stack <name> or --config <file>");
  });

  it("takes the stack name from the config file name", () => {
    expect(stackFromFile("/x/Pulumi.acme.yaml")).toBe("acme");
    expect(stackFromFile("custom.yaml")).toBe("custom");
  });
});
