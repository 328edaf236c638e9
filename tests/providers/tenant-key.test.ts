import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { KeyClient } from "@azure/keyvault-keys";
import { beforeAll, describe, expect, it } from "vitest";
import { TENANT_KEY_TIMING } from "../../components/providers/tenant-key-provider";
import { checkTenantKeyInputs, type TenantKeyInputs } from "../../components/providers/tenant-key-inputs";
import {
  FINGERPRINT_TAG,
  OWNER_TAG,
  TENANT_TAG,
  createTenantKey,
  deleteTenantKey,
  diffTenantKey,
  readTenantKey,
  updateTenantKey,
  type TenantKeyContext,
  type TenantKeyOutputs,
} from "../../components/providers/tenant-key-operations";
import { callerObjectId } from "../../components/providers/principal";
import { publicKeyFingerprint } from "../../config/rsa-key";
import { FakeKeyVault } from "./fake-key-vault";
import { azureError, fakeJwt, recordingSleep, staticCredential, type RecordedRequest } from "./http-recorder";

const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const OTHER_TENANT = "7a1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const DEPLOYER = "00000000-0000-4000-8000-00000000dddd";
const STACK = "contoso/viva-partner/dev";
const EXPIRY = "2027-06-30T00:00:00Z";
const EXPIRY_SECONDS = Date.UTC(2027, 5, 30) / 1000;
/** The provider's clock when a version is created. */
const CREATED = new Date("2026-11-25T12:00:00Z");
const A_YEAR_LATER = Date.UTC(2027, 10, 25, 12) / 1000;

let tenantPem: string;
let otherPem: string;

beforeAll(() => {
  const pem = () => generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  tenantPem = pem();
  otherPem = pem();
});

function setup(signedInAs: string | null = DEPLOYER, now = CREATED) {
  const token = signedInAs === null ? "opaque-token" : fakeJwt({ oid: signedInAs, aud: "https://vault.azure.net" });
  const vault = new FakeKeyVault("kv-viva", token);
  const credential = staticCredential(token);
  const client = new KeyClient(vault.vaultUrl, credential, { httpClient: vault.httpClient, retryOptions: { maxRetries: 0 } });
  const { sleep, waits } = recordingSleep();
  const ctx: TenantKeyContext = { retry: { ...TENANT_KEY_TIMING.retry, sleep }, pollIntervalMs: 1, now: () => now, callerObjectId: () => callerObjectId(credential) };
  return { vault, client, credential, waits, ctx };
}

function inputs(overrides: Partial<TenantKeyInputs> = {}): TenantKeyInputs {
  return {
    vaultUri: "https://kv-viva.vault.azure.net/",
    keyName: TENANT,
    lifetime: "P1Y",
    rotateBefore: "P30D",
    notifyBefore: "P7D",
    rotation: 0,
    adoptExisting: false,
    ownerStack: STACK,
    deployerObjectId: DEPLOYER,
    ...overrides,
  };
}

const call = (r: RecordedRequest) => `${r.method} ${r.path}`;
const isCreate = (r: RecordedRequest) => r.method === "POST" && r.path === `/keys/${TENANT}/create`;
const writes = (vault: FakeKeyVault) => vault.authorized.filter((r) => r.method !== "GET").map(call);
const forbiddenByRbac = {
  status: 403,
  body: azureError(
    "Forbidden",
    "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/keys/create/action'",
    "ForbiddenByRbac",
  ),
};
const fingerprintOfPem = (pem: string) => publicKeyFingerprint(createPrivateKey(pem));

