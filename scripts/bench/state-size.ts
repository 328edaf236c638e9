/**
 * How many bytes of Pulumi state a plan stands for, estimated from `npm run plan` output (no
 * Pulumi CLI here): for each resource its inputs twice — Pulumi keeps inputs and outputs, and
 * the outputs repeat the inputs (a dynamic resource's outputs carry `__provider` again) — plus
 * its URN and its parent's URN. A dynamic resource's `__provider` counts at its real size, which
 * the plan prints as `[serialized provider: N bytes]`. Computed outputs (ids, endpoints),
 * dependency lists and JSON escaping come on top, so this is a lower bound that moves exactly
 * with what the program stores.
 */
import { SERIALIZED_PROVIDER_KEY, serializedProviderBytes } from "../plan/redact";

export interface PlannedResourceLike {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
}

export interface StateSize {
  /** Bytes of the whole stack. */
  total: number;
  /** Bytes outside every tenant component. */
  platform: number;
  /** Bytes per tenant component's subtree: mean, min, max (null without tenant components). */
  perTenant: { mean: number; min: number; max: number } | null;
  /** Of the mean per tenant, the bytes that are serialized providers. */
  providersPerTenant: number;
  /** The largest single serialized provider in the plan. */
  largestProvider: number;
}

const TENANT_TYPE = /:Tenant$/;

/** Estimated state bytes of one resource, and how many of them are its serialized provider. */
export function resourceStateBytes(resource: PlannedResourceLike, urn: string, parentUrn: string): { bytes: number; providerBytes: number } {
  const marker = resource.inputs[SERIALIZED_PROVIDER_KEY];
  const provider = serializedProviderBytes(marker) ?? 0;
  // The marker stands in for the provider text: count the text instead.
  const inputs = Buffer.byteLength(JSON.stringify(resource.inputs)) - (provider > 0 ? Buffer.byteLength(JSON.stringify(marker)) - provider - 2 : 0);
  return { bytes: 2 * inputs + Buffer.byteLength(urn) + Buffer.byteLength(parentUrn), providerBytes: 2 * provider };
}

/** The state estimate of a whole plan, split into platform and tenants. */
export function estimateState(plan: PlannedResourceLike[], stack = "bench", project = "viva-partner"): StateSize {
  const byName = new Map(plan.map((r) => [r.name, r]));
  const urnOf = new Map<string, string>();
  const urn = (r: PlannedResourceLike): string => {
    const known = urnOf.get(r.name);
    if (known) return known;
    const types: string[] = [];
    for (let cur: PlannedResourceLike | undefined = r, depth = 0; cur && depth < 100; depth++) {
      types.unshift(cur.type);
      cur = cur.parent === null ? undefined : byName.get(cur.parent);
    }
    const value = `urn:pulumi:${stack}::${project}::${types.join("$")}::${r.name}`;
    urnOf.set(r.name, value);
    return value;
  };
  const tenantOf = (r: PlannedResourceLike): string | null => {
    for (let cur: PlannedResourceLike | undefined = r, depth = 0; cur && depth < 100; depth++) {
      if (TENANT_TYPE.test(cur.type)) return cur.name;
      cur = cur.parent === null ? undefined : byName.get(cur.parent);
    }
    return null;
  };

  let total = 0;
  let platform = 0;
  let largestProvider = 0;
  const tenants = new Map<string, { bytes: number; providers: number }>();
  for (const r of plan) {
    const parent = r.parent === null ? undefined : byName.get(r.parent);
    const { bytes, providerBytes } = resourceStateBytes(r, urn(r), parent ? urn(parent) : "");
    largestProvider = Math.max(largestProvider, providerBytes / 2);
    total += bytes;
    const tenant = tenantOf(r);
    if (tenant === null) platform += bytes;
    else {
      const sum = tenants.get(tenant) ?? { bytes: 0, providers: 0 };
      sum.bytes += bytes;
      sum.providers += providerBytes;
      tenants.set(tenant, sum);
    }
  }
  const sums = [...tenants.values()];
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    total,
    platform,
    perTenant: sums.length === 0 ? null : { mean: mean(sums.map((s) => s.bytes)), min: Math.min(...sums.map((s) => s.bytes)), max: Math.max(...sums.map((s) => s.bytes)) },
    providersPerTenant: sums.length === 0 ? 0 : mean(sums.map((s) => s.providers)),
    largestProvider,
  };
}
