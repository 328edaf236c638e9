import type { DataFactoryManagementClient, DataFactoryManagementClientOptionalParams } from "@azure/arm-datafactory";
import type { TokenCredential } from "@azure/identity";
import type { KeyClientOptions } from "@azure/keyvault-keys";
import { describeAzureFailure } from "./azure-errors";
import { dataFactorySdk, identitySdk } from "./azure-sdk";
import { describeError } from "./errors";

/** One tenant's export pipeline in Azure Data Factory. */
export interface PipelineTarget {
  subscriptionId: string;
  resourceGroupName: string;
  factoryName: string;
  pipelineName: string;
}

/**
 * How `run` and `status` reach Azure. By default DefaultAzureCredential and the SDKs' own pipelines
 * (with their retry policies: throttling honours Retry-After); tests inject `httpClient` here.
 */
export interface AzureClientOptions {
  credential?: TokenCredential;
  dataFactoryClientOptions?: DataFactoryManagementClientOptionalParams;
  keyClientOptions?: KeyClientOptions;
}

/** The credential from the options, else DefaultAzureCredential (the path the rest of viva-drop uses). */
export function credentialFrom(options: AzureClientOptions): TokenCredential {
  return options.credential ?? new (identitySdk().DefaultAzureCredential)();
}

/** A Data Factory management client for `subscriptionId`, loading the SDK on first use. */
export function createDataFactoryClient(subscriptionId: string, options: AzureClientOptions, credential = credentialFrom(options)): DataFactoryManagementClient {
  const { DataFactoryManagementClient } = dataFactorySdk();
  return new DataFactoryManagementClient(credential, subscriptionId, options.dataFactoryClientOptions);
}

const MAX_SERVICE_MESSAGE = 300;

/**
 * One line for a failed Data Factory call: no credential, sign-in refused, or the HTTP status with the
 * service's code and the start of its message (ARM's 403 message names the missing permission).
 */
export function describeDataFactoryFailure(error: unknown): string {
  const summary = describeAzureFailure(error, "Azure Data Factory");
  const { statusCode } = (error ?? {}) as { statusCode?: number };
  if (!statusCode) return summary;
  const message = describeError(error);
  if (!message || summary.includes(message)) return summary;
  return `${summary}: ${message.length > MAX_SERVICE_MESSAGE ? `${message.slice(0, MAX_SERVICE_MESSAGE)}…` : message}`;
}

/** HTTP status of an Azure SDK error, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The pipeline, for messages. */
export function describeTarget(target: PipelineTarget): string {
  return `pipeline ${target.pipelineName} in factory ${target.factoryName} (resource group ${target.resourceGroupName})`;
}
