import * as pulumi from "@pulumi/pulumi";
import { readRawConfig, validateConfig, type ProgramConfig } from "../../config";
import { declareProgram, stackExports, type TenantPacer } from "../../components/program";
import { MOCK_CLIENT, planMocks } from "./mocks";
import { redact } from "./redact";

/** One resource the program would register. */
export interface PlannedResource {
  /** Pulumi type token, e.g. azure-native:keyvault:Vault. */
  type: string;
  /** Logical name. */
  name: string;
  /** Logical name of the parent component, or null at the top. */
  parent: string | null;
  /** Inputs as sent to the provider, secrets replaced by "[secret]". */
  inputs: Record<string, unknown>;
}

/** What a plan run needs: the stack's config (as Pulumi stores it) and the clock for validation. */
export interface PlanRequest {
  stack: string;
  /** `project:key` → value, every value a string (objects as JSON), like `pulumi.runtime.allConfig()`. */
  config: Record<string, string>;
  /** Only used by the "not in the past" rules; defaults to the current time. */
  now?: Date;
}

/** The resources and the stack outputs the program declared. */
export interface PlanResult {
  resources: PlannedResource[];
  /**
   * Logical name → logical names of the resources it waits for (its explicit `dependsOn` and the
   * resources its inputs come from), as the engine would order them. Not printed; for review and tests.
   */
  dependencies: Map<string, string[]>;
  config: ProgramConfig;
  outputs: Record<string, unknown>;
}

const PROJECT = "viva-partner";
/**
 * Tenants declared before the plan waits for their registrations to finish. Without a pause every
 * registration of every tenant is in flight at once, and the garbage collector's work on that
 * growing heap makes a 1,000-tenant plan superlinear.
 */
const TENANTS_PER_BATCH = 10;

// The SDK's wait for outstanding registrations is exported but not typed as public API.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

function drainEvery(batch: number): TenantPacer {
  return async (declared) => {
    if (declared % batch === 0) await waitForRPCs();
  };
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList?(): string[];
}
type MonitorMethod = (req: MonitorRequest, callback: unknown) => unknown;

/**
 * Runs the program on Pulumi's mock runtime (no engine, no cloud, no credentials) and returns every
 * resource it registers. Config errors surface as the ConfigError thrown before any resource.
 */
export async function runPlan(request: PlanRequest): Promise<PlanResult> {
  const planned = new Map<string, PlannedResource>();
  const parents = new Map<string, string | null>();
  const dependencies = new Map<string, string[]>();
  const key = (type: string, name: string) => `${type}::${name}`;

  pulumi.runtime.setAllConfig(request.config);
  // Offline, `secure:` values are placeholders: validation skips the rules that need their text.
  const config = validateConfig(readRawConfig(), { stack: request.stack, now: request.now ?? new Date(), unreadableSecrets: true });
  const platformStack = config.topology.kind === "customer" ? config.topology.platformStack : undefined;

  await pulumi.runtime.setMocks(
    planMocks((type, name, inputs) => {
      planned.set(key(type, name), { type, name, parent: parents.get(key(type, name)) ?? null, inputs: redact(inputs) });
    }, platformStack),
    PROJECT,
    request.stack,
    false,
  );
  recordRequests(parents, dependencies, key);

  // Pulumi records a stack trace on every internal promise (leak diagnostics only); with thousands of
  // resources capturing them dominates the run time and memory, so a plan captures none.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let outputs: Record<string, unknown>;
  try {
    outputs = stackExports(await declareProgram(config, MOCK_CLIENT, drainEvery(TENANTS_PER_BATCH)));
    await pulumi.runtime.disconnect();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  // Registration order depends on promise timing; sorted by name, a tenant's subtree stays together.
  const resources = [...planned.values()].sort((a, b) => (a.name === b.name ? cmp(a.type, b.type) : cmp(a.name, b.name)));
  return { resources, dependencies, config, outputs };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Logical name at the end of a URN ("...::<logical name>"). */
function logicalName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * Mock resource args carry neither parent nor dependencies, so note both from each request before
 * the mock monitor handles it.
 */
function recordRequests(
  parents: Map<string, string | null>,
  dependencies: Map<string, string[]>,
  key: (type: string, name: string) => string,
): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<"registerResource" | "readResource", MonitorMethod>;
  for (const method of ["registerResource", "readResource"] as const) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req, callback) => {
      const parentUrn = req.getParent();
      parents.set(key(req.getType(), req.getName()), parentUrn ? logicalName(parentUrn) : null);
      const deps = req.getDependenciesList?.() ?? [];
      dependencies.set(req.getName(), [...new Set(deps.map(logicalName))].sort());
      return original(req, callback);
    };
  }
}
