/**
 * Plan scaling (issue 5): generate single-stack configs of N tenants, time the offline plan
 * exactly as a user runs it (`npm run plan --silent -- --config <file>`, npm's start-up and the
 * script's node flags included), count the resources in its JSON output.
 *
 * The generated config is Pulumi.dev.yaml with its tenant list replaced: the N tenants are clones of
 * the example's tenants, taken in turn (so the optional features — users dataset, notify URL — appear
 * in the same proportion), each with a fresh GUID, a unique label and, where the example sets one,
 * a key expiry a year ahead. Without Pulumi.dev.yaml: namePrefix, location and tenants `{ id }`.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { median, runMeasured, TimeoutError, type RssMethod } from "./measure";
import { REPO } from "./methods";
import { estimateState, type StateSize } from "./state-size";

const DEV_STACK = join(REPO, "Pulumi.dev.yaml");
const TENANTS_KEY = "viva-partner:tenants";

type Tenant = Record<string, unknown>;

/** A date `days` ahead, in the same shape as `like` (date only or full ISO). */
function futureDate(like: unknown, days: number): string {
  const iso = new Date(Date.now() + days * 86_400_000).toISOString();
  return typeof like === "string" && /^\d{4}-\d{2}-\d{2}$/.test(like) ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, "Z");
}

/** Clone of `template` as tenant number `i`: fresh id, unique label/name, any expiry a year ahead. */
export function cloneTenant(template: Tenant, i: number): Tenant {
  const t: Tenant = structuredClone(template);
  t.id = randomUUID();
  for (const [k, v] of Object.entries(t)) {
    if (/^(label|name|displayName)$/i.test(k) && typeof v === "string") t[k] = `${v.slice(0, 40)}-${i + 1}`;
    if (/expir/i.test(k)) t[k] = futureDate(v, 365);
  }
  return t;
}

/** The stack-config document for `n` tenants (see the module comment). */
export function planConfig(n: number, devStack: string = DEV_STACK): Record<string, unknown> {
  // Without the example stack: the required settings of config/schema.ts and nothing else.
  let doc: Record<string, unknown> = { config: { "viva-partner:namePrefix": "vivabench", "viva-partner:location": "westeurope" } };
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
  /** Resources outside every tenant component's subtree (null when the plan has no tenant components). */
  platform: number | null;
  /** Resources per tenant component, its own included. */
  perTenant: { min: number; max: number; mean: number } | null;
  seconds: number[];
  median: number;
  peakRss: number | null;
  /** Estimated Pulumi state of the plan (scripts/bench/state-size.ts). */
  state: StateSize;
}

export interface PlanVerdict {
  /** The platform's resources when the same at every size, else null. */
  platformResources: number | null;
  /** Resources per tenant at the largest size. */
  perTenant: { min: number; max: number; mean: number } | null;
  /** Platform constant and the same per-tenant shapes at every size. */
  resourcesLinear: boolean | null;
  /** Marginal seconds per tenant between consecutive sizes. */
  secondsPerTenant: number[];
  /** max/min of the marginal seconds per tenant; ≤ 2 is called linear. */
  spread: number | null;
  linear: boolean | null;
  /** Median seconds at 1,000 tenants (null when 1,000 was not measured) and the 30 s target. */
  at1000: number | null;
  under30s: boolean | null;
  /** Max ÷ min of the state bytes per tenant over the sizes; ≤ 1.05 is called flat. */
  stateSpread: number | null;
  /** Every dynamic resource's serialized provider under 10 KB. */
  providersUnder10KB: boolean | null;
  note?: string;
}

interface PlannedResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
}

/** Component type of one tenant (components/tenant: `viva-partner:tenant:Tenant`). */
const TENANT_TYPE = /:Tenant$/;

/** Splits a plan into the platform's resources and each tenant component's subtree. */
export function countPlan(plan: Omit<PlannedResource, "inputs">[]): Pick<PlanPoint, "resources" | "platform" | "perTenant"> {
  const byName = new Map(plan.map((r) => [r.name, r]));
  const perTenant = new Map<string, number>();
  let platform = 0;
  for (const r of plan) {
    let cur: Omit<PlannedResource, "inputs"> | undefined = r;
    let tenant: string | null = null;
    for (let depth = 0; cur && depth < 100; depth++) {
      if (TENANT_TYPE.test(cur.type)) {
        tenant = cur.name;
        break;
      }
      cur = cur.parent === null ? undefined : byName.get(cur.parent);
    }
    if (tenant === null) platform += 1;
    else perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
  }
  if (perTenant.size === 0) return { resources: plan.length, platform: null, perTenant: null };
  const counts = [...perTenant.values()];
  return {
    resources: plan.length,
    platform,
    perTenant: { min: Math.min(...counts), max: Math.max(...counts), mean: counts.reduce((a, b) => a + b, 0) / counts.length },
  };
}

export interface PlanMeasurement {
  points: PlanPoint[];
  /** The size at which one plan run passed the time limit (the larger sizes were not tried). */
  timedOut?: { tenants: number; seconds: number };
}

