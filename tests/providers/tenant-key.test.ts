import { KeyClient } from "@azure/keyvault-keys";
import { describe, expect, it } from "vitest";
import { TENANT_KEY_TIMING } from "../../components/providers/tenant-key";
import { checkTenantKeyInputs, type TenantKeyInputs } from "../../components/providers/tenant-key-inputs";
import {
  createTenantKey,
  deleteTenantKey,
  diffTenantKey,
  readTenantKey,
  updateTenantKey,
  type TenantKeyOutputs,
  type TenantKeyTiming,
} from "../../components/providers/tenant-key-operations";
import { FakeKeyVault } from "./fake-key-vault";
import { azureError, recordingSleep, staticCredential, type RecordedRequest } from "./http-recorder";

const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const EXPIRY = "2027-06-30T00:00:00Z";
const EXPIRY_SECONDS = Date.UTC(2027, 5, 30) / 1000;

function setup(): { vault: FakeKeyVault; client: KeyClient; timing: TenantKeyTiming; waits: number[]; credential: ReturnType<typeof staticCredential> } {
  const vault = new FakeKeyVault();
  const credential = staticCredential();
  const client = new KeyClient(vault.vaultUrl, credential, { httpClient: vault.httpClient, retryOptions: { maxRetries: 0 } });
  const { sleep, waits } = recordingSleep();
  return { vault, client, credential, waits, timing: { retry: { ...TENANT_KEY_TIMING.retry, sleep }, pollIntervalMs: 1 } };
}

function inputs(overrides: Partial<TenantKeyInputs> = {}): TenantKeyInputs {
  return { vaultUri: "https://kv-viva.vault.azure.net/", keyName: TENANT, expiresOn: EXPIRY, rotation: 0, ...overrides };
}

const isCreate = (r: RecordedRequest) => r.method === "POST" && r.path === `/keys/${TENANT}/create`;
const forbiddenByRbac = {
  status: 403,
  body: azureError(
    "Forbidden",
    "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/keys/create/action'",
    "ForbiddenByRbac",
  ),
};

