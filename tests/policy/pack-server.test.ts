import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICIES } from "../../policy/policies";
import { ROOT } from "../helpers/plan";
import { CONTAINER_SCOPE, SUB, VAULT_ID } from "./helpers";

// The engine's side of the analyzer protocol, from the copies the policy pack itself loads.
const fromPolicySdk = createRequire(require.resolve("@pulumi/policy"));
const grpc = fromPolicySdk("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const analyzerRpc = fromPolicySdk("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzer = fromPolicySdk("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = fromPolicySdk("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPolicySdk("google-protobuf/google/protobuf/empty_pb");

/** What Pulumi sends for a value it cannot know during preview, and the wrapper of a secret. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const urn = (type: string, name: string) => `urn:pulumi:dev::viva-partner::${type}::${name}`;

interface Diagnostic {
  policy: string;
  message: string;
  level: number;
  urn: string;
}

let pack: ChildProcess;
let client: { [method: string]: (request: unknown, callback: (error: Error | null, response: never) => void) => void } & { close(): void };

function call<T>(method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => client[method](request, (error, response) => (error ? reject(error) : resolve(response as T))));
}

function resourceOptions() {
  return new analyzer.AnalyzerResourceOptions();
}

async function analyze(type: string, name: string, properties: Record<string, unknown>): Promise<Diagnostic[]> {
  const request = new analyzer.AnalyzeRequest();
  request.setType(type);
  request.setName(name);
  request.setUrn(urn(type, name));
  request.setProperties(Struct.fromJavaScript(properties));
  request.setOptions(resourceOptions());
  return diagnostics(await call("analyze", request));
}

interface StackResource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
  dependsOn?: Record<string, string[]>;
}

async function analyzeStack(resources: StackResource[]): Promise<Diagnostic[]> {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const resource = new analyzer.AnalyzerResource();
      resource.setType(r.type);
      resource.setName(r.name);
      resource.setUrn(urn(r.type, r.name));
      resource.setProperties(Struct.fromJavaScript(r.properties));
      resource.setOptions(resourceOptions());
      for (const [property, urns] of Object.entries(r.dependsOn ?? {})) {
        const deps = new analyzer.AnalyzerPropertyDependencies();
        deps.setUrnsList(urns);
        resource.getPropertydependenciesMap().set(property, deps);
      }
      return resource;
    }),
  );
  return diagnostics(await call("analyzeStack", request));
}

function diagnostics(response: { getDiagnosticsList(): { getPolicyname(): string; getMessage(): string; getEnforcementlevel(): number; getUrn(): string }[] }): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), message: d.getMessage(), level: d.getEnforcementlevel(), urn: d.getUrn() }));
}

/**
 * Starts the pack the way `pulumi preview --policy-pack policy` does: the nodejs language host runs
 * @pulumi/pulumi's run-policy-pack (found from the pack's folder) with the engine's address and the
 * pack folder, in that folder; TypeScript is compiled by the runner. The pack prints its port.
 */
beforeAll(async () => {
  const policyDir = path.join(ROOT, "policy");
  const runner = createRequire(path.join(policyDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
  // TS_NODE_CACHE=false: the runner's ts-node would otherwise leave its compile cache in the temp folder.
  pack = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: policyDir, env: { ...process.env, TS_NODE_CACHE: "false" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  pack.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    pack.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(\d+)\n/.exec(stdout);
      if (match) resolve(match[1]);
    });
    pack.on("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving: ${stderr}`)));
  });
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 90_000);

afterAll(async () => {
  client?.close();
  if (pack && pack.exitCode === null) {
    const exited = new Promise((resolve) => pack.once("exit", resolve));
    pack.kill("SIGTERM");
    await exited;
  }
});

describe("the policy pack as the Pulumi CLI runs it", () => {
  it("serves every policy of POLICIES with its enforcement level, named and versioned from package.json", async () => {
    const info = await call<{ getName(): string; getVersion(): string; getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[] }>("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("viva-partner");
    expect(info.getVersion()).toBe("0.1.0");
    const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    expect(Object.keys(levels)).toEqual(POLICIES.map((p) => p.name));
    for (const policy of POLICIES) expect(levels[policy.name]).toBe(policy.enforcementLevel === "advisory" ? analyzer.EnforcementLevel.ADVISORY : analyzer.EnforcementLevel.MANDATORY);
  });

  const account = { isHnsEnabled: true, enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false, allowSharedKeyAccess: false };

  it("passes a hardened storage account and blocks a weak one", async () => {
    expect(await analyze("azure-native:storage:StorageAccount", "ok", account)).toEqual([]);
    expect(await analyze("azure-native:storage:StorageAccount", "weak", { ...account, minimumTlsVersion: "TLS1_0" })).toEqual([
      {
        policy: "storage-account-locked-down",
        message: expect.stringContaining('minimumTlsVersion must be TLS1_2 or TLS1_3, is "TLS1_0"'),
        level: analyzer.EnforcementLevel.MANDATORY,
        // The engine attributes a resource policy's finding to the resource it asked about.
        urn: "",
      },
    ]);
  });

  it("turns a value unknown during preview into an advisory note, not a pass or a block", async () => {
    const found = await analyze("azure-native:storage:StorageAccount", "later", { ...account, allowSharedKeyAccess: UNKNOWN });
    expect(found).toHaveLength(1);
    expect(found[0].level).toBe(analyzer.EnforcementLevel.ADVISORY);
    expect(found[0].message).toContain("can't run policy 'storage-account-locked-down'");
    expect(found[0].message).toContain(".allowSharedKeyAccess can't be known during preview");
  });

  it("checks a tenant key's imported PEM, which the engine hands over as a secret", async () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    const key = { keyName: "t", vaultUri: "https://kv.vault.azure.net/", lifetime: "P1Y", importKeyPem: secret(weak), __provider: "[serialized provider: 812 bytes]" };
    const found = await analyze("pulumi-nodejs:dynamic/viva-partner:TenantKey", "tenant-t-key", key);
    expect(found.map((d) => d.policy)).toEqual(["tenant-key-rsa-expiring"]);
    expect(found[0].message).toContain("importKeyPem must be an RSA key of at least 2048 bits, has 1024");
  });

  it("resolves a custom role through the engine's property dependencies, and blocks it at a broad scope", async () => {
    const definition: StackResource = {
      type: "azure-native:authorization:RoleDefinition",
      name: "platform-kv-key-manager",
      properties: { roleName: "key manager", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/read"] }], name: UNKNOWN },
    };
    const deployer: StackResource = {
      type: "azure-native:authorization:RoleAssignment",
      name: "platform-kv-deployer-key-manager",
      properties: { roleDefinitionId: UNKNOWN, scope: VAULT_ID, principalId: "d" },
      dependsOn: { roleDefinitionId: [urn(definition.type, definition.name)] },
    };
    const reader: StackResource = {
      type: "azure-native:authorization:RoleAssignment",
      name: "tenant-reader-blob-reader",
      properties: { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`, scope: CONTAINER_SCOPE, principalId: "r" },
    };
    expect(await analyzeStack([definition, deployer, reader])).toEqual([]);
    const everywhere = { ...deployer, name: "platform-deployer-everywhere", properties: { ...deployer.properties, scope: SUB } };
    expect(await analyzeStack([definition, everywhere, reader])).toEqual([
      {
        policy: "role-assignments-known-roles",
        message: expect.stringContaining(`scope "${SUB}" is a subscription; this program grants a custom role defined in this stack only on a vault`),
        level: analyzer.EnforcementLevel.MANDATORY,
        urn: urn(everywhere.type, everywhere.name),
      },
    ]);
  });

  it("stops a built-in role granted too broadly before the assignment is created (a resource policy)", async () => {
    const properties = { roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`, scope: SUB, principalId: "r" };
    const found = await analyze("azure-native:authorization:RoleAssignment", "tenant-reader-everything", properties);
    expect(found.map((d) => [d.policy, d.level])).toEqual([["role-assignments-least-privilege", analyzer.EnforcementLevel.MANDATORY]]);
    expect(found[0].message).toContain(`scope "${SUB}" is a subscription; this program grants Storage Blob Data Reader only on a blob container`);
  });
});
