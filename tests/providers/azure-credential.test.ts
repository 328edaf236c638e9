import { execFileSync } from "node:child_process";
import { X509Certificate, constants, createHash, verify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AzureAuthError,
  azureCredentialFromEnvironment,
  buildAzureCredential,
  chooseAzureAuthMethod,
  readAzureAuthSettings,
  readOidcToken,
  type AzureAuthMethod,
} from "../../components/providers/azure-credential";
import { callerObjectId, tokenObjectId } from "../../components/providers/principal";
import { FakeEntra } from "./fake-entra";
import { FakeKeyVault } from "./fake-key-vault";
import { fakeJwt } from "./http-recorder";

const TENANT = "00000000-0000-4000-8000-0000000000a1";
const CLIENT = "00000000-0000-4000-8000-0000000000c1";
const SP_OBJECT = "00000000-0000-4000-8000-0000000000d1";
const SCOPE = "https://vault.azure.net/.default";
const choose = (env: Record<string, string>, config?: Record<string, string>) => chooseAzureAuthMethod(readAzureAuthSettings(env, config ? (k) => config[k] : undefined));

let dir: string;
let certificatePath: string;
let certificatePem: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "viva-credential-"));
  // A self-signed client certificate with its key, in one PEM file, as Entra app credentials use.
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=viva-partner-deployer"], { stdio: "ignore" });
  certificatePem = execFileSync("cat", [cert, key]).toString();
  certificatePath = path.join(dir, "deployer.pem");
  writeFileSync(certificatePath, certificatePem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chooseAzureAuthMethod: the method azure-native picks", () => {
  const ids = { ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT };

  it.each<[string, Record<string, string>, AzureAuthMethod["kind"]]>([
    ["ARM_USE_DEFAULT_AZURE_CREDENTIAL=true before everything", { ...ids, ARM_CLIENT_SECRET: "s", ARM_USE_DEFAULT_AZURE_CREDENTIAL: "true" }, "defaultAzureCredential"],
    ["a client certificate before a client secret", { ...ids, ARM_CLIENT_SECRET: "s", ARM_CLIENT_CERTIFICATE_PATH: "/c.pem" }, "clientCertificate"],
    ["a client secret before OIDC", { ...ids, ARM_CLIENT_SECRET: "s", ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "t" }, "clientSecret"],
    ["OIDC before a managed identity", { ...ids, ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "t", ARM_USE_MSI: "true" }, "oidc"],
    ["a managed identity when ARM_USE_MSI=true", { ARM_USE_MSI: "true" }, "managedIdentity"],
    ["the Azure CLI when nothing else is configured", {}, "azureCli"],
    ["the Azure CLI when ARM_USE_OIDC is not exactly true", { ...ids, ARM_USE_OIDC: "1", ARM_OIDC_TOKEN: "t" }, "azureCli"],
    ["the Azure CLI although AZURE_* variables are set: azure-native ignores them", { AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: "s", AZURE_TENANT_ID: TENANT }, "azureCli"],
  ])("%s", (_label, env, kind) => {
    expect(choose(env).kind).toBe(kind);
  });

  it("takes azure-native:* stack config over the environment, as azure-native does", () => {
    const config = { "azure-native:clientSecret": "from-config", "azure-native:clientId": "config-client" };
    expect(choose({ ...ids, ARM_CLIENT_SECRET: "from-env" }, config)).toEqual({ kind: "clientSecret", tenantId: TENANT, clientId: "config-client", clientSecret: "from-config" });
    expect(choose({}, { "azure-native:useMsi": "true", "azure-native:clientId": CLIENT })).toEqual({ kind: "managedIdentity", clientId: CLIENT });
  });

  it("treats an empty variable as unset", () => {
    expect(choose({ ...ids, ARM_CLIENT_SECRET: "" }).kind).toBe("azureCli");
  });

  it("picks the OIDC token source in azure-native's order: token, file, GitHub request", () => {
    const oidc = { ...ids, ARM_USE_OIDC: "true" };
    const github = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/x?api-version=2.0", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh" };
    expect(choose({ ...oidc, ARM_OIDC_TOKEN: "t", ARM_OIDC_TOKEN_FILE_PATH: "/f", ...github })).toMatchObject({ token: { from: "value", token: "t" } });
    expect(choose({ ...oidc, ARM_OIDC_TOKEN_FILE_PATH: "/f", ...github })).toMatchObject({ token: { from: "file", path: "/f" } });
    expect(choose({ ...oidc, ...github })).toMatchObject({ token: { from: "github", requestToken: "gh", audience: "api://AzureADTokenExchange" } });
    expect(choose({ ...oidc, ...github, ARM_OIDC_AUDIENCE: "api://custom" })).toMatchObject({ token: { audience: "api://custom" } });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["a secret without a tenant", { ARM_CLIENT_ID: CLIENT, ARM_CLIENT_SECRET: "s" }, /ARM_CLIENT_SECRET \(a client secret\) is set but ARM_TENANT_ID \(or azure-native:tenantId\) is not/],
    ["a certificate without a client id", { ARM_TENANT_ID: TENANT, ARM_CLIENT_CERTIFICATE_PATH: "/c.pem" }, /ARM_CLIENT_CERTIFICATE_PATH \(a client certificate\) is set but ARM_CLIENT_ID/],
    ["OIDC without a token", { ...ids, ARM_USE_OIDC: "true" }, /ARM_USE_OIDC=true but no OIDC token: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in GitHub Actions/],
  ])("fails, as azure-native does, on %s — never falling through to another identity", (_label, env, message) => {
    expect(() => choose(env)).toThrow(AzureAuthError);
    expect(() => choose(env)).toThrow(message);
  });
});

