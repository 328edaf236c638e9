import { readFileSync } from "node:fs";
import type { TokenCredential, TokenCredentialOptions } from "@azure/identity";

/**
 * The sign-in settings azure-native reads, each from its config key `azure-native:<name>` or,
 * when that is not set, from the environment variable (pulumi-azure-native
 * provider/pkg/provider/auth_azidentity.go, readAuthConfig; provider.go getConfig).
 */
export const AZURE_AUTH_SETTINGS = {
  clientId: "ARM_CLIENT_ID",
  tenantId: "ARM_TENANT_ID",
  clientSecret: "ARM_CLIENT_SECRET",
  clientCertificatePath: "ARM_CLIENT_CERTIFICATE_PATH",
  clientCertificatePassword: "ARM_CLIENT_CERTIFICATE_PASSWORD",
  useMsi: "ARM_USE_MSI",
  useOidc: "ARM_USE_OIDC",
  oidcAudience: "ARM_OIDC_AUDIENCE",
  oidcToken: "ARM_OIDC_TOKEN",
  oidcTokenFilePath: "ARM_OIDC_TOKEN_FILE_PATH",
  oidcRequestToken: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  oidcRequestUrl: "ACTIONS_ID_TOKEN_REQUEST_URL",
  useDefaultAzureCredential: "ARM_USE_DEFAULT_AZURE_CREDENTIAL",
  subscriptionId: "ARM_SUBSCRIPTION_ID",
} as const;

export type AzureAuthSettings = Partial<Record<keyof typeof AZURE_AUTH_SETTINGS, string>>;

/** Reads a stack config value by full key (`azure-native:clientId`); the dynamic providers get the stack config through `configure`. */
export type ConfigLookup = (key: string) => string | undefined;

/** The settings as azure-native resolves them: the config key wins over the environment variable; empty counts as unset. */
export function readAzureAuthSettings(env: Record<string, string | undefined>, config?: ConfigLookup): AzureAuthSettings {
  const settings: AzureAuthSettings = {};
  for (const [name, variable] of Object.entries(AZURE_AUTH_SETTINGS) as [keyof typeof AZURE_AUTH_SETTINGS, string][]) {
    const value = config?.(`azure-native:${name}`) ?? env[variable];
    if (value !== undefined && value !== "") settings[name] = value;
  }
  return settings;
}

/** How to obtain the OIDC token (the client assertion) that OIDC sign-in exchanges for an access token. */
export type OidcTokenSource =
  | { from: "value"; token: string }
  | { from: "file"; path: string }
  | { from: "github"; requestUrl: string; requestToken: string; audience: string };

/** The one sign-in method azure-native picks for these settings. */
export type AzureAuthMethod =
  | { kind: "defaultAzureCredential" }
  | { kind: "clientCertificate"; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string }
  | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string }
  | { kind: "oidc"; tenantId: string; clientId: string; token: OidcTokenSource }
  | { kind: "managedIdentity"; clientId?: string }
  | { kind: "azureCli"; subscriptionId?: string };

/** A sign-in setting that cannot work, reported in one line. */
export class AzureAuthError extends Error {
  constructor(message: string) {
    super(`viva-partner: Azure sign-in of the dynamic providers: ${message}`);
    this.name = "AzureAuthError";
  }
}

/** GitHub's audience for Entra workload identity federation, azure-native's default `oidcAudience`. */
export const GITHUB_OIDC_AUDIENCE = "api://AzureADTokenExchange";

/**
 * The method azure-native would use, in its order (newSingleMethodAuthCredential): Default Azure
 * Credential when `useDefaultAzureCredential` is "true"; a client certificate when a certificate
 * path is set; a client secret when a secret is set; OIDC when `useOidc` is "true" (token
 * from `oidcToken`, else the file `oidcTokenFilePath`, else GitHub Actions' token request); a managed
 * identity when `useMsi` is "true" (user-assigned when a client id is set); otherwise the Azure
 * CLI. A chosen method never falls through to the next, and an incomplete one is an error, as in
 * azure-native — so both sign in as the same principal or both fail.
 */
export function chooseAzureAuthMethod(s: AzureAuthSettings): AzureAuthMethod {
  if (s.useDefaultAzureCredential === "true") return { kind: "defaultAzureCredential" };
  if (s.clientCertificatePath) {
    const { tenantId, clientId } = requireIds(s, "ARM_CLIENT_CERTIFICATE_PATH (a client certificate)");
    return { kind: "clientCertificate", tenantId, clientId, certificatePath: s.clientCertificatePath, certificatePassword: s.clientCertificatePassword };
  }
  if (s.clientSecret) {
    const { tenantId, clientId } = requireIds(s, "ARM_CLIENT_SECRET (a client secret)");
    return { kind: "clientSecret", tenantId, clientId, clientSecret: s.clientSecret };
  }
  if (s.useOidc === "true") {
    const { tenantId, clientId } = requireIds(s, "ARM_USE_OIDC=true");
    return { kind: "oidc", tenantId, clientId, token: oidcTokenSource(s) };
  }
  if (s.useMsi === "true") return { kind: "managedIdentity", clientId: s.clientId };
  return { kind: "azureCli", subscriptionId: s.subscriptionId };
}