describe("createTenantKey: a new key", () => {
  it("creates an RSA 2048 key that expires one lifetime after it is created, with tags and a rotation policy", async () => {
    const { vault, client, credential, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);

    expect(credential.scopes).toContain("https://vault.azure.net/.default");
    const create = vault.authorized.filter(isCreate);
    expect(create).toHaveLength(1);
    const body = create[0].body as { kty: string; key_size: number; key_ops: string[]; attributes: { exp: number; enabled: boolean }; tags: Record<string, string> };
    expect(body).toMatchObject({ kty: "RSA", key_size: 2048, attributes: { exp: A_YEAR_LATER, enabled: true }, tags: { [OWNER_TAG]: STACK, [TENANT_TAG]: TENANT } });
    expect(body.key_ops).toEqual(expect.arrayContaining(["encrypt", "decrypt", "wrapKey", "unwrapKey"]));

    const [version] = vault.keys.get(TENANT)!;
    expect(version.tags).toEqual({ [OWNER_TAG]: STACK, [TENANT_TAG]: TENANT, [FINGERPRINT_TAG]: outs.publicKeySha256 });
    expect(outs.publicKeySha256).toMatch(/^[0-9a-f]{64}$/);
    // The REST shape of the policy: rotate 30 days before expiry, notify 7 days before, new versions last P1Y.
    expect(vault.authorized.find((r) => r.method === "PUT" && r.path.endsWith("/rotationpolicy"))?.body).toEqual({
      lifetimeActions: [
        { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Rotate" } },
        { trigger: { timeBeforeExpiry: "P7D" }, action: { type: "Notify" } },
      ],
      attributes: { expiryTime: "P1Y" },
    });
    expect(outs).toMatchObject({
      ...inputs(),
      version: version.version,
      keyId: `https://kv-viva.vault.azure.net/keys/${TENANT}/${version.version}`,
      versionlessId: `https://kv-viva.vault.azure.net/keys/${TENANT}`,
      versionExpiresOn: "2027-11-25T12:00:00Z",
      versionCreatedOn: "2026-01-01T00:00:00Z",
      versions: [{ version: version.version, createdOn: "2026-01-01T00:00:00Z", expiresOn: "2027-11-25T12:00:00Z", enabled: true }],
      rotationPolicy: { expiresIn: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D" },
    });
  });

  it("takes the tenant's keyExpiresOn over the lifetime, a date-only one as midnight UTC", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs({ expiresOn: "2027-06-30" }), ctx);
    expect(vault.keys.get(TENANT)![0].exp).toBe(EXPIRY_SECONDS);
    expect(outs.versionExpiresOn).toBe(EXPIRY);
  });

  it("keeps the expiry it fixed at creation: a later refresh and diff neither recompute nor change it", async () => {
    const { client, vault, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    const later = { ...ctx, now: () => new Date("2027-03-01T00:00:00Z") };
    const refreshed = await readTenantKey(client, outs, later);
    expect(refreshed?.versionExpiresOn).toBe("2027-11-25T12:00:00Z");
    expect(diffTenantKey(refreshed!, { ...inputs() })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(vault.keys.get(TENANT)).toHaveLength(1);
  });

  it("recovers a soft-deleted key of the same name, keeps its versions and adds one", async () => {
    const { vault, client, ctx } = setup();
    const [old] = vault.seed(TENANT, [{ exp: 1_800_000_000, tags: { [OWNER_TAG]: STACK } }], "deleted");

    const outs = await createTenantKey(client, inputs(), ctx);

    const calls = vault.authorized.map(call);
    const conflict = calls.indexOf(`POST /keys/${TENANT}/create`);
    const recover = calls.indexOf(`POST /deletedkeys/${TENANT}/recover`);
    expect(conflict).toBeGreaterThanOrEqual(0);
    expect(recover).toBeGreaterThan(conflict);
    expect(calls.lastIndexOf(`POST /keys/${TENANT}/create`)).toBeGreaterThan(recover);
    expect(vault.keys.get(TENANT)!.map((v) => v.version)).toEqual([old.version, outs.version]);
    expect(vault.keys.get(TENANT)![0]).toMatchObject({ enabled: true, exp: 1_800_000_000 });
    expect(outs.versions.map((v) => v.version)).toEqual([old.version, outs.version]);
  });

  it("does not recover a soft-deleted key that another stack owns", async () => {
    const { vault, client, ctx } = setup();
    vault.seed(TENANT, [{ tags: { [OWNER_TAG]: "contoso/viva-partner/prod" } }], "deleted");
    await expect(createTenantKey(client, inputs(), ctx)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/ is managed by stack contoso/viva-partner/prod (tag ${OWNER_TAG}), not this one (${STACK})`,
    );
    expect(vault.deleted.has(TENANT)).toBe(true);
    expect(vault.authorized.some((r) => r.path.endsWith("/recover"))).toBe(false);
  });

  it("retries 403 ForbiddenByRbac with growing delays until the role assignment has propagated", async () => {
    const { vault, client, ctx, waits } = setup();
    vault.failNext(isCreate, forbiddenByRbac, 3);
    const outs = await createTenantKey(client, inputs(), ctx);
    expect(vault.authorized.filter(isCreate)).toHaveLength(4);
    expect(waits).toEqual([5_000, 10_000, 20_000]);
    expect(outs.version).toBe(vault.keys.get(TENANT)![0].version);
  });

  it("gives up after about ten minutes of 403 with one message naming vault, key, cause and the role", async () => {
    const { vault, client, ctx, waits } = setup();
    vault.failNext(isCreate, forbiddenByRbac, 1_000);
    const failure = createTenantKey(client, inputs(), ctx);
    await expect(failure).rejects.toThrow(
      new RegExp(`^Key Vault key "${TENANT}" in vault https://kv-viva\\.vault\\.azure\\.net/: could not create the key: Caller is not authorized to perform action on resource\\. .*after \\d+ attempts over 600 s`),
    );
    await expect(failure).rejects.toThrow(/check that the deploying identity holds the "Viva Partner Key Manager" role on the vault$/);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(600_000);
    expect(vault.keys.has(TENANT)).toBe(false);
  });

  it("does not wait out a firewall 403, which no role assignment will fix", async () => {
    const { vault, client, ctx, waits } = setup();
    vault.failNext(isCreate, { status: 403, body: azureError("Forbidden", "Client address is not authorized and caller is not a trusted service.", "ForbiddenByFirewall") });
    await expect(createTenantKey(client, inputs(), ctx)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/: could not create the key: Client address is not authorized and caller is not a trusted service.`,
    );
    expect(waits).toEqual([]);
  });
});

describe("one identity: Key Vault calls run as the principal that received the role", () => {
  it("fails at once, naming both object ids, when the provider signs in as someone else", async () => {
    const stranger = "00000000-0000-4000-8000-0000000000ee";
    const { vault, client, ctx, waits } = setup(stranger);
    await expect(createTenantKey(client, inputs(), ctx)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/: the dynamic provider signs in as object id ${stranger}, but the key-management role was granted to object id ${DEPLOYER} (azure-native's getClientConfig)`,
    );
    expect(vault.requests).toEqual([]);
    expect(waits).toEqual([]);
  });

  it("compares object ids without regard to case, and goes ahead when the token names no principal", async () => {
    await expect(createTenantKey(setup(DEPLOYER.toUpperCase()).client, inputs(), setup(DEPLOYER.toUpperCase()).ctx)).resolves.toMatchObject({ keyName: TENANT });
    const opaque = setup(null);
    await expect(createTenantKey(opaque.client, inputs(), opaque.ctx)).resolves.toMatchObject({ keyName: TENANT });
  });
});

describe("createTenantKey: a key of that name exists already", () => {
  it("refuses to add a version over a key no stack manages, naming the key and both ways forward", async () => {
    const { vault, client, ctx } = setup();
    vault.seed(TENANT, [{ exp: 1_800_000_000 }, { exp: 1_800_000_000 }]);
    const failure = createTenantKey(client, inputs(), ctx);
    await expect(failure).rejects.toThrow(
      `Key Vault key "${TENANT}" already exists in vault https://kv-viva.vault.azure.net/ (2 versions, current version created 2026-01-01T00:00:00Z) and no stack manages it; not adding a version over it. ` +
        "Either set adoptExistingKey: true on this tenant to manage that key from this stack (its versions stay; Pulumi tags it, gives it an expiry and a rotation policy), or remove the tenant from this stack if the key is managed elsewhere",
    );
    expect(writes(vault)).toEqual([]);
  });

  it("refuses a key another stack manages, even with adoptExistingKey, naming that stack", async () => {
    const { vault, client, ctx } = setup();
    vault.seed(TENANT, [{ tags: { [OWNER_TAG]: "fabrikam/viva-partner/prod" } }]);
    await expect(createTenantKey(client, inputs({ adoptExisting: true }), ctx)).rejects.toThrow(
      /is managed by stack fabrikam\/viva-partner\/prod \(tag viva-partner-stack\), not this one \(contoso\/viva-partner\/dev\): a tenant's key belongs to one stack — remove the tenant from this stack or from fabrikam\/viva-partner\/prod$/,
    );
    expect(writes(vault)).toEqual([]);
  });

  it("adopts a usable key: keeps its versions and current version, tags it and sets the policy", async () => {
    const { vault, client, ctx } = setup();
    const seeded = vault.seed(TENANT, [{ exp: 1_790_000_000 }, { exp: 1_800_000_000, tags: { team: "data" } }]);
    const outs = await createTenantKey(client, inputs({ adoptExisting: true }), ctx);
    expect(vault.authorized.some(isCreate)).toBe(false);
    expect(writes(vault)).toEqual([`PATCH /keys/${TENANT}/${seeded[1].version}`, `PUT /keys/${TENANT}/rotationpolicy`]);
    expect(vault.keys.get(TENANT)![1].tags).toEqual({ team: "data", [OWNER_TAG]: STACK, [TENANT_TAG]: TENANT, [FINGERPRINT_TAG]: outs.publicKeySha256 });
    expect(outs).toMatchObject({ version: seeded[1].version, versionExpiresOn: new Date(1_800_000_000_000).toISOString().replace(".000", "") });
    expect(outs.versions.map((v) => v.version)).toEqual(seeded.map((v) => v.version));
  });

  it("gives an adopted key without expiry one: keyExpiresOn, or one lifetime from now", async () => {
    const first = setup();
    first.vault.seed(TENANT, [{ exp: undefined }]);
    expect((await createTenantKey(first.client, inputs({ adoptExisting: true }), first.ctx)).versionExpiresOn).toBe("2027-11-25T12:00:00Z");
    const second = setup();
    second.vault.seed(TENANT, [{ exp: undefined }]);
    expect((await createTenantKey(second.client, inputs({ adoptExisting: true, expiresOn: EXPIRY }), second.ctx)).versionExpiresOn).toBe(EXPIRY);
    expect(second.vault.keys.get(TENANT)).toHaveLength(1);
  });

  it.each([
    ["expired", { exp: Date.UTC(2026, 0, 1) / 1000 }],
    ["without unwrapKey", { keyOps: ["encrypt", "wrapKey"] }],
    ["disabled", { enabled: false }],
  ])("adds a new version to an adopted key that is %s, keeping the old one", async (_label, override) => {
    const { vault, client, ctx } = setup();
    const [old] = vault.seed(TENANT, [{ exp: 1_800_000_000, ...override }]);
    const outs = await createTenantKey(client, inputs({ adoptExisting: true }), ctx);
    expect(vault.keys.get(TENANT)!.map((v) => v.version)).toEqual([old.version, outs.version]);
    expect(outs.versionExpiresOn).toBe("2027-11-25T12:00:00Z");
  });

  it("takes over a key this stack's own tag names (its state was lost) without adoptExistingKey", async () => {
    const { vault, client, ctx } = setup();
    const [own] = vault.seed(TENANT, [{ exp: 1_800_000_000, tags: { [OWNER_TAG]: STACK } }]);
    expect((await createTenantKey(client, inputs(), ctx)).version).toBe(own.version);
  });
});

describe("createTenantKey: importing the tenant's own key", () => {
  it("imports the PEM with its expiry and tags, and keeps no private key material in the outputs", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs({ importKeyPem: tenantPem, expiresOn: EXPIRY }), ctx);

    const put = vault.authorized.find((r) => r.method === "PUT" && r.path === `/keys/${TENANT}`)!;
    const body = put.body as { key: Record<string, unknown>; attributes: { exp: number }; tags: Record<string, string> };
    const jwk = createPrivateKey(tenantPem).export({ format: "jwk" });
    expect(body.key).toMatchObject({ kty: "RSA", n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q, dp: jwk.dp, dq: jwk.dq, qi: jwk.qi });
    expect(body.attributes.exp).toBe(EXPIRY_SECONDS);
    expect(body.tags[FINGERPRINT_TAG]).toBe(fingerprintOfPem(tenantPem));
    expect(vault.authorized.some(isCreate)).toBe(false);

    expect(outs.importedPublicKeySha256).toBe(fingerprintOfPem(tenantPem));
    expect(outs.publicKeySha256).toBe(fingerprintOfPem(tenantPem));
    const state = JSON.stringify(outs);
    expect(state).not.toContain("PRIVATE KEY");
    expect(state).not.toContain(String(jwk.d));
    expect(state).not.toContain(tenantPem.split("\n")[1]);
    expect(outs).not.toHaveProperty("importKeyPem");
  });

  it("gives an imported key only the near-expiry notice: a Key Vault rotation would replace the tenant's own key", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs({ importKeyPem: tenantPem }), ctx);
    expect(vault.policies.get(TENANT)).toEqual({ lifetimeActions: [{ trigger: { timeBeforeExpiry: "P7D" }, action: { type: "Notify" } }], attributes: { expiryTime: "P1Y" } });
    expect(outs.rotationPolicy).toEqual({ expiresIn: "P1Y", notifyBefore: "P7D" });
  });

  it("rejects a key that is already another tenant's key in the vault, importing nothing", async () => {
    const { vault, client, ctx } = setup();
    await createTenantKey(client, inputs({ keyName: OTHER_TENANT, importKeyPem: otherPem }), ctx);
    await expect(createTenantKey(client, inputs({ importKeyPem: otherPem }), ctx)).rejects.toThrow(
      `importKeyPem is already the key of tenant ${OTHER_TENANT} (stack ${STACK}) in vault https://kv-viva.vault.azure.net/: each tenant needs its own key`,
    );
    expect(vault.keys.has(TENANT)).toBe(false);
  });
});