describe("createTenantKey", () => {
  it("creates an RSA 2048 key named by the tenant with crypto operations and the expiry in epoch seconds", async () => {
    const { vault, client, credential, timing } = setup();
    const outs = await createTenantKey(client, inputs(), timing);

    expect(credential.scopes).toContain("https://vault.azure.net/.default");
    const creates = vault.authorized.filter(isCreate);
    expect(creates).toHaveLength(1);
    const body = creates[0].body as { kty: string; key_size: number; key_ops: string[]; attributes: { exp: number; enabled: boolean } };
    expect(body.kty).toBe("RSA");
    expect(body.key_size).toBe(2048);
    expect(body.key_ops).toEqual(expect.arrayContaining(["encrypt", "decrypt", "wrapKey", "unwrapKey"]));
    expect(body.attributes.exp).toBe(EXPIRY_SECONDS);
    expect(body.attributes.enabled).toBe(true);

    const [version] = vault.keys.get(TENANT)!;
    expect(outs).toEqual({
      ...inputs(),
      version: version.version,
      keyId: `https://kv-viva.vault.azure.net/keys/${TENANT}/${version.version}`,
      versionlessId: `https://kv-viva.vault.azure.net/keys/${TENANT}`,
    });
  });

  it("reads a date-only expiry as midnight UTC", async () => {
    const { vault, client, timing } = setup();
    await createTenantKey(client, inputs({ expiresOn: "2027-06-30" }), timing);
    expect(vault.keys.get(TENANT)![0].exp).toBe(EXPIRY_SECONDS);
  });

  it("recovers a soft-deleted key of the same name, keeps its versions and adds one with the new expiry", async () => {
    const { vault, client, timing } = setup();
    const [old] = vault.seed(TENANT, [{ kty: "RSA", keySize: 2048, keyOps: ["decrypt"], enabled: true, exp: 1_800_000_000 }], "deleted");

    const outs = await createTenantKey(client, inputs(), timing);

    const calls = vault.authorized.map((r) => `${r.method} ${r.path}`);
    const conflict = calls.indexOf(`POST /keys/${TENANT}/create`);
    const recover = calls.indexOf(`POST /deletedkeys/${TENANT}/recover`);
    expect(conflict).toBeGreaterThanOrEqual(0);
    expect(recover).toBeGreaterThan(conflict);
    expect(calls.lastIndexOf(`POST /keys/${TENANT}/create`)).toBeGreaterThan(recover);
    expect(vault.deleted.has(TENANT)).toBe(false);
    const versions = vault.keys.get(TENANT)!;
    expect(versions.map((v) => v.version)).toEqual([old.version, outs.version]);
    expect(versions[0]).toMatchObject({ enabled: true, exp: 1_800_000_000 });
    expect(versions[1].exp).toBe(EXPIRY_SECONDS);
  });

  it("retries 403 ForbiddenByRbac with growing delays until the role assignment has propagated", async () => {
    const { vault, client, timing, waits } = setup();
    vault.failNext(isCreate, forbiddenByRbac, 3);

    const outs = await createTenantKey(client, inputs(), timing);

    expect(vault.authorized.filter(isCreate)).toHaveLength(4);
    expect(waits).toEqual([5_000, 10_000, 20_000]);
    expect(outs.version).toBe(vault.keys.get(TENANT)![0].version);
  });

  it("gives up after about ten minutes of 403 with one message naming vault, key and cause", async () => {
    const { vault, client, timing, waits } = setup();
    vault.failNext(isCreate, forbiddenByRbac, 1_000);

    const failure = createTenantKey(client, inputs(), timing);

    await expect(failure).rejects.toThrow(
      new RegExp(`^Key Vault key "${TENANT}" in vault https://kv-viva\\.vault\\.azure\\.net/: could not create the key: Caller is not authorized to perform action on resource\\. .*after \\d+ attempts over 600 s`),
    );
    await expect(failure).rejects.toThrow(/check that the deploying identity holds "Key Vault Crypto Officer" on the vault$/);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(600_000);
    expect(Math.max(...waits)).toBe(60_000);
    expect(vault.keys.has(TENANT)).toBe(false);
  });

  it("does not wait out a firewall 403, which no role assignment will fix", async () => {
    const { vault, client, timing, waits } = setup();
    vault.failNext(isCreate, { status: 403, body: azureError("Forbidden", "Client address is not authorized and caller is not a trusted service.", "ForbiddenByFirewall") });

    await expect(createTenantKey(client, inputs(), timing)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/: could not create the key: Client address is not authorized and caller is not a trusted service.`,
    );
    expect(waits).toEqual([]);
  });

  it("fails at once on errors that waiting cannot fix", async () => {
    const { vault, client, timing, waits } = setup();
    vault.failNext(isCreate, { status: 400, body: azureError("BadParameter", "Property has invalid value") });

    await expect(createTenantKey(client, inputs(), timing)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/: could not create the key: Property has invalid value`,
    );
    expect(waits).toEqual([]);
  });
});

