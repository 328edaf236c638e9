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