describe("updateTenantKey", () => {
  async function created(overrides: Partial<TenantKeyInputs> = {}) {
    const context = setup();
    const outs = await createTenantKey(context.client, inputs({ expiresOn: EXPIRY, ...overrides }), context.ctx);
    return { ...context, outs };
  }

  it("sets a changed expiry on the current version with PATCH", async () => {
    const { vault, client, ctx, outs } = await created();
    const before = vault.authorized.length;
    const updated = await updateTenantKey(client, outs, inputs({ expiresOn: "2028-01-31T12:00:00Z" }), ctx);
    const patches = vault.authorized.slice(before).filter((r) => r.method === "PATCH");
    expect(patches.map(call)).toEqual([`PATCH /keys/${TENANT}/${outs.version}`]);
    expect((patches[0].body as { attributes: { exp: number } }).attributes.exp).toBe(Date.UTC(2028, 0, 31, 12) / 1000);
    expect(updated).toMatchObject({ expiresOn: "2028-01-31T12:00:00Z", versionExpiresOn: "2028-01-31T12:00:00Z", version: outs.version });
    expect(vault.keys.get(TENANT)).toHaveLength(1);
  });

  it("creates a new version on a rotation increase and leaves the old one enabled", async () => {
    const { vault, client, ctx, outs } = await created();
    const rotated = await updateTenantKey(client, outs, inputs({ expiresOn: EXPIRY, rotation: 1 }), ctx);
    const versions = vault.keys.get(TENANT)!;
    expect(versions.map((v) => v.version)).toEqual([outs.version, rotated.version]);
    expect(rotated.versionlessId).toBe(outs.versionlessId);
    expect(versions[0]).toMatchObject({ enabled: true, exp: EXPIRY_SECONDS });
    expect(rotated.versions.map((v) => [v.version, v.enabled])).toEqual([
      [outs.version, true],
      [rotated.version, true],
    ]);
  });

  it("gives the new version the new expiry when rotation and expiry change together", async () => {
    const { vault, client, ctx, outs } = await created();
    const rotated = await updateTenantKey(client, outs, inputs({ rotation: 1, expiresOn: "2028-06-30" }), ctx);
    expect(vault.keys.get(TENANT)!.map((v) => [v.version, v.exp])).toEqual([
      [outs.version, EXPIRY_SECONDS],
      [rotated.version, Date.UTC(2028, 5, 30) / 1000],
    ]);
  });

  it("leaves the version Key Vault rotated in alone: another change does not re-date it to the old keyExpiresOn", async () => {
    const { vault, client, ctx, outs } = await created();
    const renewed = vault.rotateByPolicy(TENANT, EXPIRY_SECONDS + 365 * 86_400);
    const updated = await updateTenantKey(client, outs, inputs({ expiresOn: EXPIRY, ownerStack: "contoso/viva-partner/dev2" }), ctx);
    expect(vault.keys.get(TENANT)!.at(-1)).toMatchObject({ version: renewed.version, exp: EXPIRY_SECONDS + 365 * 86_400, tags: { [OWNER_TAG]: "contoso/viva-partner/dev2" } });
    expect(updated.version).toBe(renewed.version);
  });

  it("re-dates the current version — the one Key Vault rotated in — when keyExpiresOn changes", async () => {
    const { vault, client, ctx, outs } = await created();
    const renewed = vault.rotateByPolicy(TENANT, EXPIRY_SECONDS + 365 * 86_400);
    await updateTenantKey(client, outs, inputs({ expiresOn: "2028-12-31" }), ctx);
    expect(vault.keys.get(TENANT)!.map((v) => [v.version, v.exp])).toEqual([
      [outs.version, EXPIRY_SECONDS],
      [renewed.version, Date.UTC(2028, 11, 31) / 1000],
    ]);
  });

  it("imports a new version when the tenant's PEM changes", async () => {
    const { vault, client, ctx, outs } = await created({ importKeyPem: tenantPem });
    const updated = await updateTenantKey(client, outs, inputs({ expiresOn: EXPIRY, importKeyPem: otherPem }), ctx);
    expect(vault.keys.get(TENANT)!.map((v) => v.imported)).toEqual([true, true]);
    expect(updated.importedPublicKeySha256).toBe(fingerprintOfPem(otherPem));
  });

  it("recovers a key soft-deleted outside Pulumi before rotating it", async () => {
    const { vault, client, ctx, outs } = await created();
    vault.deleted.set(TENANT, vault.keys.get(TENANT)!);
    vault.keys.delete(TENANT);
    await expect(updateTenantKey(client, outs, inputs({ expiresOn: EXPIRY, rotation: 1 }), ctx)).rejects.toThrow(
      `Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/: could not update the key: it no longer exists (deleted outside Pulumi): run \`pulumi refresh\`, then \`pulumi up\` creates it again`,
    );
  });

  it("refuses to change a key another stack has tagged as its own", async () => {
    const { vault, client, ctx, outs } = await created();
    vault.keys.get(TENANT)![0].tags[OWNER_TAG] = "fabrikam/viva-partner/prod";
    await expect(updateTenantKey(client, outs, inputs({ expiresOn: EXPIRY, rotation: 1 }), ctx)).rejects.toThrow(/is managed by stack fabrikam\/viva-partner\/prod/);
    expect(vault.keys.get(TENANT)).toHaveLength(1);
  });

  it("moves an existing key onto a rotation policy without a new version (state from before rotation policies)", async () => {
    const { vault, client, ctx, outs } = await created();
    vault.policies.delete(TENANT);
    const { rotationPolicy: _none, ...oldState } = outs;
    const old = oldState as TenantKeyOutputs;
    expect(diffTenantKey(old, { ...inputs({ expiresOn: EXPIRY }) }).changes).toBe(true);
    await updateTenantKey(client, old, inputs({ expiresOn: EXPIRY }), ctx);
    expect(vault.policies.get(TENANT)?.attributes.expiryTime).toBe("P1Y");
    expect(vault.keys.get(TENANT)).toHaveLength(1);
  });
});

