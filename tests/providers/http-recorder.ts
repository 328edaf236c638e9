import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { AccessToken, TokenCredential } from "@azure/identity";

/** A request as the fake service saw it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  /** Path without the query string, e.g. "/keys/abc/create". */
  path: string;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  authorization: string | undefined;
}

/** What the fake service answers. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An `httpClient` for Azure SDK client options: every request the real SDK pipeline sends is
 * recorded and answered by `respond`, so tests run the real client offline.
 */
export function recordingHttpClient(respond: (request: RecordedRequest) => FakeResponse): { httpClient: HttpClient; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      const text = typeof request.body === "string" ? request.body : undefined;
      const recorded: RecordedRequest = {
        method: request.method,
        url,
        path: url.pathname,
        body: text ? JSON.parse(text) : undefined,
        authorization: request.headers.get("authorization"),
      };
      requests.push(recorded);
      const answer = respond(recorded);
      const headers = createHttpHeaders({ "content-type": "application/json", ...answer.headers });
      return {
        request,
        status: answer.status,
        headers,
        bodyAsText: answer.body === undefined ? "" : JSON.stringify(answer.body),
      };
    },
  };
  return { httpClient, requests };
}

/** A TokenCredential that hands out a fixed token and remembers the scopes asked for. */
export function staticCredential(token = "test-token"): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** A sleep that returns at once and records what it was asked to wait. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** An Azure error body, as Key Vault and ARM return it. */
export function azureError(code: string, message: string, innerCode?: string): { error: Record<string, unknown> } {
  return { error: innerCode ? { code, message, innerError: { code: innerCode } } : { code, message } };
}

/**
 * Base of the fake Azure services: the real SDK client talks to it through `httpClient`, every
 * request is recorded, and tests can inject failures before the subclass serves a request.
 */
export abstract class FakeService {
  readonly httpClient: HttpClient;
  readonly requests: RecordedRequest[];
  protected readonly failures = new InjectedFailures();

  constructor() {
    const recorder = recordingHttpClient((request) => this.respond(request));
    this.httpClient = recorder.httpClient;
    this.requests = recorder.requests;
  }

  /** Answers `times` matching requests with `response` instead of serving them. */
  failNext(matches: (request: RecordedRequest) => boolean, response: FakeResponse, times = 1): void {
    this.failures.add(matches, response, times);
  }

  protected abstract respond(request: RecordedRequest): FakeResponse;
}

/** Failures a fake service answers instead of serving, each for a number of matching requests. */
class InjectedFailures {
  private readonly pending: { matches: (request: RecordedRequest) => boolean; response: FakeResponse; times: number }[] = [];

  /** Answers the next `times` requests that `matches` accepts with `response`. */
  add(matches: (request: RecordedRequest) => boolean, response: FakeResponse, times: number): void {
    this.pending.push({ matches, response, times });
  }

  /** The injected answer for `request`, if one is due. */
  take(request: RecordedRequest): FakeResponse | undefined {
    const failure = this.pending.find((f) => f.times > 0 && f.matches(request));
    if (!failure) return undefined;
    failure.times -= 1;
    return failure.response;
  }
}

/** An unsigned JWT with these claims, shaped like an Entra access token (what the providers read `oid` from). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}
