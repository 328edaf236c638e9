import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { ConfigError, readRawConfig, validateConfig } from "./config";
import { declareProgram, stackExports } from "./components/program";
import { providerBuildProblem } from "./components/providers/provider-build";

/** Config errors print as their one line, without a stack trace (a RunError prints its message alone). */
function asRunError(error: unknown): unknown {
  return error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
}

function loadConfig() {
  try {
    return validateConfig(readRawConfig(), { stack: pulumi.getStack(), now: new Date() });
  } catch (error) {
    throw asRunError(error);
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
  try {
    return stackExports(await declareProgram(config, deployer));
  } catch (error) {
    // A customer stack's regions are checked against the platform stack's outputs, read at run time.
    throw asRunError(error);
  }
};