describe("updateTenantKey", () => {
  async function created(): Promise<ReturnType<typeof setup> & { outs: TenantKeyOutputs }> {
    const context = setup();
    const outs = await createTenantKey(context.client, inputs(), context.timing);
    return { ...context, outs };
  }

  it("sets a changed expiry on the current version with PATCH", async () => {
    const { vault, client, timing, outs } = await created();
    const before = vault.authorized.length;

    const updated = await updateTenantKey(client, outs, inputs({ expiresOn: "2028-01-31T12:00:00Z" }), timing);

    const sent = vault.authorized.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /keys/${TENANT}/${outs.version}`]);
    expect((sent[0].body as { attributes: { exp: number } }).attributes.exp).toBe(Date.UTC(2028, 0, 31, 12) / 1000);
    expect(updated).toEqual({ ...outs, expiresOn: "2028-01-31T12:00:00Z" });
    expect(vault.keys.get(TENANT)).toHaveLength(1);
  });

  it("creates a new version on a rotation increase and leaves the old one enabled", async () => {
    const { vault, client, timing, outs } = await created();

    const rotated = await updateTenantKey(client, outs, inputs({ rotation: 1 }), timing);

    const versions = vault.keys.get(TENANT)!;
    expect(versions.map((v) => v.version)).toEqual([outs.version, rotated.version]);
    expect(rotated.version).not.toBe(outs.version);
    expect(rotated.keyId).toBe(`https://kv-viva.vault.azure.net/keys/${TENANT}/${rotated.version}`);
    expect(rotated.versionlessId).toBe(outs.versionlessId);
    expect(versions[0]).toMatchObject({ enabled: true, exp: EXPIRY_SECONDS });
    expect(vault.authorized.some((r) => r.method === "PATCH" || r.method === "DELETE")).toBe(false);
  });

  it("gives the new version the new expiry when rotation and expiry change together, leaving the old version as it was", async () => {
    const { vault, client, timing, outs } = await created();

    const rotated = await updateTenantKey(client, outs, inputs({ rotation: 1, expiresOn: "2028-06-30" }), timing);

    expect(vault.authorized.some((r) => r.method === "PATCH")).toBe(false);
    expect(vault.keys.get(TENANT)!.map((v) => [v.version, v.exp])).toEqual([
      [outs.version, EXPIRY_SECONDS],
      [rotated.version, Date.UTC(2028, 5, 30) / 1000],
    ]);
  });

  it("recovers a key soft-deleted outside Pulumi before rotating it", async () => {
    const { vault, client, timing, outs } = await created();
    vault.deleted.set(TENANT, vault.keys.get(TENANT)!);
    vault.keys.delete(TENANT);

    const rotated = await updateTenantKey(client, outs, inputs({ rotation: 1 }), timing);

    expect(vault.authorized.some((r) => r.path === `/deletedkeys/${TENANT}/recover`)).toBe(true);
    expect(vault.keys.get(TENANT)!.map((v) => v.version)).toEqual([outs.version, rotated.version]);
  });

  it("sends nothing when the expiry is the same instant written differently", async () => {
    const { vault, client, timing, outs } = await created();
    const before = vault.authorized.length;
    const updated = await updateTenantKey(client, outs, inputs({ expiresOn: "2027-06-30T02:00:00+02:00" }), timing);
    expect(vault.authorized.length).toBe(before);
    expect(updated.version).toBe(outs.version);
  });
});

describe("readTenantKey", () => {
  it("reports the newest version and an expiry changed outside Pulumi, so the next up restores the configured one", async () => {
    const { vault, client, timing } = setup();
    const outs = await createTenantKey(client, inputs(), timing);
    const [outside] = vault.seed("ignored", [{ kty: "RSA", keySize: 2048, keyOps: [], enabled: true, exp: Date.UTC(2026, 11, 1) / 1000 }]);
    vault.keys.set(TENANT, [...vault.keys.get(TENANT)!, outside]);

    const refreshed = await readTenantKey(client, outs, timing);

    expect(refreshed).toMatchObject({ version: outside.version, expiresOn: "2026-12-01T00:00:00.000Z", versionlessId: outs.versionlessId });
    expect(diffTenantKey(refreshed!, { ...inputs() })).toMatchObject({ changes: true, replaces: [] });
  });

  it("keeps the configured expiry text when the key still has that expiry", async () => {
    const { client, timing } = setup();
    const outs = await createTenantKey(client, inputs({ expiresOn: "2027-06-30" }), timing);
    expect(await readTenantKey(client, outs, timing)).toEqual(outs);
  });

  it("reports a key deleted outside Pulumi as gone", async () => {
    const { client, timing } = setup();
    expect(await readTenantKey(client, { ...inputs(), keyId: "k/v", versionlessId: "k", version: "v" }, timing)).toBeUndefined();
  });
});

