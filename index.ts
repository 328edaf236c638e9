import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { ConfigError, readRawConfig, validateConfig } from "./config";
import { declareProgram, stackExports } from "./components/program";

function loadConfig() {
  try {
    return validateConfig(readRawConfig(), { stack: pulumi.getStack(), now: new Date() });
  } catch (error) {
    // A RunError prints its message alone, without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const config = loadConfig();
const client = authorization.getClientConfigOutput();
const outputs = stackExports(
  declareProgram(config, { tenantId: client.tenantId, subscriptionId: client.subscriptionId, objectId: client.objectId }),
);

export = outputs;
