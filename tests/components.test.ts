import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planMocks } from "../scripts/plan/mocks";
import { SIG_KEY } from "../scripts/plan/redact";
import { FABRIKAM, valueOf } from "./helpers/plan";

const registered = new Map<string, Record<string, unknown>>();

let KeyVaultCtor: typeof import("../components/key-vault").KeyVault;
let PartnerAppCtor: typeof import("../components/partner-app").PartnerApp;

beforeAll(async () => {
  await pulumi.runtime.setMocks(planMocks((_type, name, inputs) => registered.set(name, inputs)), "viva-partner", "test", false);
  KeyVaultCtor = (await import("../components/key-vault")).KeyVault;
  PartnerAppCtor = (await import("../components/partner-app")).PartnerApp;
});

describe("PartnerApp", () => {
  it("hands out the client secret only as a Pulumi secret", async () => {
    const app = new PartnerAppCtor("app", { displayName: "Contoso", secretEndDate: "2027-11-02T00:00:00Z" });
    expect(await pulumi.isSecret(app.clientSecret)).toBe(true);
    expect(await valueOf(app.clientSecret)).toBe("mock-client-secret");
    expect(await valueOf(app.clientSecretEndDate)).toBe("2027-11-02T00:00:00Z");
    expect(await valueOf(app.servicePrincipalObjectId)).not.toBe(await valueOf(app.applicationObjectId));
  });
});

describe("KeyVault", () => {
  it("stores the app secret as a secret value with the secret's expiry in epoch seconds", async () => {
    const kv = new KeyVaultCtor("kv", {
      vaultName: "contoso-dev-kv",
      resourceGroupName: "rg",
      location: "westeurope",
      tenantId: "t",
      subscriptionId: "s",
      deployerPrincipalId: "me",
      deployerPrincipalType: "ServicePrincipal",
      appSecret: pulumi.secret("s3cret"),
      appSecretEndDate: "2027-11-02T00:00:00Z",
    });
    expect(await valueOf(kv.appSecretId)).toMatch(/\/vaults\/contoso-dev-kv\/secrets\/partner-app-client-secret$/);
    const props = registered.get("kv-app-secret")!.properties as Record<string, unknown>;
    // Serialized as a secret: the whole property carries Pulumi's secret signature.
    expect(props[SIG_KEY]).toBeDefined();
    expect(props.value).toEqual({ value: "s3cret", contentType: "Entra ID client secret of the partner app", attributes: { enabled: true, expires: Date.UTC(2027, 10, 2) / 1000 } });
    await valueOf(kv.deployerKeyAccess.urn);
    expect(registered.get("kv-deployer-key-manager")).toMatchObject({ principalId: "me", principalType: "ServicePrincipal", scope: expect.stringMatching(/\/vaults\/contoso-dev-kv$/) });
  });
});

describe("containerMetadata", () => {
  it("keeps an ASCII label, and drops one blob metadata (HTTP headers) cannot carry", async () => {
    const { containerMetadata } = await import("../components/tenant");
    const id = FABRIKAM;
    expect(containerMetadata({ id, label: "Fabrikam" })).toEqual({ tenant: id, label: "Fabrikam" });
    expect(containerMetadata({ id, label: "Société Générale" })).toEqual({ tenant: id });
    expect(containerMetadata({ id, label: "line\nbreak" })).toEqual({ tenant: id });
    expect(containerMetadata({ id })).toEqual({ tenant: id });
  });
});