export async function measurePlan(opts: {
  sizes: number[];
  runs: number;
  scratch: string;
  rss: RssMethod;
  /** Per plan run; past it the run is killed and scaling stops there. */
  timeoutSeconds: number;
  log: (line: string) => void;
}): Promise<PlanMeasurement> {
  const points: PlanPoint[] = [];
  for (const n of [...opts.sizes].sort((a, b) => a - b)) {
    // scripts/plan.ts takes the stack name from the file name (Pulumi.<stack>.yaml): keep it short.
    const dir = join(opts.scratch, `plan-${n}-tenants`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "Pulumi.bench.yaml");
    writeFileSync(file, stringify(planConfig(n)));
    const seconds: number[] = [];
    let resources = -1;
    let peakRss: number | null = 0;
    let counted: ReturnType<typeof countPlan> | undefined;
    let state: StateSize | undefined;
    for (let r = 0; r < opts.runs; r++) {
      let res;
      try {
        res = await runMeasured([["npm", "run", "plan", "--silent", "--", "--config", file]], {
          cwd: REPO,
          scratch: opts.scratch,
          stdout: "capture",
          rss: opts.rss,
          timeoutSeconds: opts.timeoutSeconds,
        });
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        opts.log(`  plan ${n} tenants, run ${r + 1}: stopped after ${opts.timeoutSeconds} s`);
        return { points, timedOut: { tenants: n, seconds: opts.timeoutSeconds } };
      }
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
      counted = countPlan(plan as PlannedResource[]);
      state ??= estimateState(plan as PlannedResource[]);
      if (counted.perTenant !== null && [...new Set((plan as PlannedResource[]).filter((x) => TENANT_TYPE.test(x.type)).map((x) => x.name))].length !== n) {
        throw new Error(`plan for ${n} tenants: the plan does not have ${n} tenant components`);
      }
      seconds.push(res.seconds);
      peakRss = res.peakRss === null || peakRss === null ? null : Math.max(peakRss, res.peakRss);
      opts.log(`  plan ${n} tenants, run ${r + 1}: ${res.seconds.toFixed(2)} s, ${resources} resources`);
    }
    points.push({ tenants: n, ...counted!, seconds, median: median(seconds), peakRss, state: state! });
  }
  return { points };
}

/** Linear-growth and 30 s verdicts for measured points. */
export function judgePlan(points: PlanPoint[], timedOut?: PlanMeasurement["timedOut"]): PlanVerdict {
  const p = [...points].sort((a, b) => a.tenants - b.tenants);
  const secondsPerTenant: number[] = [];
  for (let i = 1; i < p.length; i++) secondsPerTenant.push((p[i].median - p[i - 1].median) / (p[i].tenants - p[i - 1].tenants));
  const structural = p.length > 0 && p.every((x) => x.platform !== null && x.perTenant !== null);
  const samePlatform = structural && p.every((x) => x.platform === p[0].platform);
  const sameShapes = structural && p.every((x) => x.perTenant!.min === p[0].perTenant!.min && x.perTenant!.max === p[0].perTenant!.max);
  const resourcesLinear = structural ? samePlatform && sameShapes : null;
  const positive = secondsPerTenant.filter((s) => s > 0);
  const spread = positive.length === secondsPerTenant.length && positive.length > 1 ? Math.max(...positive) / Math.min(...positive) : null;
  const big = p.find((x) => x.tenants === 1000);
  const perTenantState = p.map((x) => x.state?.perTenant?.mean).filter((x): x is number => x !== undefined);
  const verdict: PlanVerdict = {
    platformResources: samePlatform ? p[0].platform : null,
    perTenant: p.length > 0 ? p[p.length - 1].perTenant : null,
    resourcesLinear,
    secondsPerTenant,
    spread,
    linear: resourcesLinear === false ? false : spread === null ? null : spread <= 2,
    at1000: big ? big.median : null,
    under30s: big ? big.median < 30 : null,
    stateSpread: perTenantState.length === p.length && p.length > 0 ? Math.max(...perTenantState) / Math.min(...perTenantState) : null,
    providersUnder10KB: p.length > 0 && p.every((x) => x.state) ? p.every((x) => x.state.largestProvider < 10 * 1024) : null,
  };
  if (timedOut) {
    verdict.note = `a plan of ${timedOut.tenants} tenants did not finish within ${timedOut.seconds} s; larger sizes not tried`;
    if (timedOut.seconds >= 30 && timedOut.tenants <= 1000) verdict.under30s = false;
    return verdict;
  }
  if (resourcesLinear === false) verdict.note = "the platform's resources or the per-tenant resources change with the tenant count";
  else if (resourcesLinear === null) verdict.note = "no tenant components found in the plan: resources per tenant not checked";
  else if (p.length < 3) verdict.note = "fewer than three sizes: growth of time not judged";
  else if (spread === null) verdict.note = "differences too small against start-up time to judge growth (use larger --plan-sizes)";
  return verdict;
}
