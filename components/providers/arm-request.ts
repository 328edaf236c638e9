import type { DataFactoryManagementClient } from "@azure/arm-datafactory";

/** A management-plane call that Azure answered with an error status; carries what the retry and error helpers read. */
export class ArmRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ArmRequestError";
  }
}

/**
 * Sends one ARM request with a JSON body exactly as given, through the client's own pipeline
 * (authentication, the SDK's retries of throttling and server errors, the injected `httpClient` in
 * tests), bypassing the SDK's models: they move properties they do not know out of
 * `typeProperties` (see tests/providers/verbatim-dataset.test.ts). Returns the parsed response
 * body, or undefined when it is empty; an error status throws an {@link ArmRequestError}.
 */
export async function sendArmJson(
  client: DataFactoryManagementClient,
  method: "GET" | "PUT" | "DELETE",
  path: string,
  apiVersion: string,
  body?: unknown,
): Promise<unknown> {
  // require(), not import: this runs inside a serialized provider that must load its SDKs when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHttpHeaders, createPipelineRequest } = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const url = `${client.$host.replace(/\/+$/, "")}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders(body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await client.sendRequest(request);
  const text = response.bodyAsText ?? "";
  const parsed = text === "" ? undefined : parseJson(text);
  if (response.status >= 400) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === "string" ? error.code : undefined;
    const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status} from ${method} ${path}`;
    throw new ArmRequestError(code ? `${code}: ${message}` : message, response.status, code);
  }
  return parsed;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
