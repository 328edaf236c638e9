import type * as pulumi from "@pulumi/pulumi";
import { epochSeconds } from "../../config/dates";
import { UNKNOWN_INPUT } from "./unknown";

/** The resolved inputs of a TenantKey as the provider receives them. */
export interface TenantKeyInputs {
  vaultUri: string;
  keyName: string;
  expiresOn: string;
  rotation: number;
}

const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;

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
 */
export function checkTenantKeyInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: pulumi.dynamic.CheckFailure[] } {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const inputs: Record<string, unknown> = { ...news };

  const vaultUri = news.vaultUri;
  if (vaultUri !== UNKNOWN_INPUT) {
    const canonical = typeof vaultUri === "string" ? canonicalVaultUri(vaultUri) : undefined;
    if (canonical === undefined) {
      failures.push({ property: "vaultUri", reason: `vaultUri ${JSON.stringify(vaultUri)} is not an https vault URI such as https://kv-name.vault.azure.net/` });
    } else {
      inputs.vaultUri = canonical;
    }
  }

  const keyName = news.keyName;
  if (keyName !== UNKNOWN_INPUT) {
    if (typeof keyName !== "string" || !KEY_NAME.test(keyName)) {
      failures.push({ property: "keyName", reason: `keyName ${JSON.stringify(keyName)} must be 1-127 letters, digits or dashes (the customer tenant GUID)` });
    } else {
      // Key Vault names are case-insensitive; one spelling keeps a case-only edit from planning a replacement.
      inputs.keyName = keyName.toLowerCase();
    }
  }

  const expiresOn = news.expiresOn;
  if (expiresOn !== UNKNOWN_INPUT && (typeof expiresOn !== "string" || epochSeconds(expiresOn) === undefined)) {
    failures.push({ property: "expiresOn", reason: `expiresOn ${JSON.stringify(expiresOn)} must be an ISO-8601 date (2027-06-30) or date-time with offset (2027-06-30T00:00:00Z)` });
  }

  const rotation = news.rotation ?? 0;
  if (rotation !== UNKNOWN_INPUT) {
    if (typeof rotation !== "number" || !Number.isInteger(rotation) || rotation < 0) {
      failures.push({ property: "rotation", reason: `rotation ${JSON.stringify(rotation)} must be a whole number of 0 or more` });
    } else if (typeof olds.rotation === "number" && rotation < olds.rotation) {
      failures.push({ property: "rotation", reason: `rotation may only increase (was ${olds.rotation}, now ${rotation}): each increase adds a key version, and versions cannot be taken back` });
    } else {
      inputs.rotation = rotation;
    }
  }

  return { inputs, failures };
}
