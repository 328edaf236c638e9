import type {
  EnforcementLevel,
  Policies,
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { POLICIES } from "../../policy/policies";
import { isUnknownMarker, isUnknownValueError, UNKNOWN_STRING, unknownCheckingProxy } from "../../policy/unknown-values";

/** One resource of a saved `npm run plan` output. */
export interface PlanResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
}

/** A violation (or a check that could not run) found in a plan. */
export interface Finding {
  policy: string;
  level: "mandatory" | "advisory";
  /** Logical name of the resource, or null for the plan as a whole. */
  resource: string | null;
  /** Starts with the property's path. */
  message: string;
}

/** A policy that threw while checking a resource: a bug in the policy, not a finding. */
export class PolicyCrash extends Error {}

/** The level a policy's findings carry (what the policy server does with the same settings). */
function levelOf(policy: Policy, packLevel: EnforcementLevel): Finding["level"] | "disabled" {
  const level = policy.enforcementLevel ?? packLevel;
  return level === "remediate" ? "mandatory" : level;
}

/** A copy of plan inputs in which the plan's unknown markers are the values the policy server sees. */
function asPolicyValue(value: unknown): unknown {
  if (isUnknownMarker(value)) return UNKNOWN_STRING;
  if (Array.isArray(value)) return value.map(asPolicyValue);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPolicyValue(v)]));
  return value;
}

function urnOf(resource: PlanResource): string {
  return `urn:pulumi:plan::viva-partner::${resource.type}::${resource.name}`;
}

class NotApplicable extends Error {}

function resourceOptions(): PolicyResourceOptions {
  return { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
}

/** The plan as the policy SDK hands resources to policies: proxied props, parents linked by URN. */
export function policyResources(plan: readonly PlanResource[]): PolicyResource[] {
  const resources = plan.map((r): PolicyResource => {
    const props = unknownCheckingProxy(asPolicyValue(r.inputs) as Record<string, unknown>);
    const typeOf = (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === r.type;
    return {
      type: r.type,
      props,
      urn: urnOf(r),
      name: r.name,
      opts: resourceOptions(),
      dependencies: [],
      propertyDependencies: {},
      isType: typeOf,
      asType: ((resourceClass: unknown) => (typeOf(resourceClass) ? props : undefined)) as PolicyResource["asType"],
    };
  });
  const byName = new Map(resources.map((r) => [r.name, r]));
  plan.forEach((r, i) => {
    const parent = r.parent ? byName.get(r.parent) : undefined;
    if (parent) {
      resources[i].parent = parent;
      resources[i].opts.parent = parent.urn;
    }
  });
  return resources;
}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** What a resource policy's `validateResource` receives for one resource. */
export function resourceValidationArgs(resource: PolicyResource): ResourceValidationArgs {
  return {
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.opts,
    stackTags: new Map(),
    isType: resource.isType,
    asType: ((resourceClass: never) => (resource.isType(resourceClass) ? resource.props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable,
  };
}

/** What a stack policy's `validateStack` receives. */
export function stackValidationArgs(resources: PolicyResource[]): StackValidationArgs {
  return { resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable };
}

/**
 * Runs every policy over a saved plan, as the policy server runs them during `pulumi preview`:
 * resource policies once per resource, stack policies once over all of them. A policy that reads a
 * value the plan cannot know yields an advisory "not checked" finding, as the server does.
 */
export async function evaluatePlan(plan: readonly PlanResource[], policies: Policies = POLICIES, packLevel: EnforcementLevel = "mandatory"): Promise<Finding[]> {
  const resources = policyResources(plan);
  const nameOfUrn = new Map(resources.map((r) => [r.urn, r.name]));
  const findings: Finding[] = [];
  for (const policy of policies) {
    const level = levelOf(policy, packLevel);
    if (level === "disabled") continue;
    const add = (resource: string | null, message: string, as: Finding["level"] = level) => findings.push({ policy: policy.name, level: as, resource, message });
    const run = async (resource: string | null, check: () => Promise<void> | void) => {
      try {
        await check();
      } catch (error) {
        if (error instanceof NotApplicable) return;
        if (isUnknownValueError(error)) return add(resource, `not checked: ${error.message}`, "advisory");
        throw new PolicyCrash(`policy ${policy.name} failed on ${resource ?? "the plan"}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    if ("validateStack" in policy) {
      const stackPolicy = policy as StackValidationPolicy;
      const args = stackValidationArgs(resources);
      await run(null, () => stackPolicy.validateStack(args, (message, urn) => add(urn ? (nameOfUrn.get(urn) ?? urn) : null, message)));
      continue;
    }
    const validations = ([] as ResourceValidation[]).concat((policy as ResourceValidationPolicy).validateResource ?? []);
    for (const resource of resources) {
      const args = resourceValidationArgs(resource);
      for (const validate of validations) await run(resource.name, () => validate(args, (message) => add(resource.name, message)));
    }
  }
  return findings;
}
