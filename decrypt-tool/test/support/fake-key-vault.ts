// An in-process stand-in for the Azure Key Vault data plane, plugged into the real @azure/keyvault-keys
// CryptographyClient through its `httpClient` option. It really decrypts with the tenant's private key.
import { constants, createPrivateKey, createPublicKey, privateDecrypt, randomBytes } from "node:crypto";
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { AccessToken, TokenCredential } from "@azure/identity";

export interface FakeVaultKey {
  name: string;
  version: string;
  privateKeyPem: string;
  /** Expiry (epoch seconds). Key Vault still decrypts and unwraps with expired versions. */
  expiresOn?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorized: boolean;
  body?: Record<string, unknown>;
}

/** A credential that hands out a fixed token, as a signed-in identity would. */
export const testCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: "test-access-token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export class FakeKeyVault implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  /** Statuses to answer the next decrypt calls with before serving them (e.g. 429). */
  decryptFailures: number[] = [];
  /** Status to answer every key read and decrypt with (e.g. 403 for a missing role). */
  denyWith?: number;
  /**
   * Answer an RSA1_5 ciphertext that does not unpad with random bytes instead of 400, as PKCS#1 v1.5
   * decryption with implicit rejection does (a defence against padding oracles).
   */
  implicitRejection = false;
  /** Never answer a decrypt; only the request's abort signal ends it (rejecting as a cancelled request does). */
  stallDecrypt = false;

  constructor(
    readonly vaultUrl: string,
    private readonly keys: FakeVaultKey[],
  ) {}

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const authorized = request.headers.get("authorization") === "Bearer test-access-token";
    const body = typeof request.body === "string" ? (JSON.parse(request.body) as Record<string, unknown>) : undefined;
    this.requests.push({ method: request.method, url: request.url, authorized, body });
    if (!authorized) {
      return respond(request, 401, { error: { code: "Unauthorized" } }, {
        "WWW-Authenticate": 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001", resource="https://vault.azure.net"',
      });
    }
    if (this.denyWith) return respond(request, this.denyWith, { error: { code: "Forbidden", message: "Caller is not authorized" } });
    const match = /^\/keys\/([^/]+)\/([^/]*)(\/decrypt)?$/.exec(url.pathname);
    const key = match && this.keys.find((k) => k.name === decodeURIComponent(match[1]) && (match[2] === "" || k.version === match[2]));
    if (!match || !key) return respond(request, 404, { error: { code: "KeyNotFound", message: `A key with (name/id) ${url.pathname} was not found` } });
    const kid = `${this.vaultUrl}/keys/${key.name}/${key.version}`;
    if (!match[3]) {
      const jwk = createPublicKey(key.privateKeyPem).export({ format: "jwk" });
      return respond(request, 200, { key: { kid, kty: "RSA", key_ops: ["encrypt", "decrypt", "wrapKey", "unwrapKey"], n: jwk.n, e: jwk.e }, attributes: { enabled: true, exp: key.expiresOn } });
    }
    if (this.stallDecrypt) return stalled(request);
    const failure = this.decryptFailures.shift();
    if (failure) return respond(request, failure, { error: { code: "Throttled", message: "Too many requests" } }, { "Retry-After": "0" });
    const plaintext =
      decrypt(key.privateKeyPem, String(body?.alg), Buffer.from(String(body?.value), "base64url")) ??
      (this.implicitRejection && body?.alg === "RSA1_5" ? randomBytes(57) : undefined);
    if (!plaintext) return respond(request, 400, { error: { code: "BadParameter", message: "The parameter is incorrect." } });
    return respond(request, 200, { kid, value: plaintext.toString("base64url") });
  }
}

function stalled(request: PipelineRequest): Promise<PipelineResponse> {
  return new Promise((_resolve, reject) => {
    const abort = (): void => reject(Object.assign(new Error("The operation was aborted."), { name: "AbortError" }));
    if (request.abortSignal?.aborted) abort();
    request.abortSignal?.addEventListener("abort", abort);
  });
}

function decrypt(privateKeyPem: string, algorithm: string, ciphertext: Buffer): Buffer | undefined {
  const key = createPrivateKey(privateKeyPem);
  try {
    if (algorithm === "RSA-OAEP") return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, ciphertext);
    if (algorithm === "RSA-OAEP-256") return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, ciphertext);
    if (algorithm === "RSA1_5") return unpadPkcs1v15(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext));
  } catch {
    return undefined;
  }
  return undefined;
}

// Node refuses PKCS#1 v1.5 private decryption, so the vault stand-in strips the padding itself: 00 02 PS 00 M.
function unpadPkcs1v15(block: Buffer): Buffer | undefined {
  if (block[0] !== 0 || block[1] !== 2) return undefined;
  const separator = block.indexOf(0, 2);
  return separator >= 10 ? block.subarray(separator + 1) : undefined;
}

function respond(request: PipelineRequest, status: number, body: unknown, headers: Record<string, string> = {}): PipelineResponse {
  return { request, status, headers: createHttpHeaders({ "content-type": "application/json", ...headers }), bodyAsText: JSON.stringify(body) };
}
