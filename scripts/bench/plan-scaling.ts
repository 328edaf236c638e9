/**
 * Plan scaling (issue 5): generate single-stack configs of N tenants, time the offline plan
 * (`tsx scripts/plan.ts --config <file>`, what `npm run plan -- --config <file>` runs, without npm's
 * own start-up), count the resources in its JSON output.
 *
 * The generated config is Pulumi.dev.yaml with its tenant list replaced: the N tenants are clones of
 * the example's tenants, taken in turn (so the optional features — users dataset, notify URL — appear
 * in the same proportion), each with a fresh GUID, a unique label and a key expiry a year ahead.
 * Without Pulumi.dev.yaml, tenants are `{ id, keyExpiresOn }` as issue 2 describes.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { median, runMeasured, type RssMethod } from "./measure";

export const PLAN_SCRIPT = resolve(__dirname, "..", "plan.ts");
const REPO = resolve(__dirname, "..", "..");
const DEV_STACK = join(REPO, "Pulumi.dev.yaml");
const TENANTS_KEY = "viva-partner:tenants";

type Tenant = Record<string, unknown>;

/** A date `days` ahead, in the same shape as `like` (date only or full ISO). */
function futureDate(like: unknown, days: number): string {
  const iso = new Date(Date.now() + days * 86_400_000).toISOString();
  return typeof like === "string" && /^\d{4}-\d{2}-\d{2}$/.test(like) ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, "Z");
}

/** Clone of `template` as tenant number `i`: fresh id, unique label/name, expiry a year ahead. */
export function cloneTenant(template: Tenant, i: number): Tenant {
  const t: Tenant = structuredClone(template);
  t.id = randomUUID();
  for (const [k, v] of Object.entries(t)) {
    if (/^(label|name|displayName)$/i.test(k) && typeof v === "string") t[k] = `${v.slice(0, 40)}-${i + 1}`;
    if (/expir/i.test(k)) t[k] = futureDate(v, 365);
  }
  if (!Object.keys(t).some((k) => /expir/i.test(k))) t.keyExpiresOn = futureDate(undefined, 365);
  return t;
}

/** The stack-config document for `n` tenants (see the module comment). */
export function planConfig(n: number, devStack: string = DEV_STACK): Record<string, unknown> {
  let doc: Record<string, unknown> = { config: {} };
  if (existsSync(devStack)) doc = (parse(readFileSync(devStack, "utf8")) as Record<string, unknown>) ?? doc;
  const config = { ...((doc.config as Record<string, unknown> | undefined) ?? {}) };
  const examples = Array.isArray(config[TENANTS_KEY]) ? (config[TENANTS_KEY] as Tenant[]) : [];
  const templates: Tenant[] = examples.length > 0 ? examples : [{}];
  delete config["viva-partner:platformStack"]; // single stack: platform + every tenant
  config[TENANTS_KEY] = Array.from({ length: n }, (_, i) => cloneTenant(templates[i % templates.length], i));
  return { ...doc, config };
}

export interface PlanPoint {
  tenants: number;
  resources: number;
  seconds: number[];
  median: number;
  peakRss: number | null;
}

export interface PlanVerdict {
  /** Marginal resources per tenant between consecutive sizes (all equal when the plan is linear). */
  resourcesPerTenant: number[];
  /** Resources that do not depend on the tenant count (platform). */
  platformResources: number | null;
  /** Marginal seconds per tenant between consecutive sizes. */
  secondsPerTenant: number[];
  /** max/min of the marginal seconds per tenant; ≤ 2 is called linear. */
  spread: number | null;
  linear: boolean | null;
  /** Median seconds at 1,000 tenants (null when 1,000 was not measured) and the 30 s target. */
  at1000: number | null;
  under30s: boolean | null;
  note?: string;
}

export async function measurePlan(opts: {
  sizes: number[];
  runs: number;
  scratch: string;
  rss: RssMethod;
  log: (line: string) => void;
}): Promise<PlanPoint[]> {
  const tsx = join(REPO, "node_modules", ".bin", "tsx");
  const points: PlanPoint[] = [];
  for (const n of opts.sizes) {
    const file = join(opts.scratch, `plan-${n}-tenants.yaml`);
    writeFileSync(file, stringify(planConfig(n)));
    const seconds: number[] = [];
    let resources = -1;
    let peakRss: number | null = 0;
    for (let r = 0; r < opts.runs; r++) {
      const res = await runMeasured([[tsx, PLAN_SCRIPT, "--config", file]], {
        cwd: REPO,
        scratch: opts.scratch,
        stdout: "capture",
        rss: opts.rss,
      });
      let plan: unknown;
      try {
        plan = JSON.parse(res.stdout);
      } catch {
        throw new Error(`plan for ${n} tenants: stdout is not JSON (${res.stdout.slice(0, 120)}…)`);
      }
      if (!Array.isArray(plan)) throw new Error(`plan for ${n} tenants: stdout is not a JSON array`);
      if (resources >= 0 && plan.length !== resources) {
        throw new Error(`plan for ${n} tenants: ${plan.length} resources on run ${r + 1}, ${resources} before`);
      }
      resources = plan.length;
      seconds.push(res.seconds);
      peakRss = res.peakRss === null || peakRss === null ? null : Math.max(peakRss, res.peakRss);
      opts.log(`  plan ${n} tenants, run ${r + 1}: ${res.seconds.toFixed(2)} s, ${resources} resources`);
    }
    points.push({ tenants: n, resources, seconds, median: median(seconds), peakRss });
  }
  return points;
}

/** Linear-growth and 30 s verdicts for measured points (sorted by tenant count). */
export function judgePlan(points: PlanPoint[]): PlanVerdict {
  const p = [...points].sort((a, b) => a.tenants - b.tenants);
  const resourcesPerTenant: number[] = [];
  const secondsPerTenant: number[] = [];
  for (let i = 1; i < p.length; i++) {
    const dn = p[i].tenants - p[i - 1].tenants;
    resourcesPerTenant.push((p[i].resources - p[i - 1].resources) / dn);
    secondsPerTenant.push((p[i].median - p[i - 1].median) / dn);
  }
  const platformResources = resourcesPerTenant.length > 0 ? p[0].resources - resourcesPerTenant[0] * p[0].tenants : null;
  const positive = secondsPerTenant.filter((s) => s > 0);
  const spread = positive.length === secondsPerTenant.length && positive.length > 1 ? Math.max(...positive) / Math.min(...positive) : null;
  const resourcesLinear = resourcesPerTenant.every((r) => r === resourcesPerTenant[0]);
  const big = p.find((x) => x.tenants === 1000);
  const verdict: PlanVerdict = {
    resourcesPerTenant,
    platformResources,
    secondsPerTenant,
    spread,
    linear: spread === null ? null : resourcesLinear && spread <= 2,
    at1000: big ? big.median : null,
    under30s: big ? big.median < 30 : null,
  };
  if (p.length < 2) verdict.note = "one size only: growth not judged";
  else if (spread === null) verdict.note = "differences too small against start-up time to judge growth (use larger --plan-sizes)";
  else if (!resourcesLinear) verdict.note = "resources per tenant differ between sizes";
  return verdict;
}
