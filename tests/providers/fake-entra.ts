import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { fakeJwt } from "./http-recorder";

/** A token request as Entra ID received it. */
export interface TokenRequest {
  tenant: string;
  /** The form fields (client_id, scope, grant_type, client_secret or client_assertion, …). */
  form: Record<string, string>;
}

/**
 * Entra ID's token endpoint (and the discovery documents MSAL reads first) for @azure/identity
 * credentials given this `httpClient`. Hands out JWT access tokens whose `oid` is `objectId`.
 */
export class FakeEntra {
  readonly tokenRequests: TokenRequest[] = [];
  readonly other: string[] = [];
  readonly httpClient: HttpClient;

  constructor(readonly objectId: string) {
    this.httpClient = { sendRequest: (request) => Promise.resolve(this.respond(request)) };
  }

  private respond(request: PipelineRequest): PipelineResponse {
    const url = new URL(request.url);
    const [, tenant] = url.pathname.split("/");
    if (url.pathname.endsWith("/oauth2/v2.0/token") && request.method === "POST") {
      const text = typeof request.body === "string" ? request.body : "";
      const form = Object.fromEntries(new URLSearchParams(text));
      this.tokenRequests.push({ tenant, form });
      const token = fakeJwt({ oid: this.objectId, tid: tenant, aud: form.scope?.replace("/.default", "") });
      return json(request, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    if (url.pathname === "/common/discovery/instance") {
      return json(request, 200, {
        tenant_discovery_endpoint: `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: "login.microsoftonline.com", preferred_cache: "login.windows.net", aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"] }],
      });
    }
    if (url.pathname.endsWith("/.well-known/openid-configuration")) {
      const base = `https://login.microsoftonline.com/${tenant}`;
      return json(request, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      });
    }
    this.other.push(`${request.method} ${request.url}`);
    return json(request, 404, { error: "not_found", error_description: `fake Entra cannot answer ${request.method} ${request.url}` });
  }
}

function json(request: PipelineRequest, status: number, body: unknown): PipelineResponse {
  return { request, status, headers: createHttpHeaders({ "content-type": "application/json" }), bodyAsText: JSON.stringify(body) };
}
