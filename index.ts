import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { ConfigError, readRawConfig, validateConfig } from "./config";
import { declareProgram, stackExports } from "./components/program";
import { providerBuildProblem } from "./components/providers/provider-build";

function loadConfig() {
  try {
    return validateConfig(readRawConfig(), { stack: pulumi.getStack(), now: new Date() });
  } catch (error) {
    // A RunError prints its message alone, without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

// Validated before anything is declared.
const config = loadConfig();

// Pulumi's provider host runs the compiled dynamic providers: refuse to deploy stale ones.
const buildProblem = providerBuildProblem(__dirname);
if (buildProblem) throw new pulumi.RunError(`viva-partner: ${buildProblem}`);

export = async () => {
  const client = authorization.getClientConfigOutput();
  const deployer = { tenantId: client.tenantId, subscriptionId: client.subscriptionId, objectId: client.objectId };
  return stackExports(await declareProgram(config, deployer));
};