function requireIds(s: AzureAuthSettings, method: string): { tenantId: string; clientId: string } {
  if (!s.tenantId) throw new AzureAuthError(`${method} is set but ARM_TENANT_ID (or azure-native:tenantId) is not; set both ARM_TENANT_ID and ARM_CLIENT_ID`);
  if (!s.clientId) throw new AzureAuthError(`${method} is set but ARM_CLIENT_ID (or azure-native:clientId) is not; set both ARM_TENANT_ID and ARM_CLIENT_ID`);
  return { tenantId: s.tenantId, clientId: s.clientId };
}

function oidcTokenSource(s: AzureAuthSettings): OidcTokenSource {
  if (s.oidcToken) return { from: "value", token: s.oidcToken };
  if (s.oidcTokenFilePath) return { from: "file", path: s.oidcTokenFilePath };
  if (s.oidcRequestUrl && s.oidcRequestToken) {
    return { from: "github", requestUrl: s.oidcRequestUrl, requestToken: s.oidcRequestToken, audience: s.oidcAudience ?? GITHUB_OIDC_AUDIENCE };
  }
  throw new AzureAuthError(
    "ARM_USE_OIDC=true but no OIDC token: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)",
  );
}

/** What building a credential may take from the caller; tests inject the HTTP client and fetch. */
export interface CredentialDependencies {
  /** Client options of the credential (e.g. an `httpClient` answering the token endpoint). */
  options?: TokenCredentialOptions;
  /** Used for GitHub's OIDC token request. */
  fetch?: typeof fetch;
}

/** The @azure/identity credential for a method. */
export function buildAzureCredential(method: AzureAuthMethod, deps: CredentialDependencies = {}): TokenCredential {
  // require(), not import: only the dynamic providers need @azure/identity, and only when they run.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  const options = deps.options ?? {};
  switch (method.kind) {
    case "defaultAzureCredential":
      return new identity.DefaultAzureCredential(options);
    case "clientCertificate":
      checkPemCertificate(method.certificatePath);
      return new identity.ClientCertificateCredential(
        method.tenantId,
        method.clientId,
        { certificatePath: method.certificatePath, certificatePassword: method.certificatePassword },
        options,
      );
    case "clientSecret":
      return new identity.ClientSecretCredential(method.tenantId, method.clientId, method.clientSecret, options);
    case "oidc":
      return new identity.ClientAssertionCredential(method.tenantId, method.clientId, () => readOidcToken(method.token, deps.fetch ?? fetch), options);
    case "managedIdentity":
      return method.clientId ? new identity.ManagedIdentityCredential({ ...options, clientId: method.clientId }) : new identity.ManagedIdentityCredential(options);
    case "azureCli":
      return new identity.AzureCliCredential({ ...options, subscription: method.subscriptionId });
  }
}

/**
 * azure-native also reads PKCS#12 (.pfx) certificates; the Node.js SDK reads only PEM. A .pfx
 * would fail at the first token request with a parse error, so say so up front.
 */
function checkPemCertificate(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (error) {
    throw new AzureAuthError(`cannot read ARM_CLIENT_CERTIFICATE_PATH ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes("-----BEGIN")) {
    throw new AzureAuthError(
      `ARM_CLIENT_CERTIFICATE_PATH ${path} is not a PEM file (a .pfx works for azure-native but not for the Node.js Azure SDK): convert it with \`openssl pkcs12 -in ${path} -out ${path}.pem -nodes\` and point ARM_CLIENT_CERTIFICATE_PATH at the .pem file, which azure-native reads as well`,
    );
  }
}

/** The OIDC token: as given, read from its file on every call (projected tokens are renewed), or requested from GitHub Actions. */
export async function readOidcToken(source: OidcTokenSource, fetchImpl: typeof fetch): Promise<string> {
  if (source.from === "value") return source.token;
  if (source.from === "file") {
    try {
      return readFileSync(source.path, "utf8").trim();
    } catch (error) {
      throw new AzureAuthError(`cannot read the OIDC token file ARM_OIDC_TOKEN_FILE_PATH ${source.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const url = new URL(source.requestUrl);
  url.searchParams.set("audience", source.audience);
  const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${source.requestToken}`, Accept: "application/json" } });
  if (!response.ok) throw new AzureAuthError(`GitHub Actions' OIDC token request (ACTIONS_ID_TOKEN_REQUEST_URL) answered HTTP ${response.status}`);
  const body = (await response.json()) as { value?: unknown };
  if (typeof body.value !== "string" || body.value === "") throw new AzureAuthError("GitHub Actions' OIDC token request (ACTIONS_ID_TOKEN_REQUEST_URL) returned no token");
  return body.value;
}

let stackConfig: ConfigLookup | undefined;
let processCredential: TokenCredential | undefined;

/**
 * Hands the stack configuration to the credential (called from each provider's `configure`),
 * so `azure-native:*` keys count as they do for azure-native. Only the first call counts: every
 * dynamic provider of a deployment gets the same stack configuration.
 */
export function configureAzureCredential(config: { get(key: string): string | undefined }): void {
  stackConfig ??= (key) => config.get(key);
}

/**
 * The credential every dynamic provider uses: the same principal as azure-native (see
 * {@link chooseAzureAuthMethod}), built once per process. With `env` given (tests), a fresh
 * credential for exactly that environment.
 */
export function azureCredentialFromEnvironment(env?: Record<string, string | undefined>): TokenCredential {
  if (env) return buildAzureCredential(chooseAzureAuthMethod(readAzureAuthSettings(env)));
  processCredential ??= buildAzureCredential(chooseAzureAuthMethod(readAzureAuthSettings(process.env, stackConfig)));
  return processCredential;
}
