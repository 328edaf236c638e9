import { createPrivateKey } from "node:crypto";
import type { ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { isTenantKey } from "./resource-types";

/** Smallest RSA modulus Graph Data Connect accepts for a tenant key. */
export const MIN_RSA_BITS = 2048;
/** Inputs that give a key version a fixed expiry date (ISO 8601). */
export const EXPIRY_INPUTS: readonly string[] = ["expiresOn"];
/** Inputs that give each key version a lifetime (ISO 8601 duration such as P1Y). */
export const LIFETIME_INPUTS: readonly string[] = ["lifetime"];
/** Inputs that name the key type, when a provider takes one. */
const KEY_TYPE_INPUTS = ["keyType", "kty"];
const RSA_KEY_TYPES = ["RSA", "RSA-HSM"];
/** What the offline plan shows instead of a secret's value. */
const REDACTED = "[secret]";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** True for an ISO 8601 date or date-time that names a real day (no 2027-02-30) and instant. */
export function isIsoDate(value: unknown): boolean {
  if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True for an ISO 8601 duration longer than zero (P1Y, P90D, PT12H). */
export function isPositiveIsoDuration(value: unknown): boolean {
  return typeof value === "string" && ISO_DURATION.test(value) && /[1-9]/.test(value);
}

/**
 * Graph Data Connect needs an RSA key of at least 2048 bits with an expiration date. A tenant key
 * has a fixed expiry or a lifetime (each version expires that long after it is created); where the
 * inputs state a key size or type, or carry a readable PEM to import, those are checked too.
 */
export const tenantKeyRsaExpiring: ResourceValidationPolicy = {
  name: "tenant-key-rsa-expiring",
  description: "Tenant keys are RSA with at least 2048 bits and expire (a fixed expiry or a lifetime).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    const props = args.props;
    if (!isTenantKey(args.type, args.name, props)) return;
    checkExpiry(props, report);
    if ("keySize" in props) {
      const bits = Number(props.keySize);
      if (!Number.isInteger(bits) || bits < MIN_RSA_BITS) reportProperty(report, "keySize", `must be at least ${MIN_RSA_BITS}, is ${shown(props.keySize)}`);
    }
    for (const input of KEY_TYPE_INPUTS) {
      if (input in props && !RSA_KEY_TYPES.includes(props[input] as string)) reportProperty(report, input, `must be ${RSA_KEY_TYPES.join(" or ")}, is ${shown(props[input])}`);
    }
    if ("importKeyPem" in props) checkImportedKey(props.importKeyPem, report);
  },
};

function checkExpiry(props: Record<string, unknown>, report: ReportViolation): void {
  const expiry = EXPIRY_INPUTS.find((input) => props[input] !== undefined);
  const lifetime = LIFETIME_INPUTS.find((input) => props[input] !== undefined);
  if (expiry === undefined && lifetime === undefined) {
    reportProperty(report, [...EXPIRY_INPUTS, ...LIFETIME_INPUTS].join(" or "), "must be set: a tenant key needs an expiry date or a lifetime");
    return;
  }
  if (expiry !== undefined && !isIsoDate(props[expiry])) reportProperty(report, expiry, `must be an ISO 8601 date, is ${shown(props[expiry])}`);
  if (lifetime !== undefined && !isPositiveIsoDuration(props[lifetime])) {
    reportProperty(report, lifetime, `must be an ISO 8601 duration longer than zero (e.g. P1Y), is ${shown(props[lifetime])}`);
  }
}

/**
 * A PEM the policy can read (the engine hands policies secrets in clear; the offline plan shows
 * "[secret]") must be an RSA private key of at least 2048 bits. Never quotes the PEM.
 */
function checkImportedKey(pem: unknown, report: ReportViolation): void {
  if (pem === REDACTED || pem === undefined) return;
  let key;
  try {
    key = createPrivateKey({ key: String(pem), format: "pem" });
  } catch {
    reportProperty(report, "importKeyPem", "must be an unencrypted PEM private key (value not shown)");
    return;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== "rsa") reportProperty(report, "importKeyPem", `must be an RSA key, is ${key.asymmetricKeyType ?? "not an asymmetric key"}`);
  else if (bits < MIN_RSA_BITS) reportProperty(report, "importKeyPem", `must be an RSA key of at least ${MIN_RSA_BITS} bits, has ${bits}`);
}
