import type { TokenCredential } from "@azure/identity";

/**
 * The credential dynamic providers use at run time. DefaultAzureCredential covers `az login`,
 * managed identity and AZURE_* variables; CI set up for azure-native often has only the ARM_*
 * variables, which DefaultAzureCredential ignores, so those are honoured too.
 */
export function azureCredentialFromEnvironment(env: Record<string, string | undefined> = process.env): TokenCredential {
  // require(), not import: this runs inside a serialized provider that must load its SDKs when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  if (!env.AZURE_CLIENT_ID && env.ARM_CLIENT_ID && env.ARM_CLIENT_SECRET && env.ARM_TENANT_ID) {
    return new identity.ClientSecretCredential(env.ARM_TENANT_ID, env.ARM_CLIENT_ID, env.ARM_CLIENT_SECRET);
  }
  return new identity.DefaultAzureCredential();
}
