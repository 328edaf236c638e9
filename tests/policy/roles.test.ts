import { describe, expect, it } from "vitest";
import { customRoleManagesKeysOnly } from "../../policy/custom-role";
import { roleAssignmentsLeastPrivilege } from "../../policy/role-assignments";
import { roleAssignmentsKnownRoles } from "../../policy/role-assignments-known-roles";
import { ALLOWED_GRANTS, BUILT_IN_ROLE_IDS, resolveRole, STACK_ROLE, type BuiltInRoleName } from "../../policy/role-grants";
import { classifyScope } from "../../policy/scopes";
import { ACCOUNT_ID, CONTAINER_SCOPE, KEY_SCOPE, policyResource, RG, SECRET_SCOPE, stackViolations, SUB, VAULT_ID, violations } from "./helpers";

const ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const DEFINITION = "azure-native:authorization:RoleDefinition";
const KEY_MANAGER_GUID = "6d2c4a1e-0b3f-4c5d-8e9f-0a1b2c3d4e5f";

function builtIn(role: BuiltInRoleName): string {
  return `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS[role]}`;
}

function assignment(name: string, roleDefinitionId: unknown, scope: unknown) {
  return policyResource(ASSIGNMENT, name, { principalId: "74b69bfa-9e3f-4a4a-8a18-531b5aa7938a", principalType: "ServicePrincipal", roleDefinitionId, scope });
}

/** The key-manager role as issue 9 describes it: manage keys, never use them. */
const keyManagerInputs = {
  roleDefinitionId: KEY_MANAGER_GUID,
  roleName: "Viva partner key manager (dev)",
  scope: SUB,
  assignableScopes: [VAULT_ID],
  permissions: [
    {
      actions: [],
      dataActions: [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/create/action",
        "Microsoft.KeyVault/vaults/keys/update/action",
        "Microsoft.KeyVault/vaults/keys/import/action",
        "Microsoft.KeyVault/vaults/keys/delete",
        "Microsoft.KeyVault/vaults/keys/recover/action",
        "Microsoft.KeyVault/vaults/keys/rotate/action",
        "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
        "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
        "Microsoft.KeyVault/vaults/deletedKeys/read",
        "Microsoft.KeyVault/vaults/deletedKeys/recover/action",
      ],
    },
  ],
};

describe("classifyScope", () => {
  it.each([
    [KEY_SCOPE, "key"],
    [SECRET_SCOPE, "secret"],
    [VAULT_ID, "vault"],
    [CONTAINER_SCOPE, "container"],
    [ACCOUNT_ID, "account"],
    [RG, "resourceGroup"],
    [SUB, "subscription"],
    ["/", "managementGroup"],
    ["/providers/Microsoft.Management/managementGroups/contoso", "managementGroup"],
    [VAULT_ID.toUpperCase(), "vault"],
    [`${CONTAINER_SCOPE}/`, "container"],
    [`${VAULT_ID}/keys/${"k"}/versions`, "other"],
    ["https://contoso-dev-kv.vault.azure.net/keys/3f2b8c1e", "other"],
    ["", "other"],
    [42, "other"],
    [{ __pulumiUnknown: true }, "unknown"],
    ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", "unknown"],
  ])("%j is %s", (scope, kind) => expect(classifyScope(scope)).toBe(kind));
});

describe("resolveRole", () => {
  it("names built-in roles by GUID, in any case and form", () => {
    expect(resolveRole(builtIn("Key Vault Crypto User"), new Set())).toBe("Key Vault Crypto User");
    expect(resolveRole(`/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS["Storage Blob Data Reader"].toUpperCase()}`, new Set())).toBe("Storage Blob Data Reader");
    expect(resolveRole(BUILT_IN_ROLE_IDS["Key Vault Secrets User"], new Set())).toBe("Key Vault Secrets User");
  });

  it("names a role of this stack by its id or GUID, and nothing else", () => {
    const ids = new Set([KEY_MANAGER_GUID, "platform-kv-key-manager-id"]);
    expect(resolveRole(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_MANAGER_GUID}`, ids)).toBe(STACK_ROLE);
    expect(resolveRole("platform-kv-key-manager-id", ids)).toBe(STACK_ROLE);
    // Owner: a real built-in role, but not one this program grants.
    expect(resolveRole(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`, ids)).toBeUndefined();
    expect(resolveRole(undefined, ids)).toBeUndefined();
  });

  it("allows every role only at the narrow kinds of scope the program uses", () => {
    const broad = ["account", "resourceGroup", "subscription", "managementGroup", "other", "unknown"];
    for (const grant of ALLOWED_GRANTS) expect(broad).not.toContain(grant.scope);
  });
});

