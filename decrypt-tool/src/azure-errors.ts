import { describeError } from "./errors";

const MAX_DETAIL = 240;

/** True for @azure/identity failures: no credential found, or sign-in refused. */
export function isCredentialError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return /Credential|Authentication/.test(name);
}

/**
 * One short line for an @azure/identity failure. DefaultAzureCredential's own message lists every credential
 * it tried, several hundred characters; the hint says what to do instead.
 */
export function describeCredentialError(error: unknown, service: string): string {
  const detail = describeError(error);
  const short = detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail;
  return `cannot sign in to ${service} with DefaultAzureCredential (sign in with az login, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity): ${short}`;
}

/**
 * True when DefaultAzureCredential found no credential at all (every credential in its chain reported itself
 * unavailable: no environment variables, no managed identity, no Azure CLI sign-in…), as opposed to a
 * credential that exists but was refused.
 */
export function isNoCredentialAvailable(error: unknown): boolean {
  const inner = (error as { errors?: unknown } | undefined)?.errors;
  const name = (error as { name?: string } | undefined)?.name;
  if (name === "CredentialUnavailableError") return true;
  return (
    name === "AggregateAuthenticationError" &&
    Array.isArray(inner) &&
    inner.length > 0 &&
    inner.every((e) => (e as { name?: string } | undefined)?.name === "CredentialUnavailableError")
  );
}

/** The one-line message for {@link isNoCredentialAvailable} failures reaching `service`. */
export function noCredentialMessage(service: string): string {
  return `no Azure sign-in found for ${service}: DefaultAzureCredential found no credential (run az login, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity)`;
}

/**
 * One line for any failed Azure SDK call reaching `service`: no credential found, sign-in refused, an HTTP
 * status (with the service's error code), or the error's own message.
 */
export function describeAzureFailure(error: unknown, service: string): string {
  if (isNoCredentialAvailable(error)) return noCredentialMessage(service);
  if (isCredentialError(error)) return describeCredentialError(error, service);
  const { statusCode, code } = (error ?? {}) as { statusCode?: number; code?: string };
  return statusCode ? `HTTP ${statusCode}${code ? ` ${code}` : ""}` : describeError(error);
}
