import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { FakeService, azureError, type FakeResponse, type RecordedRequest } from "./http-recorder";

/** One key version as the fake vault stores it. */
export interface StoredVersion {
  version: string;
  kty: string;
  keySize: number;
  keyOps: string[];
  enabled: boolean;
  exp?: number;
  created: number;
  tags: Record<string, string>;
  /** The public key's modulus and exponent (base64url), as Key Vault returns them. */
  n: string;
  e: string;
  /** Whether the material came in through import. */
  imported: boolean;
}

/** A rotation policy in the REST shape (Key Vault 7.3+). */
export interface StoredPolicy {
  lifetimeActions: { trigger: { timeBeforeExpiry?: string; timeAfterCreate?: string }; action: { type: string } }[];
  attributes: { expiryTime?: string };
}

/** Real RSA-2048 key pairs, generated once per test process and handed out in turn. */
const KEY_POOL: KeyObject[] = [];
function pooledKey(index: number): KeyObject {
  while (KEY_POOL.length <= index % 8) KEY_POOL.push(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
  return KEY_POOL[index % 8];
}

/**
 * An in-memory Key Vault data plane for the keys API — create, import, get, list (keys and
 * versions), update (attributes and tags), rotation policy, delete, recover — answering like the
 * service: 401 challenge on unauthenticated requests, 409 when a name is soft-deleted, soft delete
 * keeping every version, real RSA key material in every version.
 */
export class FakeKeyVault extends FakeService {
  readonly vaultUrl: string;
  readonly keys = new Map<string, StoredVersion[]>();
  readonly deleted = new Map<string, StoredVersion[]>();
  readonly policies = new Map<string, StoredPolicy>();
  /** The service clock (epoch seconds): `created` of the next version. */
  clock = 1_767_225_600;
  private nextVersion = 1;
  private nextMaterial = 0;

  constructor(vaultName = "kv-viva", private readonly token = "test-token") {
    super();
    this.vaultUrl = `https://${vaultName}.vault.azure.net`;
  }

  /** Requests that carried our token, i.e. those past the authentication challenge. */
  get authorized(): RecordedRequest[] {
    return this.requests.filter((request) => request.authorization === `Bearer ${this.token}`);
  }

  /** Adds existing key versions directly, as if created earlier (real key material unless `n`/`e` are given). */
  seed(name: string, versions: Partial<StoredVersion>[], into: "keys" | "deleted" = "keys"): StoredVersion[] {
    const stored = versions.map((v) => ({ ...this.material(), kty: "RSA", keySize: 2048, keyOps: ["wrapKey", "unwrapKey"], enabled: true, created: this.clock, tags: {}, imported: false, ...v, version: this.newVersionId() }));
    this[into].set(name, [...(this[into].get(name) ?? []), ...stored]);
    return stored;
  }

  /** What Key Vault's rotation policy does on its own: a new version with the same parameters, expiring `expiryTime` later. */
  rotateByPolicy(name: string, expiresAt: number): StoredVersion {
    const versions = this.keys.get(name)!;
    const last = versions.at(-1)!;
    const version: StoredVersion = { ...last, ...this.material(), version: this.newVersionId(), created: this.clock, exp: expiresAt, imported: false, tags: {} };
    versions.push(version);
    return version;
  }

  protected respond(request: RecordedRequest): FakeResponse {
    if (request.authorization !== `Bearer ${this.token}`) {
      return {
        status: 401,
        headers: { "www-authenticate": 'Bearer authorization="https://login.microsoftonline.com/72f988bf-0000-0000-0000-000000000000", resource="https://vault.azure.net"' },
        body: azureError("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."),
      };
    }
    const failure = this.failures.take(request);
    if (failure) return failure;
    const [, collection, name, action] = request.path.split("/");
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (collection === "keys" && name === undefined && request.method === "GET") return this.list();
    if (collection === "keys" && request.method === "POST" && action === "create") return this.create(name, body);
    if (collection === "keys" && request.method === "PUT" && action === undefined) return this.import(name, body);
    if (collection === "keys" && action === "rotationpolicy") return request.method === "PUT" ? this.setPolicy(name, body) : this.getPolicy(name);
    if (collection === "keys" && request.method === "GET" && action === "versions") return this.listVersions(name);
    if (collection === "keys" && request.method === "PATCH") return this.update(name, action, body);
    if (collection === "keys" && request.method === "GET") return this.get(name, action);
    if (collection === "keys" && request.method === "DELETE") return this.delete(name);
    if (collection === "deletedkeys" && request.method === "GET") return this.getDeleted(name);
    if (collection === "deletedkeys" && request.method === "POST" && action === "recover") return this.recover(name);
    return { status: 400, body: azureError("BadParameter", `fake vault cannot answer ${request.method} ${request.path}`) };
  }

  private conflictIfDeleted(name: string): FakeResponse | undefined {
    if (!this.deleted.has(name)) return undefined;
    return {
      status: 409,
      body: azureError("Conflict", `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`, "ObjectIsDeletedButRecoverable"),
    };
  }

  private create(name: string, body: Record<string, unknown>): FakeResponse {
    const conflict = this.conflictIfDeleted(name);
    if (conflict) return conflict;
    const attributes = (body.attributes ?? {}) as { exp?: number; enabled?: boolean };
    const version: StoredVersion = {
      ...this.material(),
      version: this.newVersionId(),
      kty: String(body.kty),
      keySize: Number(body.key_size),
      keyOps: (body.key_ops as string[]) ?? [],
      enabled: attributes.enabled ?? true,
      exp: attributes.exp,
      created: this.clock,
      tags: (body.tags as Record<string, string>) ?? {},
      imported: false,
    };
    this.keys.set(name, [...(this.keys.get(name) ?? []), version]);
    return { status: 200, body: this.bundle(name, version) };
  }

  private import(name: string, body: Record<string, unknown>): FakeResponse {
    const conflict = this.conflictIfDeleted(name);
    if (conflict) return conflict;
    const key = (body.key ?? {}) as Record<string, unknown>;
    if (typeof key.d !== "string" || typeof key.n !== "string") return { status: 400, body: azureError("BadParameter", "The key to import has no private part.") };
    const attributes = (body.attributes ?? {}) as { exp?: number; enabled?: boolean };
    const version: StoredVersion = {
      version: this.newVersionId(),
      kty: String(key.kty),
      keySize: Buffer.from(key.n, "base64url").length * 8,
      keyOps: (key.key_ops as string[]) ?? [],
      enabled: attributes.enabled ?? true,
      exp: attributes.exp,
      created: this.clock,
      tags: (body.tags as Record<string, string>) ?? {},
      n: key.n,
      e: String(key.e),
      imported: true,
    };
    this.keys.set(name, [...(this.keys.get(name) ?? []), version]);
    return { status: 200, body: this.bundle(name, version) };
  }

  private update(name: string, versionId: string | undefined, body: Record<string, unknown>): FakeResponse {
    const version = this.keys.get(name)?.find((v) => v.version === versionId);
    if (!version) return this.notFound(name);
    const attributes = (body.attributes ?? {}) as { exp?: number; enabled?: boolean };
    if (attributes.exp !== undefined) version.exp = attributes.exp;
    if (attributes.enabled !== undefined) version.enabled = attributes.enabled;
    if (body.tags !== undefined) version.tags = body.tags as Record<string, string>;
    return { status: 200, body: this.bundle(name, version) };
  }

  private get(name: string, versionId: string | undefined): FakeResponse {
    const versions = this.keys.get(name);
    const version = versionId ? versions?.find((v) => v.version === versionId) : versions?.at(-1);
    return version ? { status: 200, body: this.bundle(name, version) } : this.notFound(name);
  }

  private list(): FakeResponse {
    return { status: 200, body: { value: [...this.keys.entries()].map(([name, versions]) => this.item(name, versions.at(-1)!, false)), nextLink: null } };
  }

  private listVersions(name: string): FakeResponse {
    const versions = this.keys.get(name);
    if (!versions) return this.notFound(name);
    return { status: 200, body: { value: versions.map((v) => this.item(name, v, true)), nextLink: null } };
  }

  private setPolicy(name: string, body: Record<string, unknown>): FakeResponse {
    if (!this.keys.has(name)) return this.notFound(name);
    this.policies.set(name, body as unknown as StoredPolicy);
    return this.getPolicy(name);
  }

  private getPolicy(name: string): FakeResponse {
    if (!this.keys.has(name)) return this.notFound(name);
    const policy = this.policies.get(name) ?? { lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }], attributes: {} };
    return { status: 200, body: { id: `${this.vaultUrl}/keys/${name}/rotationpolicy`, ...policy, attributes: { ...policy.attributes, created: this.clock, updated: this.clock } } };
  }

  private delete(name: string): FakeResponse {
    const versions = this.keys.get(name);
    if (!versions) return this.notFound(name);
    this.keys.delete(name);
    this.deleted.set(name, versions);
    return { status: 200, body: this.deletedBundle(name, versions.at(-1)!) };
  }

  private getDeleted(name: string): FakeResponse {
    const versions = this.deleted.get(name);
    return versions ? { status: 200, body: this.deletedBundle(name, versions.at(-1)!) } : this.notFound(name, "DeletedKeyNotFound");
  }

  private recover(name: string): FakeResponse {
    const versions = this.deleted.get(name);
    if (!versions) return this.notFound(name, "DeletedKeyNotFound");
    this.deleted.delete(name);
    this.keys.set(name, versions);
    return { status: 200, body: this.bundle(name, versions.at(-1)!) };
  }

  private notFound(name: string, code = "KeyNotFound"): FakeResponse {
    return { status: 404, body: azureError(code, `A key with (name/id) ${name} was not found in this key vault.`) };
  }

  private attributes(version: StoredVersion): Record<string, unknown> {
    return { enabled: version.enabled, exp: version.exp, created: version.created, updated: version.created, recoveryLevel: "Recoverable" };
  }

  private bundle(name: string, version: StoredVersion): Record<string, unknown> {
    return {
      key: { kid: `${this.vaultUrl}/keys/${name}/${version.version}`, kty: version.kty, key_ops: version.keyOps, n: version.n, e: version.e },
      attributes: this.attributes(version),
      tags: version.tags,
    };
  }

  private item(name: string, version: StoredVersion, versioned: boolean): Record<string, unknown> {
    return { kid: `${this.vaultUrl}/keys/${name}${versioned ? `/${version.version}` : ""}`, attributes: this.attributes(version), tags: version.tags };
  }

  private deletedBundle(name: string, version: StoredVersion): Record<string, unknown> {
    return { ...this.bundle(name, version), recoveryId: `${this.vaultUrl}/deletedkeys/${name}`, deletedDate: this.clock, scheduledPurgeDate: this.clock + 90 * 86_400 };
  }

  private material(): { n: string; e: string } {
    const jwk = pooledKey(this.nextMaterial++).export({ format: "jwk" });
    return { n: String(jwk.n), e: String(jwk.e) };
  }

  private newVersionId(): string {
    return (this.nextVersion++).toString(16).padStart(32, "0");
  }
}
