import { FakeService, azureError, type FakeResponse, type RecordedRequest } from "./http-recorder";

interface StoredVersion {
  version: string;
  kty: string;
  keySize: number;
  keyOps: string[];
  enabled: boolean;
  exp?: number;
}

/**
 * An in-memory Key Vault data plane for the keys API (create, get, update, delete, recover),
 * answering like the service: 401 challenge on unauthenticated requests, 409 when a name is
 * soft-deleted, soft delete keeping every version.
 */
export class FakeKeyVault extends FakeService {
  readonly vaultUrl: string;
  readonly keys = new Map<string, StoredVersion[]>();
  readonly deleted = new Map<string, StoredVersion[]>();
  private nextVersion = 1;

  constructor(vaultName = "kv-viva", private readonly token = "test-token") {
    super();
    this.vaultUrl = `https://${vaultName}.vault.azure.net`;
  }

  /** Requests that carried our token, i.e. those past the authentication challenge. */
  get authorized(): RecordedRequest[] {
    return this.requests.filter((request) => request.authorization === `Bearer ${this.token}`);
  }

  /** Adds an existing key version directly, as if created earlier. */
  seed(name: string, versions: Omit<StoredVersion, "version">[], into: "keys" | "deleted" = "keys"): StoredVersion[] {
    const stored = versions.map((v) => ({ ...v, version: this.newVersionId() }));
    this[into].set(name, stored);
    return stored;
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
    if (collection === "keys" && request.method === "POST" && action === "create") return this.create(name, request.body as Record<string, unknown>);
    if (collection === "keys" && request.method === "PATCH") return this.update(name, action, request.body as Record<string, unknown>);
    if (collection === "keys" && request.method === "GET") return this.get(name, action);
    if (collection === "keys" && request.method === "DELETE") return this.delete(name);
    if (collection === "deletedkeys" && request.method === "GET") return this.getDeleted(name);
    if (collection === "deletedkeys" && request.method === "POST" && action === "recover") return this.recover(name);
    return { status: 400, body: azureError("BadParameter", `fake vault cannot answer ${request.method} ${request.path}`) };
  }

  private create(name: string, body: Record<string, unknown>): FakeResponse {
    if (this.deleted.has(name)) {
      return {
        status: 409,
        body: azureError("Conflict", `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`, "ObjectIsDeletedButRecoverable"),
      };
    }
    const attributes = (body.attributes ?? {}) as { exp?: number; enabled?: boolean };
    const version: StoredVersion = {
      version: this.newVersionId(),
      kty: String(body.kty),
      keySize: Number(body.key_size),
      keyOps: (body.key_ops as string[]) ?? [],
      enabled: attributes.enabled ?? true,
      exp: attributes.exp,
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
    return { status: 200, body: this.bundle(name, version) };
  }

  private get(name: string, versionId: string | undefined): FakeResponse {
    const versions = this.keys.get(name);
    const version = versionId ? versions?.find((v) => v.version === versionId) : versions?.at(-1);
    return version ? { status: 200, body: this.bundle(name, version) } : this.notFound(name);
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

  private bundle(name: string, version: StoredVersion): Record<string, unknown> {
    return {
      key: { kid: `${this.vaultUrl}/keys/${name}/${version.version}`, kty: version.kty, key_ops: version.keyOps, n: "AQAB", e: "AQAB" },
      attributes: { enabled: version.enabled, exp: version.exp, created: 1_767_225_600, updated: 1_767_225_600, recoveryLevel: "Recoverable" },
    };
  }

  private deletedBundle(name: string, version: StoredVersion): Record<string, unknown> {
    return { ...this.bundle(name, version), recoveryId: `${this.vaultUrl}/deletedkeys/${name}`, deletedDate: 1_767_225_600, scheduledPurgeDate: 1_774_915_200 };
  }

  private newVersionId(): string {
    return (this.nextVersion++).toString(16).padStart(32, "0");
  }
}
