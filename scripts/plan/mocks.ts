import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { APP_SECRET_NAME } from "../../components/key-vault";
import { graphDataConnectRegion } from "../../config/graph-data-connect/regions";

/** Fixed identities the mocked `getClientConfig` reports (documentation-style GUIDs). */
export const MOCK_CLIENT = {
  tenantId: "00000000-0000-4000-8000-00000000aaaa",
  subscriptionId: "00000000-0000-4000-8000-00000000bbbb",
  clientId: "00000000-0000-4000-8000-00000000cccc",
  objectId: "00000000-0000-4000-8000-00000000dddd",
};

/** A GUID derived from text: the same text always gives the same id, so plans are diffable. */
export function stableGuid(text: string): string {
  const h = createHash("sha1").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Inputs = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Resource group part of an ARM id. */
function group(inputs: Inputs): string {
  return `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/${str(inputs.resourceGroupName)}`;
}

/** Deterministic outputs per resource type: ARM-shaped ids and the computed fields the program reads. */
function mockState(type: string, name: string, inputs: Inputs, platform: Inputs): { id: string; state: Inputs } {
  const rg = group(inputs);
  const factory = `${rg}/providers/Microsoft.DataFactory/factories/${str(inputs.factoryName)}`;
  switch (type) {
    case "azure-native:resources:ResourceGroup":
      return { id: rg, state: { name: inputs.resourceGroupName } };
    case "azure-native:keyvault:Vault": {
      const vault = str(inputs.vaultName);
      const properties = { ...(inputs.properties as Inputs), vaultUri: `https://${vault}.vault.azure.net/` };
      return { id: `${rg}/providers/Microsoft.KeyVault/vaults/${vault}`, state: { name: vault, properties } };
    }
    case "azure-native:keyvault:Secret":
      return { id: `${rg}/providers/Microsoft.KeyVault/vaults/${str(inputs.vaultName)}/secrets/${str(inputs.secretName)}`, state: { name: inputs.secretName } };
    case "azure-native:storage:StorageAccount": {
      const account = str(inputs.accountName);
      return {
        id: `${rg}/providers/Microsoft.Storage/storageAccounts/${account}`,
        state: { name: account, primaryEndpoints: { dfs: `https://${account}.dfs.core.windows.net/`, blob: `https://${account}.blob.core.windows.net/` } },
      };
    }
    case "azure-native:storage:BlobServiceProperties":
      return { id: `${rg}/providers/Microsoft.Storage/storageAccounts/${str(inputs.accountName)}/blobServices/default`, state: { name: "default" } };
    case "azure-native:storage:BlobContainer":
      return {
        id: `${rg}/providers/Microsoft.Storage/storageAccounts/${str(inputs.accountName)}/blobServices/default/containers/${str(inputs.containerName)}`,
        state: { name: inputs.containerName },
      };
    case "azure-native:datafactory:Factory":
      return {
        id: factory,
        state: { name: inputs.factoryName, identity: { type: "SystemAssigned", principalId: stableGuid(`${name}/identity`), tenantId: MOCK_CLIENT.tenantId } },
      };
    case "azure-native:datafactory:LinkedService":
      return { id: `${factory}/linkedservices/${str(inputs.linkedServiceName)}`, state: { name: inputs.linkedServiceName } };
    case "azure-native:datafactory:Dataset":
      return { id: `${factory}/datasets/${str(inputs.datasetName)}`, state: { name: inputs.datasetName } };
    case "azure-native:datafactory:Pipeline":
      return { id: `${factory}/pipelines/${str(inputs.pipelineName)}`, state: { name: inputs.pipelineName } };
    case "azure-native:authorization:RoleDefinition": {
      const id = `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${str(inputs.roleDefinitionId)}`;
      return { id, state: { name: inputs.roleDefinitionId } };
    }
    case "azure-native:authorization:RoleAssignment":
      return { id: `${str(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${stableGuid(name)}`, state: { name: stableGuid(name) } };
    case "azuread:index/application:Application": {
      const objectId = stableGuid(`${name}/object`);
      return { id: `/applications/${objectId}`, state: { objectId, clientId: stableGuid(`${name}/client`) } };
    }
    case "azuread:index/servicePrincipal:ServicePrincipal": {
      const objectId = stableGuid(`${name}/object`);
      return { id: objectId, state: { objectId } };
    }
    case "azuread:index/applicationPassword:ApplicationPassword":
      return { id: stableGuid(name), state: { keyId: stableGuid(name), value: "mock-client-secret", endDate: inputs.endDate } };
    case "pulumi:pulumi:StackReference":
      return { id: str(inputs.name), state: { outputs: platform, secretOutputNames: [] } };
    case "pulumi-nodejs:dynamic/viva-partner:TenantKey": {
      const versionless = `${str(inputs.vaultUri)}keys/${str(inputs.keyName)}`;
      const version = stableGuid(`${versionless}/${String(inputs.rotation)}`).replace(/-/g, "");
      // A version's expiry is fixed by the provider when it creates the version; offline it is the explicit one or unknown ("").
      return { id: versionless, state: { versionlessId: versionless, version, keyId: `${versionless}/${version}`, versionExpiresOn: str(inputs.expiresOn) } };
    }
    case "pulumi-nodejs:dynamic/viva-partner:StartedTrigger":
      return {
        id: `${factory}/triggers/${str(inputs.triggerName)}`,
        state: { runtimeState: inputs.paused === true ? "Stopped" : "Started", triggerId: `${factory}/triggers/${str(inputs.triggerName)}` },
      };
    case "pulumi-nodejs:dynamic/viva-partner:VerbatimDataset":
      return { id: `${factory}/datasets/${str(inputs.datasetName)}`, state: { datasetId: `${factory}/datasets/${str(inputs.datasetName)}` } };
    default:
      return { id: `${name}-id`, state: {} };
  }
}

/** The regions a mocked platform stack serves: its home region first. */
export const MOCK_PLATFORM_REGIONS = ["westeurope", "northeurope"] as const;

/**
 * Platform stack outputs a customer stack sees in a plan (what a deployed platform stack exports):
 * a platform in westeurope that also serves northeurope.
 */
export function mockPlatformOutputs(platformStack: string): Inputs {
  const slug = platformStack.split("/").pop()!.toLowerCase().replace(/[^a-z0-9]/g, "");
  const resourceGroupName = `platform-${slug}-rg`;
  const rg = group({ resourceGroupName });
  const vaultName = `platform-${slug}-kv`;
  const vaultId = `${rg}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  const account = `platform${slug}`.slice(0, 20);
  const storageAccounts = Object.fromEntries(
    MOCK_PLATFORM_REGIONS.map((region, i) => {
      const name = i === 0 ? account : `${account}${graphDataConnectRegion(region)!.code}`;
      return [region, { name, blobEndpoint: `https://${name}.blob.core.windows.net/`, dfsEndpoint: `https://${name}.dfs.core.windows.net/` }];
    }),
  );
  return {
    subscriptionId: MOCK_CLIENT.subscriptionId,
    partnerTenantId: MOCK_CLIENT.tenantId,
    resourceGroupName,
    location: "westeurope",
    applicationId: stableGuid(`${platformStack}/application`),
    servicePrincipalObjectId: stableGuid(`${platformStack}/service-principal`),
    vaultName,
    vaultUri: `https://${vaultName}.vault.azure.net/`,
    vaultId,
    appSecretName: APP_SECRET_NAME,
    appSecretId: `${vaultId}/secrets/${APP_SECRET_NAME}`,
    appSecretEndDate: "2027-11-02T00:00:00Z",
    storageAccountName: account,
    storageAccountId: `${rg}/providers/Microsoft.Storage/storageAccounts/${account}`,
    dfsEndpoint: `https://${account}.dfs.core.windows.net/`,
    storageAccounts,
  };
}

/** Called for every new resource, with the inputs Pulumi serialized (secrets still wrapped). */
export type ResourceListener = (type: string, name: string, inputs: Inputs) => void;

/** Pulumi mocks: deterministic ids and outputs, no cloud. Unknown function calls fail loudly. */
export function planMocks(onResource: ResourceListener, platformStack?: string): pulumi.runtime.Mocks {
  const platform = platformStack ? mockPlatformOutputs(platformStack) : {};
  return {
    newResource(args) {
      onResource(args.type, args.name, args.inputs as Inputs);
      // Only computed outputs go back: echoing every input (pipelines, provider code) would double
      // the work per resource, and the program reads no output it did not compute.
      return mockState(args.type, args.name, args.inputs as Inputs, platform);
    },
    call(args) {
      if (args.token === "azure-native:authorization:getClientConfig") return { ...MOCK_CLIENT };
      throw new Error(`the offline plan has no mock for the function call ${args.token}`);
    },
  };
}
