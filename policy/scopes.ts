import { isUnknownMarker } from "./unknown-values";

/**
 * What an Azure RBAC scope covers, from the narrowest to the widest. `unknown` is a scope the plan
 * cannot know yet; `other` is a string that is no scope this program uses (a data-plane URL, a typo).
 */
export type ScopeKind =
  | "key"
  | "secret"
  | "vault"
  | "container"
  | "account"
  | "resourceGroup"
  | "subscription"
  | "managementGroup"
  | "other"
  | "unknown";

const SEGMENT = "[^/]+";
const RESOURCE_GROUP = `/subscriptions/${SEGMENT}/resourcegroups/${SEGMENT}`;
const VAULT = `${RESOURCE_GROUP}/providers/microsoft\\.keyvault/vaults/${SEGMENT}`;
const ACCOUNT = `${RESOURCE_GROUP}/providers/microsoft\\.storage/storageaccounts/${SEGMENT}`;

/** ARM resource id patterns (matched lower-cased: ARM ids are case-insensitive), narrowest first. */
const PATTERNS: readonly [ScopeKind, RegExp][] = [
  ["key", new RegExp(`^${VAULT}/keys/${SEGMENT}$`)],
  ["secret", new RegExp(`^${VAULT}/secrets/${SEGMENT}$`)],
  ["vault", new RegExp(`^${VAULT}$`)],
  ["container", new RegExp(`^${ACCOUNT}/blobservices/default/containers/${SEGMENT}$`)],
  ["account", new RegExp(`^${ACCOUNT}$`)],
  ["resourceGroup", new RegExp(`^${RESOURCE_GROUP}$`)],
  ["subscription", new RegExp(`^/subscriptions/${SEGMENT}$`)],
  ["managementGroup", new RegExp(`^(/|/providers/microsoft\\.management/managementgroups/${SEGMENT})$`)],
];

/** Classifies a role assignment's scope: an ARM resource id, or the plan's unknown marker. */
export function classifyScope(scope: unknown): ScopeKind {
  if (isUnknownMarker(scope)) return "unknown";
  if (typeof scope !== "string") return "other";
  const id = scope.toLowerCase();
  const trimmed = id.length > 1 ? id.replace(/\/+$/, "") : id;
  for (const [kind, pattern] of PATTERNS) if (pattern.test(trimmed)) return kind;
  return "other";
}
