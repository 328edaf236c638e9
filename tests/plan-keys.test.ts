import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_ROLES, ROLE_GRANTS, keyManagerRoleGuid, scopeKindOf, type GrantedRole } from "../components/roles";
import { readStackConfigFile } from "../scripts/plan/config-file";
import { MOCK_CLIENT } from "../scripts/plan/mocks";
import { SERIALIZED_PROVIDER_KEY, serializedProviderBytes } from "../scripts/plan/redact";
import type { PlannedResource } from "../scripts/plan/run-plan";
import { DEV_RG_ID, FABRIKAM, NORTHWIND, WOODGROVE, builtInRoleId, devConfig, plan, resource, tenantsOf, withTenants } from "./helpers/plan";

const VAULT_ID = `${DEV_RG_ID}/providers/Microsoft.KeyVault/vaults/contoso-dev-kv`;
/** Northwind lives in northeurope, whose account is contosodevne; the others in westeurope's contosodev. */
const containerId = (t: string) =>
  `${DEV_RG_ID}/providers/Microsoft.Storage/storageAccounts/${t === NORTHWIND ? "contosodevne" : "contosodev"}/blobServices/default/containers/${t}`;
const BACKEND = "1b2c3d4e-0000-4000-8000-0000000000b1";
const ANALYSTS = "1b2c3d4e-0000-4000-8000-0000000000b2";

let pem: string;
let withReaders: PlannedResource[];
const scratch = mkdtempSync(path.join(tmpdir(), "viva-plan-keys-"));

beforeAll(async () => {
  pem = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  const config = {
    ...devConfig(),
    "viva-partner:readers": JSON.stringify([{ principalId: BACKEND, deletesDrops: true }, { principalId: ANALYSTS, principalType: "Group" }]),
  };
  withReaders = (await plan(config)).resources;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The role a planned role assignment grants, from its role definition id. */
function roleOf(roleDefinitionId: string): GrantedRole | undefined {
  if (roleDefinitionId.endsWith(`/roleDefinitions/${keyManagerRoleGuid(VAULT_ID)}`)) return "keyManager";
  return (Object.keys(BUILT_IN_ROLES) as (keyof typeof BUILT_IN_ROLES)[]).find((role) => roleDefinitionId === builtInRoleId(role));
}

describe("readers: identities that read drops", () => {
  it("get Key Vault Crypto User on each tenant key, and blob Reader — or Contributor when they delete drops — on each container", () => {
    for (const { id: t } of tenantsOf(devConfig()) as { id: string }[]) {
      expect(resource(withReaders, `tenant-${t}-reader-${BACKEND}-key-user`).inputs).toEqual({
        scope: `${VAULT_ID}/keys/${t}`,
        principalId: BACKEND,
        principalType: "ServicePrincipal",
        roleDefinitionId: builtInRoleId("keyVaultCryptoUser"),
      });
      expect(resource(withReaders, `tenant-${t}-reader-${BACKEND}-blobs`).inputs).toEqual({
        scope: containerId(t),
        principalId: BACKEND,
        principalType: "ServicePrincipal",
        roleDefinitionId: builtInRoleId("storageBlobDataContributor"),
      });
      expect(resource(withReaders, `tenant-${t}-reader-${ANALYSTS}-blobs`).inputs).toMatchObject({ principalType: "Group", roleDefinitionId: builtInRoleId("storageBlobDataReader") });
    }
  });

  it("get nothing vault-wide and nothing beyond the two roles", () => {
    const readerGrants = withReaders.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && [BACKEND, ANALYSTS].includes(String(r.inputs.principalId)));
    expect(readerGrants).toHaveLength(2 * 2 * tenantsOf(devConfig()).length);
    expect(readerGrants.map((r) => r.inputs.scope)).not.toContain(VAULT_ID);
  });
});

describe("ROLE_GRANTS: the program's whole access model in one table", () => {
  it("covers every role assignment the program plans, with the role and scope kind it names", () => {
    const assignments = withReaders.filter((r) => r.type === "azure-native:authorization:RoleAssignment");
    const used = new Set<string>();
    for (const a of assignments) {
      const role = roleOf(String(a.inputs.roleDefinitionId));
      const scope = scopeKindOf(String(a.inputs.scope));
      const row = ROLE_GRANTS.find((g) => g.role === role && g.scope === scope);
      expect(row, `${a.name}: ${role} on ${a.inputs.scope}`).toBeDefined();
      used.add(`${row!.role}/${row!.scope}`);
    }
    // …and every row is used by some plan: no grant is listed that the program never makes.
    expect([...used].sort()).toEqual([...new Set(ROLE_GRANTS.map((g) => `${g.role}/${g.scope}`))].sort());
  });

  it("recognizes exactly the scope kinds it grants on", () => {
    expect(scopeKindOf(VAULT_ID)).toBe("vault");
    expect(scopeKindOf(`${VAULT_ID}/keys/${FABRIKAM}`)).toBe("key");
    expect(scopeKindOf(`${VAULT_ID}/secrets/partner-app-client-secret`)).toBe("secret");
    expect(scopeKindOf(containerId(FABRIKAM))).toBe("container");
    expect(scopeKindOf(DEV_RG_ID)).toBeUndefined();
    expect(scopeKindOf(`/subscriptions/${MOCK_CLIENT.subscriptionId}`)).toBeUndefined();
    expect(scopeKindOf(`${DEV_RG_ID}/providers/Microsoft.Storage/storageAccounts/contosodev`)).toBeUndefined();
  });
});

describe("imported and adopted keys in the plan", () => {
  it("passes an imported PEM only as a Pulumi secret: the plan shows [secret] and holds no key material", async () => {
    const tenants = tenantsOf(devConfig()).map((t) => (t.id === WOODGROVE ? { ...t, importKeyPem: pem, adoptExistingKey: true } : t));
    const { resources } = await plan(withTenants(devConfig(), tenants));
    expect(resource(resources, `tenant-${WOODGROVE}-key`).inputs).toMatchObject({ importKeyPem: "[secret]", adoptExisting: true });
    const text = JSON.stringify(resources);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(pem.split("\n")[2]);
  });

  it("plans a stack file whose PEM is a `secure:` value set with --path, which the offline plan cannot decrypt", async () => {
    const file = path.join(scratch, "Pulumi.dev.yaml");
    writeFileSync(
      file,
      [
        "config:",
        "  viva-partner:location: westeurope",
        "  viva-partner:namePrefix: contoso",
        "  viva-partner:appSecretEndDate: '2027-11-25'",
        "  viva-partner:tenants:",
        `    - id: ${FABRIKAM}`,
        "      importKeyPem:",
        "        secure: v1:bm90IGEgcmVhbCBjaXBoZXJ0ZXh0",
        "",
      ].join("\n"),
    );
    const { resources } = await plan(readStackConfigFile(file));
    expect(resource(resources, `tenant-${FABRIKAM}-key`).inputs.importKeyPem).toBe("[secret]");
  });

  it("shows each dynamic resource's serialized provider as its size, under 10 KB", () => {
    const dynamic = withReaders.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    // Per tenant: its key, its trigger and its Viva Insights dataset.
    expect(dynamic.length).toBe(3 * tenantsOf(devConfig()).length);
    for (const r of dynamic) {
      const bytes = serializedProviderBytes(r.inputs[SERIALIZED_PROVIDER_KEY]);
      expect(bytes, r.name).toBeGreaterThan(500);
      expect(bytes, r.name).toBeLessThan(10 * 1024);
    }
  });
});
