import type { TokenCredential } from "@azure/identity";

/** Scope of Key Vault data-plane tokens. */
export const KEY_VAULT_SCOPE = "https://vault.azure.net/.default";

/**
 * The object id (`oid` claim) of the principal an Entra access token was issued to, or undefined
 * when the token is not a JWT that carries one. The token is only read, not verified: this tells
 * who we are, for an error message, and grants nothing.
 */
export function tokenObjectId(accessToken: string): string | undefined {
  const payload = accessToken.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: unknown };
    return typeof claims.oid === "string" && claims.oid !== "" ? claims.oid : undefined;
  } catch {
    return undefined;
  }
}

/** The object id `credential` signs in as for `scope`, from the access token it hands out (which the SDK clients reuse from its cache). */
export async function callerObjectId(credential: TokenCredential, scope = KEY_VAULT_SCOPE): Promise<string | undefined> {
  const token = await credential.getToken(scope);
  return token ? tokenObjectId(token.token) : undefined;
}