/** What the program grants: a custom key manager on the vault, Crypto User per key, readers per container. */
const leastPrivilege = () => [
  policyResource(DEFINITION, "platform-kv-key-manager", keyManagerInputs),
  assignment("platform-kv-deployer-key-manager", `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_MANAGER_GUID}`, VAULT_ID),
  assignment("tenant-app-key-user", builtIn("Key Vault Crypto User"), KEY_SCOPE),
  assignment("tenant-reader-key-user", builtIn("Key Vault Crypto User"), KEY_SCOPE),
  assignment("tenant-reader-blob-reader", builtIn("Storage Blob Data Reader"), CONTAINER_SCOPE),
  assignment("tenant-reader-blob-contributor", builtIn("Storage Blob Data Contributor"), CONTAINER_SCOPE),
  assignment("tenant-app-blob-writer", builtIn("Storage Blob Data Contributor"), CONTAINER_SCOPE),
  assignment("tenant-factory-secret-reader", builtIn("Key Vault Secrets User"), SECRET_SCOPE),
];

describe("role-assignments-least-privilege", () => {
  async function check(roleDefinitionId: string, scope: unknown): Promise<string[]> {
    return violations(roleAssignmentsLeastPrivilege, ASSIGNMENT, { principalId: "p", principalType: "ServicePrincipal", roleDefinitionId, scope });
  }

  it("passes the program's built-in grants", async () => {
    for (const r of leastPrivilege()) expect(await violations(roleAssignmentsLeastPrivilege, r.type, r.props, r.name)).toEqual([]);
  });

  it.each([
    ["Key Vault Crypto User", RG, "a resource group", "a key"],
    ["Key Vault Crypto User", VAULT_ID, "a vault", "a key"],
    ["Key Vault Secrets User", VAULT_ID, "a vault", "a secret"],
    ["Storage Blob Data Contributor", ACCOUNT_ID, "a storage account", "a blob container"],
    ["Storage Blob Data Reader", SUB, "a subscription", "a blob container"],
    ["Key Vault Crypto User", "https://contoso-dev-kv.vault.azure.net/keys/k", "something that is not an Azure resource id", "a key"],
  ] as const)("reports %s on %s, naming the scope and what the program grants", async (role, scope, found, allowed) => {
    expect(await check(builtIn(role), scope)).toEqual([`scope "${scope}" is ${found}; this program grants ${role} only on ${allowed}`]);
  });

  it("leaves roles that are not built in to role-assignments-known-roles", async () => {
    expect(await check(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_MANAGER_GUID}`, SUB)).toEqual([]);
  });
});

describe("role-assignments-known-roles", () => {
  const owner = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`;
  const keyManager = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_MANAGER_GUID}`;

  it("passes the program's least-privilege grants", async () => {
    expect(await stackViolations(roleAssignmentsKnownRoles, leastPrivilege())).toEqual([]);
  });

  it("recognises the stack's role by the plan's mock id and by the engine's property dependency", async () => {
    const { roleDefinitionId: _, ...withoutGuid } = keyManagerInputs;
    const definition = policyResource(DEFINITION, "platform-kv-key-manager", withoutGuid);
    expect(await stackViolations(roleAssignmentsKnownRoles, [definition, assignment("deployer", "platform-kv-key-manager-id", VAULT_ID)])).toEqual([]);

    // During preview the new definition's id is unknown; the engine still says where it comes from.
    const fromDefinition = assignment("deployer", { __pulumiUnknown: true }, VAULT_ID);
    fromDefinition.propertyDependencies = { roleDefinitionId: [definition] };
    expect(await stackViolations(roleAssignmentsKnownRoles, [definition, fromDefinition])).toEqual([]);
    const tooBroad = assignment("deployer", { __pulumiUnknown: true }, RG);
    tooBroad.propertyDependencies = { roleDefinitionId: [definition] };
    expect(await stackViolations(roleAssignmentsKnownRoles, [definition, tooBroad])).toEqual([
      { message: `scope "${RG}" is a resource group; this program grants ${STACK_ROLE} only on a vault`, urn: tooBroad.urn },
    ]);
  });

  it.each([
    ["a built-in role the program never grants (Owner)", owner],
    ["Key Vault Crypto Officer, which could also decrypt with every tenant key", `${SUB}/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603`],
    ["a custom role not defined in this stack", keyManager],
    ["no role id at all", undefined],
  ])("reports %s, naming the assignment", async (_case, roleDefinitionId) => {
    const bad = assignment("bad", roleDefinitionId, VAULT_ID);
    // The built-in grants only: no definition of the key-manager role in the stack.
    const builtInGrants = leastPrivilege().slice(2);
    expect(await stackViolations(roleAssignmentsKnownRoles, [...builtInGrants, bad])).toEqual([
      {
        message: `roleDefinitionId ${roleDefinitionId === undefined ? "not set" : JSON.stringify(roleDefinitionId)} is no role this program grants (built-in: ${Object.keys(BUILT_IN_ROLE_IDS).join(", ")}; or a custom role defined in this stack)`,
        urn: bad.urn,
      },
    ]);
  });

  it("reports the stack's role granted beyond the vault", async () => {
    const [definition] = leastPrivilege();
    const broad = assignment("deployer", keyManager, SUB);
    expect(await stackViolations(roleAssignmentsKnownRoles, [definition, broad])).toEqual([
      { message: `scope "${SUB}" is a subscription; this program grants ${STACK_ROLE} only on a vault`, urn: broad.urn },
    ]);
  });

  it("checks every known assignment before stopping on one unknown during preview", async () => {
    const unknownRole = assignment("new-grant", { __pulumiUnknown: true }, VAULT_ID);
    const bad = assignment("bad", owner, VAULT_ID);
    const found: string[] = [];
    const run = async () =>
      roleAssignmentsKnownRoles.validateStack(
        { resources: [unknownRole, bad], stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => undefined as never },
        (message) => found.push(message),
      );
    await expect(run()).rejects.toThrow("string value at .new-grant.roleDefinitionId can't be known during preview");
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
  });
});

describe("custom-role-manages-keys-only", () => {
  it("passes a role that manages keys without using them", async () => {
    expect(await violations(customRoleManagesKeysOnly, DEFINITION, keyManagerInputs)).toEqual([]);
    const withRead = { ...keyManagerInputs, permissions: [{ ...keyManagerInputs.permissions[0], actions: ["Microsoft.KeyVault/vaults/read"] }] };
    expect(await violations(customRoleManagesKeysOnly, DEFINITION, withRead)).toEqual([]);
  });

  it.each([
    ["Microsoft.KeyVault/vaults/keys/decrypt/action", "uses keys (decrypt); a key manager must not"],
    ["Microsoft.KeyVault/vaults/keys/unwrap/action", "uses keys (unwrap); a key manager must not"],
    ["Microsoft.KeyVault/vaults/keys/sign/action", "uses keys (sign); a key manager must not"],
    ["Microsoft.KeyVault/vaults/keys/*", "is a wildcard, which includes using keys (decrypt, unwrap, sign)"],
    ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "is not key management (keys, key rotation policies, deleted keys)"],
  ])("reports the data action %s", async (action, problem) => {
    const role = { ...keyManagerInputs, permissions: [{ actions: [], dataActions: [...keyManagerInputs.permissions[0].dataActions, action] }] };
    expect(await violations(customRoleManagesKeysOnly, DEFINITION, role)).toEqual([`permissions[0].dataActions[11] "${action}" ${problem}`]);
  });

  it.each(["Microsoft.Authorization/roleAssignments/write", "*"])("reports the management-plane action %s", async (action) => {
    const role = { ...keyManagerInputs, permissions: [{ ...keyManagerInputs.permissions[0], actions: [action] }] };
    expect(await violations(customRoleManagesKeysOnly, DEFINITION, role)).toEqual([
      `permissions[0].actions[0] "${action}" is a management-plane write or wildcard; a key manager needs only data actions`,
    ]);
  });
});
