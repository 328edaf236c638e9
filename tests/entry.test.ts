import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { planMocks, MOCK_CLIENT } from "../scripts/plan/mocks";
import { NOW, devConfig, valueOf } from "./helpers/plan";

const registered: string[] = [];

beforeEach(async () => {
  vi.resetModules();
  // index.ts validates against the real clock; pin it so the dev stack's key expiries stay ahead.
  vi.useFakeTimers({ toFake: ["Date"], now: NOW });
  registered.length = 0;
  await pulumi.runtime.setMocks(planMocks((type) => registered.push(type)), "viva-partner", "dev", false);
});

// Let the previous program's registrations finish before the next test installs new mocks.
afterEach(async () => {
  await pulumi.runtime.disconnect();
  vi.useRealTimers();
});

describe("index.ts (the Pulumi entry point)", () => {
  it("reads the stack config, declares the program and returns the stack outputs", async () => {
    pulumi.runtime.setAllConfig(devConfig());
    // `export =` of a CommonJS module arrives as the default export.
    const main = ((await import("../index")) as unknown as { default: () => Promise<Record<string, pulumi.Output<unknown>>> }).default;
    const outputs = await main();
    expect(await valueOf(outputs.partnerTenantId)).toBe(MOCK_CLIENT.tenantId);
    expect(await valueOf(outputs.vaultUri)).toBe("https://contoso-dev-kv.vault.azure.net/");
    expect(registered).toContain("azure-native:keyvault:Vault");
    expect(registered.filter((t) => t === "viva-partner:tenant:Tenant")).toHaveLength(4);
  });

  it("reports a customer stack's tenant in a region the platform does not serve as one line", async () => {
    await pulumi.runtime.setMocks(planMocks((type) => registered.push(type), "contoso/viva-partner/platform"), "viva-partner", "acme", false);
    pulumi.runtime.setAllConfig({
      "viva-partner:platformStack": "contoso/viva-partner/platform",
      "viva-partner:namePrefix": "contoso",
      "viva-partner:tenants": JSON.stringify([{ id: "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", keyExpiresOn: "2027-10-31", location: "uksouth" }]),
    });
    const main = ((await import("../index")) as unknown as { default: () => Promise<unknown> }).default;
    await expect(main()).rejects.toThrow(
      new pulumi.RunError(
        "viva-partner:tenants[0].location: uksouth is not one of the regions the platform stack contoso/viva-partner/platform serves " +
          "(viva-partner:regions: westeurope, northeurope); add it to viva-partner:regions of that stack and run pulumi up there first",
      ),
    );
    expect(registered).not.toContain("viva-partner:tenant:Tenant");
  });

  it("stops with the config error before declaring anything", async () => {
    pulumi.runtime.setAllConfig({ ...devConfig(), "viva-partner:namePrefix": "Contoso" });
    await expect(import("../index")).rejects.toThrow(
      new pulumi.RunError("viva-partner:namePrefix: must be 2-12 lowercase letters and digits, starting with a letter"),
    );
    expect(registered).toEqual([]);
  });
});
