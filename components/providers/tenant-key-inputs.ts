import type * as pulumi from "@pulumi/pulumi";
import { epochSeconds } from "../../config/dates";
import { parseCalendarDuration, rotationPolicyProblem } from "../../config/durations";
import { readRsaPrivateKey } from "../../config/rsa-key";
import { UNKNOWN_INPUT, containsUnknown } from "./unknown";

/** The resolved inputs of a TenantKey as the provider receives them. */
export interface TenantKeyInputs {
  vaultUri: string;
  keyName: string;
  /** An explicit expiry (the tenant's keyExpiresOn) for the current version; wins over `lifetime`. */
  expiresOn?: string;
  /** ISO 8601 duration: a new version expires this long after it is created; also the rotation policy's expiryTime. */
  lifetime: string;
  /** Rotation policy: Key Vault creates the next version this long before the current one expires. */
  rotateBefore: string;
  /** Rotation policy: Key Vault sends its near-expiry event (Event Grid) this long before expiry. */
  notifyBefore: string;
  /** Bump to add a new version now; old versions stay enabled for older drops. */
  rotation: number;
  /** Take over a key of this name that the vault already holds and no other stack owns. */
  adoptExisting: boolean;
  /** `org/project/stack` of the stack that manages the key, kept as a tag on it. */
  ownerStack: string;
  /** Object id of the principal that was granted key management on the vault: Key Vault calls must run as it. */
  deployerObjectId: string;
  /** The tenant's own RSA private key (PEM) to import instead of generating one; a Pulumi secret. */
  importKeyPem?: string;
}

const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Canonical form of a vault URI (`https://<host>/`, lower case), or undefined when it is not an
 * https URL of a vault root. Key Vault host names are case-insensitive, so `https://KV.vault.azure.net`
 * and `https://kv.vault.azure.net/` name the same vault and must not plan a replacement.
 */
export function canonicalVaultUri(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.pathname !== "/" || url.search || url.hash || url.username) return undefined;
  return `https://${url.host.toLowerCase()}/`;
}

/**
 * Validates and normalizes TenantKey inputs (Pulumi `check`). Values not yet known in a preview
 * pass through unchecked. Only formats are checked: whether the expiry lies in the future depends
 * on the clock, which must not influence a plan (the program's config validation owns that rule).
 * No reason ever quotes `importKeyPem`.
 */
export function checkTenantKeyInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: pulumi.dynamic.CheckFailure[] } {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const inputs: Record<string, unknown> = { ...news };
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  const vaultUri = news.vaultUri;
  if (vaultUri !== UNKNOWN_INPUT) {
    const canonical = typeof vaultUri === "string" ? canonicalVaultUri(vaultUri) : undefined;
    if (canonical === undefined) fail("vaultUri", `vaultUri ${JSON.stringify(vaultUri)} is not an https vault URI such as https://kv-name.vault.azure.net/`);
    else inputs.vaultUri = canonical;
  }

  const keyName = news.keyName;
  if (keyName !== UNKNOWN_INPUT) {
    if (typeof keyName !== "string" || !KEY_NAME.test(keyName)) {
      fail("keyName", `keyName ${JSON.stringify(keyName)} must be 1-127 letters, digits or dashes (the customer tenant GUID)`);
    } else {
      // Key Vault names are case-insensitive; one spelling keeps a case-only edit from planning a replacement.
      inputs.keyName = keyName.toLowerCase();
    }
  }

  const expiresOn = news.expiresOn;
  if (expiresOn !== undefined && expiresOn !== UNKNOWN_INPUT && (typeof expiresOn !== "string" || epochSeconds(expiresOn) === undefined)) {
    fail("expiresOn", `expiresOn ${JSON.stringify(expiresOn)} must be an ISO-8601 date (2027-06-30) or date-time with offset (2027-06-30T00:00:00Z)`);
  }

  checkRotationPolicy(news, fail);

  const rotation = news.rotation ?? 0;
  if (rotation !== UNKNOWN_INPUT) {
    if (typeof rotation !== "number" || !Number.isInteger(rotation) || rotation < 0) {
      fail("rotation", `rotation ${JSON.stringify(rotation)} must be a whole number of 0 or more`);
    } else if (typeof olds.rotation === "number" && rotation < olds.rotation) {
      fail("rotation", `rotation may only increase (was ${olds.rotation}, now ${rotation}): each increase adds a key version, and versions cannot be taken back`);
    } else {
      inputs.rotation = rotation;
    }
  }

  inputs.adoptExisting = news.adoptExisting ?? false;
  if (inputs.adoptExisting !== UNKNOWN_INPUT && typeof inputs.adoptExisting !== "boolean") fail("adoptExisting", "adoptExisting must be true or false");

  if (news.ownerStack !== UNKNOWN_INPUT && (typeof news.ownerStack !== "string" || news.ownerStack.trim() === "")) {
    fail("ownerStack", `ownerStack ${JSON.stringify(news.ownerStack)} must name the owning stack (org/project/stack)`);
  }
  if (news.deployerObjectId !== UNKNOWN_INPUT && (typeof news.deployerObjectId !== "string" || !GUID.test(news.deployerObjectId))) {
    fail("deployerObjectId", `deployerObjectId ${JSON.stringify(news.deployerObjectId)} must be the object id (GUID) of the principal that holds the key-management role`);
  }

  const pem = news.importKeyPem;
  if (pem !== undefined && !containsUnknown(pem)) {
    const reading = typeof pem === "string" ? readRsaPrivateKey(pem) : { ok: false as const, reason: "must be PEM text" };
    if (!reading.ok) fail("importKeyPem", `importKeyPem ${reading.reason}`);
  }

  return { inputs, failures };
}

function checkRotationPolicy(news: Record<string, unknown>, fail: (property: string, reason: string) => void): void {
  const fields = ["lifetime", "rotateBefore", "notifyBefore"] as const;
  const durations = fields.map((field) => {
    const value = news[field];
    if (value === UNKNOWN_INPUT) return undefined;
    const duration = typeof value === "string" ? parseCalendarDuration(value) : undefined;
    if (!duration) fail(field, `${field} ${JSON.stringify(value)} must be an ISO 8601 duration of days, weeks, months or years, such as P1Y or P30D`);
    return duration;
  });
  const [lifetime, rotateBefore, notifyBefore] = durations;
  if (!lifetime || !rotateBefore || !notifyBefore) return;
  const problem = rotationPolicyProblem(lifetime, rotateBefore, notifyBefore);
  if (problem) {
    const field = { keyLifetime: "lifetime", keyRotateBefore: "rotateBefore", keyNotifyBefore: "notifyBefore" }[problem.setting];
    fail(field, `${field} ${JSON.stringify(news[field])} ${problem.rule.replace(/keyLifetime/g, "lifetime")}`);
  }
}
