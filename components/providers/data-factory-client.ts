import type { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { azureCredentialFromEnvironment } from "./azure-credential";

const clients = new Map<string, DataFactoryManagementClient>();

/**
 * The subscription's Data Factory management client, authenticated as the same principal as
 * azure-native; one per subscription and process, so its token is reused across resources.
 */
export function dataFactoryClientFor(subscriptionId: string): DataFactoryManagementClient {
  let client = clients.get(subscriptionId);
  if (!client) {
    // require(), not import: this runs in Pulumi's dynamic-provider host, which loads the SDK when a provider method runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DataFactoryManagementClient } = require("@azure/arm-datafactory") as typeof import("@azure/arm-datafactory");
    client = new DataFactoryManagementClient(azureCredentialFromEnvironment(), subscriptionId);
    clients.set(subscriptionId, client);
  }
  return client;
}
