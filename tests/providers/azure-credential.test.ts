import { describe, expect, it } from "vitest";
import { azureCredentialFromEnvironment } from "../../components/providers/azure-credential";

// By class name: the provider require()s the CommonJS build of @azure/identity, a test import gets the ESM one.
const kindOf = (env: Record<string, string>) => azureCredentialFromEnvironment(env).constructor.name;

describe("azureCredentialFromEnvironment", () => {
  const arm = { ARM_CLIENT_ID: "app", ARM_CLIENT_SECRET: "secret", ARM_TENANT_ID: "72f988bf-0000-0000-0000-000000000000" };

  it("uses the azure-native ARM_* service principal when no AZURE_* one is set", () => {
    expect(kindOf(arm)).toBe("ClientSecretCredential");
  });

  it("prefers DefaultAzureCredential when AZURE_* variables are set or ARM_* ones are incomplete", () => {
    expect(kindOf({ ...arm, AZURE_CLIENT_ID: "other" })).toBe("DefaultAzureCredential");
    expect(kindOf({ ARM_CLIENT_ID: "app", ARM_TENANT_ID: "t" })).toBe("DefaultAzureCredential");
  });
});
