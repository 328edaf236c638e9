import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeyOptions, openDrop, verifyDrop } from "../src/index";
import { collectRows, rejectionOf } from "./support/collect";
import { FakeKeyVault, testCredential } from "./support/fake-key-vault";
import { makeKeyPair, makeTempDir, sampleRows, writeTestDrop, type TestKeyPair } from "./support/test-drop";

const VAULT = "https://contoso-keys.vault.azure.net";
const TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const VERSION = "8d7c3b1f2e4a4d5c9b0a1e2f3d4c5b6a";

let current: TestKeyPair;
let old: TestKeyPair;
let root: string;

beforeAll(() => {
  current = makeKeyPair();
  old = makeKeyPair();
  root = makeTempDir();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function vault(): FakeKeyVault {
  return new FakeKeyVault(VAULT, [
    { name: TENANT, version: "00000000000000000000000000000001", privateKeyPem: old.privateKeyPem },
    { name: TENANT, version: VERSION, privateKeyPem: current.privateKeyPem },
    { name: "renamed-key", version: VERSION, privateKeyPem: current.privateKeyPem },
  ]);
}

function keyOptions(fake: FakeKeyVault, extra: Partial<KeyOptions> = {}): KeyOptions {
  return {
    keyVaultUrl: VAULT,
    credential: testCredential,
    keyVaultClientOptions: { httpClient: fake, retryOptions: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 5 } },
    ...extra,
  };
}

/** Decrypt calls past the authentication challenge (the SDK's first, unauthenticated request only elicits it). */
function decryptCalls(fake: FakeKeyVault) {
  return fake.requests.filter((r) => r.authorized && r.method === "POST" && r.url.includes("/decrypt"));
}

describe("unwrapping through Key Vault (real CryptographyClient, injected httpClient)", () => {
  it("uses the TenantId as key name and PublicKeyVersion as version, after the auth challenge", async () => {
    const rows = sampleRows(5);
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, rows, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    const opened = await openDrop(drop.dir, keyOptions(fake));
    expect(await collectRows(opened.rows())).toEqual(rows);
    expect(fake.requests[0].authorized).toBe(false);
    const calls = decryptCalls(fake);
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0].url).pathname).toBe(`/keys/${TENANT}/${VERSION}/decrypt`);
    expect(calls[0].authorized).toBe(true);
    expect(calls[0].body?.alg).toBe("RSA-OAEP");
  });

  it("retries a throttled (429) decrypt and then succeeds", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    fake.decryptFailures = [429];
    const result = await verifyDrop(drop.dir, keyOptions(fake));
    expect(result.rows).toBe(5);
    expect(decryptCalls(fake)).toHaveLength(2);
  });

  it("falls back from RSA-OAEP to RSA-OAEP-256 under auto", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, padding: "RSA-OAEP-256", metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    const opened = await openDrop(drop.dir, keyOptions(fake));
    expect(opened.rsaPadding).toBe("RSA-OAEP-256");
    expect(decryptCalls(fake).map((c) => c.body?.alg)).toEqual(["RSA-OAEP", "RSA-OAEP-256"]);
  });

  it("unwraps RSA1_5 in the vault when asked", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, padding: "RSA1_5", metadata: { PublicKeyVersion: VERSION } });
    const opened = await openDrop(drop.dir, keyOptions(vault(), { rsaPadding: "RSA1_5" }));
    expect(opened.rsaPadding).toBe("RSA1_5");
    expect(await collectRows(opened.rows())).toHaveLength(5);
  });

  it("uses the older key version a drop names", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: old.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: "00000000000000000000000000000001" } });
    const fake = vault();
    await openDrop(drop.dir, keyOptions(fake));
    expect(new URL(decryptCalls(fake)[0].url).pathname).toBe(`/keys/${TENANT}/00000000000000000000000000000001/decrypt`);
  });

  it("keeps decrypting drops wrapped with a version that rotation replaced and that has since expired", async () => {
    // The tenant key after a rotation: the old version expired yesterday (still enabled, as the
    // Pulumi program leaves it), the new one is current. Key Vault still decrypts and unwraps with
    // expired versions ("About keys": date-time controlled operations).
    const rotatedOut = "00000000000000000000000000000001";
    const fake = new FakeKeyVault(VAULT, [
      { name: TENANT, version: rotatedOut, privateKeyPem: old.privateKeyPem, expiresOn: Math.floor(Date.now() / 1000) - 86_400 },
      { name: TENANT, version: VERSION, privateKeyPem: current.privateKeyPem, expiresOn: Math.floor(Date.now() / 1000) + 365 * 86_400 },
    ]);
    const rows = sampleRows(4);
    const drop = writeTestDrop(root, { publicKeyPem: old.publicKeyPem, tenantId: TENANT, rows, metadata: { PublicKeyVersion: rotatedOut } });
    const opened = await openDrop(drop.dir, keyOptions(fake));
    expect(await collectRows(opened.rows())).toEqual(rows);
    expect(decryptCalls(fake).map((c) => new URL(c.url).pathname)).toEqual([`/keys/${TENANT}/${rotatedOut}/decrypt`]);
    expect(decryptCalls(fake).every((c) => c.authorized)).toBe(true);
  });

  it("takes --key-name over the TenantId", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    await openDrop(drop.dir, keyOptions(fake, { keyName: "renamed-key" }));
    expect(new URL(decryptCalls(fake)[0].url).pathname).toBe(`/keys/renamed-key/${VERSION}/decrypt`);
  });

  it("accepts a key identifier (…/keys/<name>[/<version>]) as --key-vault, as the portal shows it", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const byName = vault();
    await openDrop(drop.dir, keyOptions(byName, { keyVaultUrl: `${VAULT}/keys/renamed-key` }));
    expect(new URL(decryptCalls(byName)[0].url).pathname).toBe(`/keys/renamed-key/${VERSION}/decrypt`);
    const oldDrop = writeTestDrop(root, { publicKeyPem: old.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const byVersion = vault();
    await openDrop(oldDrop.dir, keyOptions(byVersion, { keyVaultUrl: `${VAULT}/keys/${TENANT}/00000000000000000000000000000001/` }));
    expect(new URL(decryptCalls(byVersion)[0].url).pathname).toBe(`/keys/${TENANT}/00000000000000000000000000000001/decrypt`);
  });

  it.each(["not a url", `${VAULT}/secrets/x`, `${VAULT}/keys`])("rejects --key-vault %s as a usage error before calling the vault", async (url) => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT });
    const fake = vault();
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(fake, { keyVaultUrl: url })));
    expect(error.code).toBe("USAGE");
    expect(error.message).toMatch(/^`keyVaultUrl`: not a (valid )?Key Vault U(RL|RI): /);
    expect(fake.requests).toEqual([]);
  });

  it("names the key after the tenant folder for the Graph Data Connect layout, which has no TenantId", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, layout: "mgdc", metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    const opened = await openDrop(drop.dir, keyOptions(fake));
    expect(opened.metadata.tenantId).toBeUndefined();
    expect(new URL(decryptCalls(fake)[0].url).pathname).toBe(`/keys/${TENANT}/${VERSION}/decrypt`);
  });

  it("reports a missing key version as KEY_UNAVAILABLE", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: "ffffffffffffffffffffffffffffffff" } });
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(vault())));
    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.message).toContain(`Key Vault has no key ${TENANT} version ffffffffffffffffffffffffffffffff in ${VAULT}`);
  });

  it("reports missing permission as KEY_UNAVAILABLE naming the role", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    fake.denyWith = 403;
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(fake)));
    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(/denied access .*HTTP 403.*Key Vault Crypto User/);
  });

  it("reports that no credential exists as KEY_UNAVAILABLE in one short line, not DefaultAzureCredential's whole chain", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const unavailable = (text: string) => Object.assign(new Error(text), { name: "CredentialUnavailableError" });
    const noCredential = {
      getToken: async () => {
        const chain = [unavailable("EnvironmentCredential is unavailable. ".repeat(5)), unavailable("Azure CLI could not be found. ".repeat(5))];
        throw Object.assign(new Error(chain.map((e) => e.message).join("\n")), { name: "AggregateAuthenticationError", errors: chain });
      },
    };
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(vault(), { credential: noCredential })));
    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.message).toBe(
      "no Azure sign-in found for Key Vault: DefaultAzureCredential found no credential (run az login, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity); or unwrap with `privateKeyPem`",
    );
  });

  it("reports a refused sign-in as KEY_UNAVAILABLE with the service's reason", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const refused = {
      getToken: async () => {
        throw Object.assign(new Error("AADSTS7000215: Invalid client secret provided."), { name: "AuthenticationError" });
      },
    };
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(vault(), { credential: refused })));
    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.message).toMatch(/^cannot sign in to Key Vault with DefaultAzureCredential \(sign in with az login.*AADSTS7000215: Invalid client secret provided\.$/);
  });

  it("reports a drop wrapped for another key as KEY_UNWRAP_FAILED after trying all three paddings", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: old.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(fake)));
    expect(error.code).toBe("KEY_UNWRAP_FAILED");
    expect(error.message).toMatch(/cannot unwrap this drop's file key with RSA-OAEP or RSA-OAEP-256 or RSA1_5/);
    expect(decryptCalls(fake).map((c) => c.body?.alg)).toEqual(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]);
  });

  it("unwraps a PKCS#1 v1.5 (RSA1_5) wrapped key under auto, after both OAEP paddings were refused", async () => {
    const rows = sampleRows(4);
    const drop = writeTestDrop(root, { publicKeyPem: current.publicKeyPem, tenantId: TENANT, padding: "RSA1_5", rows, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    const opened = await openDrop(drop.dir, keyOptions(fake));
    expect(opened.rsaPadding).toBe("RSA1_5");
    expect(decryptCalls(fake).map((c) => c.body?.alg)).toEqual(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]);
    expect(await collectRows(opened.rows())).toEqual(rows);
  });

  it("passes over an RSA1_5 answer that is not a key text (a vault's implicit rejection of a wrong key) under auto", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: old.publicKeyPem, tenantId: TENANT, metadata: { PublicKeyVersion: VERSION } });
    const fake = vault();
    fake.implicitRejection = true;
    const error = await rejectionOf(() => openDrop(drop.dir, keyOptions(fake)));
    expect(error.code).toBe("KEY_UNWRAP_FAILED");
    expect(error.message).toMatch(/RSA1_5 gave \d+ bytes that are not a file key/);
    expect(decryptCalls(fake).map((c) => c.body?.alg)).toEqual(["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]);
  });
});