describe("readTenantKey (pulumi refresh)", () => {
  it("reads the real versions and expiry: a version Key Vault rotated in becomes current, and no update follows", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    const renewed = vault.rotateByPolicy(TENANT, A_YEAR_LATER + 365 * 86_400);
    const refreshed = await readTenantKey(client, outs, ctx);
    expect(refreshed).toMatchObject({ version: renewed.version, versionExpiresOn: "2028-11-24T12:00:00Z", versionlessId: outs.versionlessId });
    expect(refreshed!.versions.map((v) => v.version)).toEqual([outs.version, renewed.version]);
    expect(diffTenantKey(refreshed!, { ...inputs() }).changes).toBe(false);
  });

  it("notices a rotation policy changed outside Pulumi, so the next up restores it", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    vault.policies.set(TENANT, { lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }], attributes: { expiryTime: "P2Y" } });
    const refreshed = await readTenantKey(client, outs, ctx);
    expect(refreshed?.rotationPolicy).toEqual({ expiresIn: "P2Y", notifyBefore: "P30D" });
    expect(diffTenantKey(refreshed!, { ...inputs() })).toMatchObject({ changes: true, replaces: [] });
  });

  it("reports a key deleted outside Pulumi as gone", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    vault.keys.delete(TENANT);
    expect(await readTenantKey(client, outs, ctx)).toBeUndefined();
  });
});