describe("deleteTenantKey", () => {
  it("soft-deletes the key, so re-adding the tenant can recover it", async () => {
    const { vault, client, timing } = setup();
    const outs = await createTenantKey(client, inputs(), timing);

    await deleteTenantKey(client, outs, timing);

    expect(vault.authorized.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`/keys/${TENANT}`]);
    expect(vault.keys.has(TENANT)).toBe(false);
    expect(vault.deleted.get(TENANT)?.map((v) => v.version)).toEqual([outs.version]);
  });

  it("treats a key that is already gone as deleted", async () => {
    const { vault, client, timing } = setup();
    await expect(deleteTenantKey(client, inputs(), timing)).resolves.toBeUndefined();
    expect(vault.authorized.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /keys/${TENANT}`]);
  });
});

describe("diffTenantKey", () => {
  const olds: TenantKeyOutputs = { ...inputs(), keyId: "kid/v1", versionlessId: "kid", version: "v1" };

  it("reports no change for equal inputs, including case and trailing-slash variants", () => {
    expect(diffTenantKey(olds, { ...inputs(), vaultUri: "https://KV-viva.vault.azure.net", keyName: TENANT.toUpperCase() })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("updates in place for expiry and rotation changes", () => {
    const diff = diffTenantKey(olds, { ...inputs(), expiresOn: "2028-01-01", rotation: 1 });
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("replaces, create-before-delete, when the vault or key name changes", () => {
    const diff = diffTenantKey(olds, { ...inputs(), vaultUri: "https://kv-other.vault.azure.net/", keyName: "7a1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f" });
    expect(diff).toMatchObject({ changes: true, replaces: ["vaultUri", "keyName"], deleteBeforeReplace: false });
  });

  it("treats a vault URI unknown during preview as a possible replacement", () => {
    const diff = diffTenantKey(olds, { ...inputs(), vaultUri: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    expect(diff.replaces).toEqual(["vaultUri"]);
  });
});

describe("checkTenantKeyInputs", () => {
  it("normalizes the vault URI and key name and defaults rotation to 0", () => {
    const { inputs: checked, failures } = checkTenantKeyInputs({}, { vaultUri: "https://KV-Viva.vault.azure.net", keyName: TENANT.toUpperCase(), expiresOn: EXPIRY });
    expect(failures).toEqual([]);
    expect(checked).toEqual(inputs());
  });

  it("names each malformed input and the rule it breaks", () => {
    const { failures } = checkTenantKeyInputs({}, { vaultUri: "http://kv.vault.azure.net/", keyName: "tenant_1", expiresOn: "2027-06-30T00:00:00", rotation: -1 });
    expect(failures).toEqual([
      { property: "vaultUri", reason: expect.stringContaining('"http://kv.vault.azure.net/" is not an https vault URI') },
      { property: "keyName", reason: expect.stringContaining('"tenant_1" must be 1-127 letters, digits or dashes') },
      { property: "expiresOn", reason: expect.stringContaining('"2027-06-30T00:00:00" must be an ISO-8601 date') },
      { property: "rotation", reason: expect.stringContaining("-1 must be a whole number") },
    ]);
  });

  it("refuses to lower the rotation counter", () => {
    const { failures } = checkTenantKeyInputs({ rotation: 2 }, { ...inputs(), rotation: 1 });
    expect(failures).toEqual([{ property: "rotation", reason: expect.stringContaining("may only increase (was 2, now 1)") }]);
  });

  it("lets values unknown during preview through", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const { failures } = checkTenantKeyInputs({}, { vaultUri: unknown, keyName: unknown, expiresOn: unknown, rotation: unknown });
    expect(failures).toEqual([]);
  });
});
