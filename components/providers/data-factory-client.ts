import type { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { azureCredentialFromEnvironment } from "./azure-credential";

/** A Data Factory management client for the subscription, authenticated as whoever runs `pulumi up`. */
export function dataFactoryClientFor(subscriptionId: string): DataFactoryManagementClient {
  // require(), not import: the provider is serialized into the Pulumi state and must load its SDKs when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DataFactoryManagementClient } = require("@azure/arm-datafactory") as typeof import("@azure/arm-datafactory");
  return new DataFactoryManagementClient(azureCredentialFromEnvironment(), subscriptionId);
}