describe("the credentials sign in as the configured principal (real @azure/identity, injected httpClient)", () => {
  async function signIn(env: Record<string, string>, deps: { fetch?: typeof fetch } = {}) {
    const entra = new FakeEntra(SP_OBJECT);
    const credential = buildAzureCredential(choose(env), { options: { httpClient: entra.httpClient }, ...deps });
    const token = await credential.getToken(SCOPE);
    return { entra, credential, token };
  }

  it("client secret: the client credentials grant with ARM_CLIENT_SECRET, for Key Vault's scope", async () => {
    const { entra, token } = await signIn({ ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_SECRET: "s3cret" });
    expect(entra.tokenRequests).toEqual([{ tenant: TENANT, form: expect.objectContaining({ client_id: CLIENT, client_secret: "s3cret", grant_type: "client_credentials", scope: SCOPE }) }]);
    expect(tokenObjectId(token!.token)).toBe(SP_OBJECT);
  });

  it("client certificate: a client assertion signed with the certificate's key and naming its thumbprint", async () => {
    const { entra } = await signIn({ ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_CERTIFICATE_PATH: certificatePath });
    const form = entra.tokenRequests[0].form;
    expect(form).toMatchObject({ client_id: CLIENT, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", scope: SCOPE });
    const [header, payload, signature] = form.client_assertion.split(".");
    const certificate = new X509Certificate(certificatePem);
    const thumbprint = createHash("sha1").update(certificate.raw).digest("base64url");
    const claims = JSON.parse(Buffer.from(header, "base64url").toString()) as { x5t?: string; "x5t#S256"?: string };
    expect([claims.x5t, claims["x5t#S256"]]).toContain(claims.x5t ? thumbprint : createHash("sha256").update(certificate.raw).digest("base64url"));
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toMatchObject({ iss: CLIENT, sub: CLIENT });
    const signed = Buffer.from(`${header}.${payload}`);
    const bytes = Buffer.from(signature, "base64url");
    const verified = verify("sha256", signed, certificate.publicKey, bytes) || verify("sha256", signed, { key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, bytes);
    expect(verified).toBe(true);
  });

  it("client certificate: says how to convert a .pfx, which the Node.js SDK cannot read", () => {
    const pfx = path.join(dir, "deployer.pfx");
    writeFileSync(pfx, Buffer.from([0x30, 0x82, 0x0a, 0x01, 0x02]));
    expect(() => buildAzureCredential(choose({ ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_CERTIFICATE_PATH: pfx }))).toThrow(
      `viva-partner: Azure sign-in of the dynamic providers: ARM_CLIENT_CERTIFICATE_PATH ${pfx} is not a PEM file (a .pfx works for azure-native but not for the Node.js Azure SDK): convert it with \`openssl pkcs12 -in ${pfx} -out ${pfx}.pem -nodes\``,
    );
    expect(() => buildAzureCredential(choose({ ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_CERTIFICATE_PATH: path.join(dir, "missing.pem") }))).toThrow(/cannot read ARM_CLIENT_CERTIFICATE_PATH .*missing\.pem: ENOENT/);
  });

  it("OIDC: exchanges ARM_OIDC_TOKEN as the client assertion", async () => {
    const federated = fakeJwt({ sub: "repo:contoso/viva:ref:refs/heads/main", aud: "api://AzureADTokenExchange" });
    const { entra } = await signIn({ ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: federated });
    expect(entra.tokenRequests[0].form).toMatchObject({ client_id: CLIENT, client_assertion: federated, scope: SCOPE });
  });

  it("OIDC: reads ARM_OIDC_TOKEN_FILE_PATH at each sign-in (projected tokens are renewed)", async () => {
    const file = path.join(dir, "oidc-token");
    writeFileSync(file, "first-token\n");
    const source = { from: "file" as const, path: file };
    expect(await readOidcToken(source, fetch)).toBe("first-token");
    writeFileSync(file, "renewed-token");
    expect(await readOidcToken(source, fetch)).toBe("renewed-token");
    await expect(readOidcToken({ from: "file", path: path.join(dir, "none") }, fetch)).rejects.toThrow(/cannot read the OIDC token file ARM_OIDC_TOKEN_FILE_PATH .*none: ENOENT/);
  });

  it("OIDC in GitHub Actions: requests the token with the request token and the Entra audience, then exchanges it", async () => {
    const seen: { url: string; authorization: string | null }[] = [];
    const fakeFetch = (async (url: URL | string, init?: RequestInit) => {
      seen.push({ url: String(url), authorization: new Headers(init?.headers).get("authorization") });
      return new Response(JSON.stringify({ value: "github-oidc-token" }), { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    const { entra } = await signIn(
      { ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_USE_OIDC: "true", ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/x?api-version=2.0", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request" },
      { fetch: fakeFetch },
    );
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request).toEqual({ url: "https://token.actions.example/x?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange", authorization: "Bearer gh-request" });
    expect(entra.tokenRequests[0].form.client_assertion).toBe("github-oidc-token");
    const failing = (async () => new Response("denied", { status: 403 })) as unknown as typeof fetch;
    await expect(readOidcToken({ from: "github", requestUrl: "https://token.actions.example/x", requestToken: "t", audience: "a" }, failing)).rejects.toThrow(
      "GitHub Actions' OIDC token request (ACTIONS_ID_TOKEN_REQUEST_URL) answered HTTP 403",
    );
  });

  it("managed identity and Azure CLI: the matching @azure/identity credentials", () => {
    const kind = (method: AzureAuthMethod) => buildAzureCredential(method).constructor.name;
    expect(kind({ kind: "managedIdentity", clientId: CLIENT })).toBe("ManagedIdentityCredential");
    expect(kind({ kind: "managedIdentity" })).toBe("ManagedIdentityCredential");
    expect(kind({ kind: "azureCli", subscriptionId: "s" })).toBe("AzureCliCredential");
    expect(kind({ kind: "defaultAzureCredential" })).toBe("DefaultAzureCredential");
  });

  it("end to end: a KeyClient on the client-secret credential reaches Key Vault as the service principal", async () => {
    const entra = new FakeEntra(SP_OBJECT);
    // The vault's challenge names its tenant; the deployer's service principal lives in the same one.
    const vaultTenant = "72f988bf-0000-0000-0000-000000000000";
    const credential = buildAzureCredential(choose({ ARM_TENANT_ID: vaultTenant, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_SECRET: "s3cret" }), { options: { httpClient: entra.httpClient } });
    const token = (await credential.getToken(SCOPE))!.token;
    const vault = new FakeKeyVault("kv-viva", token);
    const client = new KeyClient(vault.vaultUrl, credential, { httpClient: vault.httpClient, retryOptions: { maxRetries: 0 } });
    vault.seed("k", [{}]);
    await client.getKey("k");
    expect(vault.authorized).toHaveLength(1);
    expect(await callerObjectId(credential)).toBe(SP_OBJECT);
    expect(entra.tokenRequests.every((r) => r.form.client_id === CLIENT && r.form.scope === SCOPE)).toBe(true);
    expect(entra.other).toEqual([]);
  });
});

describe("azureCredentialFromEnvironment", () => {
  it("builds the process credential once and returns that same object afterwards", () => {
    expect(azureCredentialFromEnvironment()).toBe(azureCredentialFromEnvironment());
  });

  it("builds a fresh credential for an explicit environment", () => {
    const env = { ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_SECRET: "s" };
    expect(azureCredentialFromEnvironment(env).constructor.name).toBe("ClientSecretCredential");
    expect(azureCredentialFromEnvironment(env)).not.toBe(azureCredentialFromEnvironment(env));
  });
});

describe("tokenObjectId", () => {
  it("reads the oid claim, and nothing from tokens that are not JWTs or carry none", () => {
    expect(tokenObjectId(fakeJwt({ oid: SP_OBJECT }))).toBe(SP_OBJECT);
    expect(tokenObjectId(fakeJwt({ sub: "x" }))).toBeUndefined();
    expect(tokenObjectId("opaque")).toBeUndefined();
    expect(tokenObjectId("a.!!!.c")).toBeUndefined();
  });
});
