import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { BUILT_IN_ROLES, type BuiltInRole } from "../../components/roles";
import { readStackConfigFile } from "../../scripts/plan/config-file";
import { MOCK_CLIENT } from "../../scripts/plan/mocks";
import { runPlan, type PlannedResource, type PlanResult } from "../../scripts/plan/run-plan";

export const ROOT = path.resolve(__dirname, "../..");
/** The clock every plan test validates against. */
export const NOW = new Date("2026-11-25T12:00:00Z");
export const FABRIKAM = "3f2b8c1e-5d4a-4c6b-9e7f-1a2b3c4d5e6f";
export const NORTHWIND = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
/** The dev stack's paused tenant (consent pending), with narrowed column lists. */
export const TAILSPIN = "2c4e6a8b-1d3f-4a5c-9e7b-0f2d4c6e8a1b";
/** The dev stack's tenant configured with nothing but its id. */
export const WOODGROVE = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b";
/** ARM id of the dev stack's resource group in the mocked subscription. */
export const DEV_RG_ID = `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/contoso-dev-rg`;

/** Full role definition id of a built-in role in the mocked subscription. */
export function builtInRoleId(role: BuiltInRole): string {
  return `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}

/** Pulumi.<stack>.yaml of the repository as the flat config map Pulumi gives a program. */
export function stackConfig(stack: string): Record<string, string> {
  return readStackConfigFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

/** Pulumi.dev.yaml as the flat config map Pulumi gives a program. */
export function devConfig(): Record<string, string> {
  return stackConfig("dev");
}

/** Plans `config` as stack `stack` with the fixed test clock. */
export function plan(config: Record<string, string>, stack = "dev"): Promise<PlanResult> {
  return runPlan({ stack, config, now: NOW });
}

/** The tenants of a flat config map, parsed. */
export function tenantsOf(config: Record<string, string>): Record<string, unknown>[] {
  return JSON.parse(config["viva-partner:tenants"]) as Record<string, unknown>[];
}

/** A copy of `config` with another tenant list. */
export function withTenants(config: Record<string, string>, tenants: Record<string, unknown>[]): Record<string, string> {
  return { ...config, "viva-partner:tenants": JSON.stringify(tenants) };
}

/** The one planned resource with this logical name (fails the test when missing). */
export function resource(resources: PlannedResource[], name: string): PlannedResource {
  const found = resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
  return found[0];
}

/** Resolves an Output's value (awaited, so a failing assertion fails the test). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}