describe("deleteTenantKey", () => {
  it("soft-deletes the key, so re-adding the tenant can recover it", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    await deleteTenantKey(client, outs, ctx);
    expect(vault.authorized.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`/keys/${TENANT}`]);
    expect(vault.deleted.get(TENANT)?.map((v) => v.version)).toEqual([outs.version]);
  });

  it("treats a key that is already gone as deleted", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    vault.keys.delete(TENANT);
    await expect(deleteTenantKey(client, outs, ctx)).resolves.toBeUndefined();
    expect(vault.authorized.some((r) => r.method === "DELETE")).toBe(false);
  });

  it("leaves a key another stack has taken over alone", async () => {
    const { vault, client, ctx } = setup();
    const outs = await createTenantKey(client, inputs(), ctx);
    vault.keys.get(TENANT)![0].tags[OWNER_TAG] = "fabrikam/viva-partner/prod";
    await expect(deleteTenantKey(client, outs, ctx)).rejects.toThrow(`Key Vault key "${TENANT}" in vault https://kv-viva.vault.azure.net/ is managed by stack fabrikam/viva-partner/prod (tag ${OWNER_TAG}), not this one (${STACK})`);
    expect(vault.keys.has(TENANT)).toBe(true);
  });
});

describe("diffTenantKey", () => {
  const olds = (): TenantKeyOutputs => ({
    ...inputs({ expiresOn: EXPIRY }),
    keyId: "kid/v1",
    versionlessId: "kid",
    version: "v1",
    versionCreatedOn: "2026-11-25T12:00:00Z",
    versionExpiresOn: EXPIRY,
    publicKeySha256: "ab",
    versions: [],
    rotationPolicy: { expiresIn: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D" },
  });

  it("reports no change for equal inputs, including case and trailing-slash variants and the same instant written differently", () => {
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: "2027-06-30T02:00:00+02:00" }), vaultUri: "https://KV-viva.vault.azure.net", keyName: TENANT.toUpperCase(), deployerObjectId: DEPLOYER.toUpperCase() })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it.each<[string, Partial<TenantKeyInputs>]>([
    ["expiry", { expiresOn: "2028-01-01" }],
    ["expiry removed", { expiresOn: undefined }],
    ["rotation", { rotation: 1 }],
    ["lifetime", { lifetime: "P2Y" }],
    ["rotate lead time", { rotateBefore: "P60D" }],
    ["owner", { ownerStack: "contoso/viva-partner/prod" }],
    ["deployer", { deployerObjectId: "00000000-0000-4000-8000-0000000000ee" }],
  ])("updates in place for a changed %s", (_label, override) => {
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: EXPIRY }), ...override })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("updates in place when a PEM to import appears or changes, not when it stays the same", () => {
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: EXPIRY, importKeyPem: tenantPem }) }).changes).toBe(true);
    const imported = { ...olds(), importedPublicKeySha256: fingerprintOfPem(tenantPem), rotationPolicy: { expiresIn: "P1Y", notifyBefore: "P7D" } };
    expect(diffTenantKey(imported, { ...inputs({ expiresOn: EXPIRY, importKeyPem: tenantPem }) }).changes).toBe(false);
    expect(diffTenantKey(imported, { ...inputs({ expiresOn: EXPIRY, importKeyPem: otherPem }) }).changes).toBe(true);
  });

  it("replaces, create-before-delete, when the vault or key name changes", () => {
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: EXPIRY }), vaultUri: "https://kv-other.vault.azure.net/", keyName: OTHER_TENANT })).toEqual({
      changes: true,
      replaces: ["vaultUri", "keyName"],
      deleteBeforeReplace: false,
    });
  });

  it("treats values unknown during preview as changed, a vault URI as a possible replacement", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: EXPIRY }), vaultUri: unknown }).replaces).toEqual(["vaultUri"]);
    expect(diffTenantKey(olds(), { ...inputs({ expiresOn: EXPIRY }), importKeyPem: unknown }).changes).toBe(true);
  });
});

