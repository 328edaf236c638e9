import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanResource } from "../../scripts/policy/evaluate";
import { FABRIKAM, NORTHWIND, ROOT } from "../helpers/plan";

function npm(script: string, ...args: string[]) {
  const run = spawnSync("npm", ["run", script, "--silent", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(path.join(tmpdir(), "viva-policy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function planFile(name: string, content: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}

/** Saves `npm run plan -- --stack <stack>` as a user would (`> plan.json`). */
function savePlan(stack: string): string {
  const run = npm("plan", "--stack", stack, "--now", "2026-11-25T12:00:00Z");
  expect(run.status, run.stderr).toBe(0);
  return planFile(`${stack}.json`, run.stdout);
}

let devPlan: string;
let devResources: PlanResource[];
beforeAll(() => {
  devPlan = savePlan("dev");
  devResources = JSON.parse(readFileSync(devPlan, "utf8")) as PlanResource[];
});

function edited(name: string, edit: (byName: (n: string) => PlanResource, plan: PlanResource[]) => void): string {
  const plan = structuredClone(devResources);
  edit((n) => {
    const found = plan.find((r) => r.name === n);
    if (!found) throw new Error(`no ${n} in the dev plan`);
    return found;
  }, plan);
  return planFile(name, JSON.stringify(plan));
}

describe("npm run policy", () => {
  it("passes the dev plan and the customer stack's plan: no findings, exit 0", () => {
    for (const file of [devPlan, savePlan("acme")]) {
      const run = npm("policy", file);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^viva-partner policies: \d+ resources, 9 policies, 0 mandatory and 0 advisory findings\n$/);
      expect(run.status).toBe(0);
    }
  });

  it("reads a plan saved without --silent (npm's banner lines before the JSON)", () => {
    const banner = "\n> viva-partner@0.1.0 plan\n> node --max-semi-space-size=64 --import tsx scripts/plan.ts --stack dev\n\n";
    const run = npm("policy", planFile("with-banner.json", banner + readFileSync(devPlan, "utf8")));
    expect(run.stdout).toBe("");
    expect(run.status).toBe(0);
  });

  it("fails a plan with one property broken per policy, one line each naming policy, resource and property", () => {
    const file = edited("broken.json", (byName) => {
      byName("platform-storage-account").inputs.allowSharedKeyAccess = true;
      byName(`tenant-${FABRIKAM}-container`).inputs.publicAccess = "Container";
      (byName("platform-storage-blob-service").inputs.containerDeleteRetentionPolicy as Record<string, unknown>).enabled = false;
      (byName("platform-kv-vault").inputs.properties as Record<string, unknown>).enableRbacAuthorization = false;
      delete byName(`tenant-${NORTHWIND}-key`).inputs.expiresOn;
      delete byName(`tenant-${NORTHWIND}-key`).inputs.lifetime;
      byName(`tenant-${FABRIKAM}-factory-secret-reader`).inputs.scope = byName("platform-kv-deployer-key-manager").inputs.scope;
      ((byName(`tenant-${FABRIKAM}-pipeline`).inputs.activities as Record<string, unknown>[])[2]).url = "http://ingest.contoso-analytics.example/viva/drops";
    });
    const run = npm("policy", file);
    expect(run.stdout.split("\n").filter(Boolean)).toEqual([
      "mandatory: storage-account-locked-down: platform-storage-account: allowSharedKeyAccess must be false (Entra ID only), is true",
      `mandatory: blob-container-private: tenant-${FABRIKAM}-container: publicAccess must be "None" or not set, is "Container"`,
      "advisory: blob-soft-delete: platform-storage-blob-service: containerDeleteRetentionPolicy.enabled should be true, is false",
      "mandatory: key-vault-protected: platform-kv-vault: properties.enableRbacAuthorization must be true, is false",
      `mandatory: tenant-key-rsa-expiring: tenant-${NORTHWIND}-key: expiresOn or lifetime must be set: a tenant key needs an expiry date or a lifetime`,
      `mandatory: role-assignments-least-privilege: tenant-${FABRIKAM}-factory-secret-reader: scope "/subscriptions/00000000-0000-4000-8000-00000000bbbb/resourceGroups/contoso-dev-rg/providers/Microsoft.KeyVault/vaults/contoso-dev-kv" is a vault; this program grants Key Vault Secrets User only on a secret`,
      `mandatory: notify-url-https: tenant-${FABRIKAM}-pipeline: activities[2].url must use https (drop notifications carry tenant data), uses http`,
    ]);
    expect(run.stderr).toMatch(/6 mandatory and 1 advisory findings\n$/);
    expect(run.status).toBe(1);
  });

  it("exits 0 when only advisory policies are violated", () => {
    const file = edited("advisory.json", (byName) => {
      (byName("platform-storage-blob-service").inputs.deleteRetentionPolicy as Record<string, unknown>).enabled = false;
    });
    const run = npm("policy", file);
    expect(run.stdout).toBe("advisory: blob-soft-delete: platform-storage-blob-service: deleteRetentionPolicy.enabled should be true, is false\n");
    expect(run.status).toBe(0);
  });

  it("checks the account of every region, the key lifetimes, the custom key-manager role and the per-key grants of the plan", () => {
    const file = edited("regions.json", (byName) => {
      byName("platform-storage-northeurope-account").inputs.isHnsEnabled = false;
    });
    const run = npm("policy", file);
    expect(run.stdout).toBe("mandatory: storage-account-locked-down: platform-storage-northeurope-account: isHnsEnabled must be true (ADLS Gen2, as Graph Data Connect writes it), is false\n");
    expect(run.status).toBe(1);
  });

  it("reports a value the plan cannot know as not checked, without failing", () => {
    const file = edited("unknown.json", (byName) => {
      byName(`tenant-${FABRIKAM}-app-blob-writer`).inputs.scope = { __pulumiUnknown: true };
    });
    const run = npm("policy", file);
    expect(run.stdout).toBe(`advisory: role-assignments-least-privilege: tenant-${FABRIKAM}-app-blob-writer: not checked: string value at .scope can't be known during preview\n`);
    expect(run.status).toBe(0);
  });

  describe("a plan it cannot check: one line on stderr, nothing on stdout, exit 2", () => {
    const folder = path.join(scratch, "a-folder");
    mkdirSync(folder, { recursive: true });
    it.each([
      ["a missing file", () => path.join(scratch, "missing.json"), (f: string) => `cannot read plan ${f}: no such file`],
      ["a folder", () => folder, (f: string) => `cannot read plan ${f}: is a directory`],
      ["an empty file", () => planFile("empty.json", "\n"), (f: string) => `${f} is empty: expected the JSON that \`npm run plan\` prints`],
      ["a file that is not JSON", () => planFile("Pulumi.dev.yaml", "config:\n  viva-partner:secret: hunter2\n"), (f: string) => `${f} is not JSON: expected the JSON that \`npm run plan\` prints`],
      ["JSON that is not a plan", () => planFile("object.json", '{"resources":[]}'), (f: string) => `${f} is not an \`npm run plan\` output: Invalid input: expected array, received object`],
      ["a resource without inputs", () => planFile("no-inputs.json", '[{"type":"azure-native:keyvault:Vault","name":"v","parent":null}]'), (f: string) => `${f} is not an \`npm run plan\` output: [0].inputs: Invalid input: expected record, received undefined`],
    ])("%s", (_case, make, message) => {
      const file = make();
      const run = npm("policy", file);
      expect(run.stderr).toBe(`${message(file)}\n`);
      expect(run.stderr).not.toContain("hunter2");
      expect(run.stdout).toBe("");
      expect(run.status).toBe(2);
    });

    it("no file at all", () => {
      const run = npm("policy");
      expect(run.stderr).toBe("error: missing required argument 'plan.json'\n");
      expect(run.status).toBe(2);
    });
  });
});
