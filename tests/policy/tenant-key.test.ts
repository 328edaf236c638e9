import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isPositiveIsoDuration, tenantKeyRsaExpiring } from "../../policy/tenant-key";
import { TENANT, violations } from "./helpers";

const TENANT_KEY = "pulumi-nodejs:dynamic/viva-partner:TenantKey";
const KEY_NAME = `tenant-${TENANT}-key`;
/** Today's TenantKey inputs, as the plan shows them. */
const today = { expiresOn: "2027-11-01", keyName: TENANT, rotation: 0, vaultUri: "https://contoso-dev-kv.vault.azure.net/" };
/** After issue 9: a lifetime instead of a date, the provider serialized as a stub. */
const withLifetime = { lifetime: "P1Y", keyName: TENANT, rotation: 0, vaultUri: "https://contoso-dev-kv.vault.azure.net/", __provider: "[serialized provider: 812 bytes]" };

function pem(type: "rsa" | "ec", bits = 2048): string {
  const options = type === "rsa" ? { modulusLength: bits } : { namedCurve: "P-256" };
  return generateKeyPairSync(type as "rsa", options as { modulusLength: number }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

describe("tenant-key-rsa-expiring", () => {
  it("passes today's key (a fixed expiry) and one with a lifetime instead", async () => {
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, today, KEY_NAME)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...today, expiresOn: "2027-11-01T00:00:00Z" }, KEY_NAME)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, withLifetime, KEY_NAME)).toEqual([]);
  });

  it("reports a key with neither an expiry nor a lifetime", async () => {
    const { expiresOn: _, ...noExpiry } = today;
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, noExpiry, KEY_NAME)).toEqual([
      "expiresOn or lifetime must be set: a tenant key needs an expiry date or a lifetime",
    ]);
  });

  it("finds tenant keys under the generic dynamic type, by inputs or by the -key name", async () => {
    const { expiresOn: _, ...noExpiry } = today;
    expect(await violations(tenantKeyRsaExpiring, "pulumi-nodejs:dynamic:Resource", noExpiry, "anything")).toHaveLength(1);
    expect(await violations(tenantKeyRsaExpiring, "pulumi-nodejs:dynamic:Resource", { rotation: 0 }, KEY_NAME)).toHaveLength(1);
    // The trigger is dynamic too, but names no key.
    expect(await violations(tenantKeyRsaExpiring, "pulumi-nodejs:dynamic/viva-partner:StartedTrigger", { triggerName: "t" }, `tenant-${TENANT}-trigger`)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, "azure-native:keyvault:Key", { keyName: "k", vaultUri: "v" }, KEY_NAME)).toEqual([]);
  });

  it("identifies a key whose vault URI is unknown during preview without reading it", async () => {
    const unknownVault = { ...today, vaultUri: { __pulumiUnknown: true }, expiresOn: "not a date" };
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, unknownVault, KEY_NAME)).toEqual(['expiresOn must be an ISO 8601 date, is "not a date"']);
  });

  it.each([["2027-13-01"], ["2027-02-30"], ["1 November 2027"], [20271101]])("reports expiresOn %j", async (expiresOn) => {
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...today, expiresOn }, KEY_NAME)).toEqual([`expiresOn must be an ISO 8601 date, is ${JSON.stringify(expiresOn)}`]);
  });

  it.each([["P0D"], ["1 year"], ["P"], ["PT"], ["P1YT"]])("reports lifetime %j", async (lifetime) => {
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, lifetime }, KEY_NAME)).toEqual([
      `lifetime must be an ISO 8601 duration longer than zero (e.g. P1Y), is ${JSON.stringify(lifetime)}`,
    ]);
  });

  it("accepts the durations Key Vault rotation policies use", () => {
    for (const d of ["P1Y", "P90D", "P18M", "P2W", "PT36H", "P1Y2M3DT4H5M6S"]) expect(isPositiveIsoDuration(d)).toBe(true);
  });

  it("checks a stated key size and key type", async () => {
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, keySize: 4096, keyType: "RSA-HSM" }, KEY_NAME)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, keySize: 1024 }, KEY_NAME)).toEqual(["keySize must be at least 2048, is 1024"]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, keyType: "EC" }, KEY_NAME)).toEqual(['keyType must be RSA or RSA-HSM, is "EC"']);
  });

  it("accepts an imported key the plan shows as [secret], and checks a readable PEM", async () => {
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, importKeyPem: "[secret]" }, KEY_NAME)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, importKeyPem: pem("rsa", 2048) }, KEY_NAME)).toEqual([]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, importKeyPem: pem("rsa", 1024) }, KEY_NAME)).toEqual([
      "importKeyPem must be an RSA key of at least 2048 bits, has 1024",
    ]);
    expect(await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, importKeyPem: pem("ec") }, KEY_NAME)).toEqual(["importKeyPem must be an RSA key, is ec"]);
  });

  it("never quotes an unreadable PEM", async () => {
    const secretish = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXZhbHVl\n-----END PRIVATE KEY-----\n";
    const found = await violations(tenantKeyRsaExpiring, TENANT_KEY, { ...withLifetime, importKeyPem: secretish }, KEY_NAME);
    expect(found).toEqual(["importKeyPem must be an unencrypted PEM private key (value not shown)"]);
    expect(found.join("")).not.toContain("c2VjcmV0");
  });
});