describe("checkTenantKeyInputs", () => {
  it("normalizes the vault URI and key name and applies the defaults of rotation and adoption", () => {
    const { rotation: _r, adoptExisting: _a, ...given } = inputs({ expiresOn: EXPIRY });
    const { inputs: checked, failures } = checkTenantKeyInputs({}, { ...given, vaultUri: "https://KV-Viva.vault.azure.net", keyName: TENANT.toUpperCase() });
    expect(failures).toEqual([]);
    expect(checked).toEqual(inputs({ expiresOn: EXPIRY }));
  });

  it("names each malformed input and the rule it breaks", () => {
    const { failures } = checkTenantKeyInputs({}, {
      ...inputs(),
      vaultUri: "http://kv.vault.azure.net/",
      keyName: "tenant_1",
      expiresOn: "2027-06-30T00:00:00",
      rotation: -1,
      lifetime: "1 year",
      ownerStack: "",
      deployerObjectId: "me",
    });
    expect(failures).toEqual([
      { property: "vaultUri", reason: expect.stringContaining('"http://kv.vault.azure.net/" is not an https vault URI') },
      { property: "keyName", reason: expect.stringContaining('"tenant_1" must be 1-127 letters, digits or dashes') },
      { property: "expiresOn", reason: expect.stringContaining('"2027-06-30T00:00:00" must be an ISO-8601 date') },
      { property: "lifetime", reason: expect.stringContaining('"1 year" must be an ISO 8601 duration') },
      { property: "rotation", reason: expect.stringContaining("-1 must be a whole number") },
      { property: "ownerStack", reason: expect.stringContaining("must name the owning stack") },
      { property: "deployerObjectId", reason: expect.stringContaining('"me" must be the object id (GUID)') },
    ]);
  });

  it.each([
    ["P27D", "P7D", "lifetime", "must be at least 28 days"],
    ["P1Y", "P6D", "rotateBefore", "must be at least 7 days"],
    ["P30D", "P28D", "rotateBefore", "must leave at least 7 days of lifetime before the rotation"],
  ])("refuses a rotation policy Key Vault would refuse: lifetime %s, rotate %s before", (lifetime, rotateBefore, property, rule) => {
    expect(checkTenantKeyInputs({}, { ...inputs(), lifetime, rotateBefore }).failures).toEqual([{ property, reason: expect.stringContaining(rule) }]);
  });

  it("rejects a PEM to import that is not an unencrypted RSA key of at least 2048 bits, never quoting it", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    const short = generateKeyPairSync("rsa", { modulusLength: 1024, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    const encrypted = createPrivateKey(tenantPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
    const cases: [string, string][] = [
      [ec, "must be an RSA key, not ec"],
      [short, "must be an RSA key of at least 2048 bits, not 1024"],
      [encrypted, "must be an unencrypted PEM private key"],
      ["-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", "must be a PEM private key"],
    ];
    for (const [pem, rule] of cases) {
      const { failures } = checkTenantKeyInputs({}, { ...inputs(), importKeyPem: pem });
      expect(failures).toEqual([{ property: "importKeyPem", reason: expect.stringContaining(rule) }]);
      expect(failures[0].reason).not.toContain(pem.split("\n")[1]);
    }
    expect(checkTenantKeyInputs({}, { ...inputs(), importKeyPem: tenantPem }).failures).toEqual([]);
  });

  it("refuses to lower the rotation counter", () => {
    expect(checkTenantKeyInputs({ rotation: 2 }, { ...inputs(), rotation: 1 }).failures).toEqual([{ property: "rotation", reason: expect.stringContaining("may only increase (was 2, now 1)") }]);
  });

  it("lets values unknown during preview through", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const all = Object.fromEntries(Object.keys(inputs()).map((k) => [k, unknown]));
    expect(checkTenantKeyInputs({}, { ...all, importKeyPem: unknown }).failures).toEqual([]);
  });
});
