import type * as pulumi from "@pulumi/pulumi";
import type { DataFactoryManagementClient, TriggerResource } from "@azure/arm-datafactory";
import { containsUnknown } from "./unknown";
import { isRecord, type StartedTriggerInputs } from "./started-trigger-inputs";
import { failureCause, retryTransient, type RetryPolicy } from "./retry";
import { httpStatusOf, serviceCodeOf, withFailureMessage } from "./azure-errors";

/** The state a StartedTrigger keeps: its inputs plus what Data Factory reports. */
export interface StartedTriggerOutputs extends StartedTriggerInputs {
  /** "Started" after every successful create or update. */
  runtimeState: string;
  /** ARM resource id of the trigger. */
  triggerId: string;
}

/** Timing of management-plane calls: retries of conflicts, and long-running-operation polling. */
export interface StartedTriggerTiming {
  retry: RetryPolicy;
  /** Poll interval for start and stop. */
  pollIntervalMs: number;
}

/** Creates (or takes over) the trigger, then starts it: ARM creates triggers stopped. */
export async function createStartedTrigger(
  client: DataFactoryManagementClient,
  inputs: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<StartedTriggerOutputs> {
  await describeFailures("create the trigger", inputs, () => putDefinition(client, inputs, timing));
  return startAndRead(client, inputs, timing);
}

/** Stops the trigger if it runs (a started trigger rejects updates), writes the new definition, starts it again. */
export async function updateStartedTrigger(
  client: DataFactoryManagementClient,
  news: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<StartedTriggerOutputs> {
  await describeFailures("stop the trigger before updating it", news, () => stopIfRunning(client, news, timing));
  await describeFailures("update the trigger", news, () => putDefinition(client, news, timing));
  return startAndRead(client, news, timing);
}

/** Stops the trigger (Data Factory refuses to delete a started one), then deletes it. A missing trigger counts as deleted. */
export async function deleteStartedTrigger(
  client: DataFactoryManagementClient,
  olds: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<void> {
  const present = await describeFailures("stop the trigger before deleting it", olds, () => stopIfRunning(client, olds, timing));
  if (!present) return;
  await describeFailures("delete the trigger", olds, () =>
    retryTransient(() => client.triggers.delete(olds.resourceGroupName, olds.factoryName, olds.triggerName), isTransientTriggerError, timing.retry),
  );
}

/**
 * The trigger as Data Factory has it now (Pulumi `refresh`): its runtime state and id, so a trigger
 * stopped outside Pulumi is noticed and the next `up` starts it again. The definition is not read
 * back: the service rewrites it (e.g. date formats) and a comparison would report false changes.
 * Undefined when the trigger no longer exists.
 */
export async function readStartedTrigger(client: DataFactoryManagementClient, olds: StartedTriggerOutputs): Promise<StartedTriggerOutputs | undefined> {
  return describeFailures("read the trigger", olds, async () => {
    try {
      const trigger = await client.triggers.get(olds.resourceGroupName, olds.factoryName, olds.triggerName);
      return { ...olds, runtimeState: trigger.properties.runtimeState ?? "Unknown", triggerId: trigger.id ?? olds.triggerId };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  });
}

/**
 * Decides how a StartedTrigger changes: another subscription, resource group, factory or trigger
 * name is another trigger (replace; Data Factory names are case-insensitive, so a case-only edit is
 * none). Changed properties, or a trigger found stopped by a refresh, are updated in place through
 * stop, update, start.
 */
export function diffStartedTrigger(olds: StartedTriggerOutputs, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const replaces = (["subscriptionId", "resourceGroupName", "factoryName", "triggerName"] as const).filter(
    (field) => containsUnknown(news[field]) || String(olds[field]).toLowerCase() !== String(news[field]).toLowerCase(),
  );
  const propertiesChanged = containsUnknown(news.properties) || canonicalJson(olds.properties) !== canonicalJson(news.properties);
  return {
    changes: replaces.length > 0 || propertiesChanged || olds.runtimeState !== "Started",
    replaces,
    deleteBeforeReplace: false,
  };
}

/**
 * The SDK models a ScheduleTrigger with `recurrence` at the top and moves it to
 * `typeProperties.recurrence` on the wire, so the ARM-shaped input is reshaped for it.
 */
export function toSdkTrigger(properties: Record<string, unknown>): TriggerResource {
  const { typeProperties, ...rest } = properties;
  const recurrence = isRecord(typeProperties) ? typeProperties.recurrence : undefined;
  return { properties: { ...rest, recurrence } as unknown as TriggerResource["properties"] };
}

async function putDefinition(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<void> {
  await retryTransient(
    async () => {
      try {
        await client.triggers.createOrUpdate(target.resourceGroupName, target.factoryName, target.triggerName, toSdkTrigger(target.properties));
      } catch (error) {
        // Started by someone else (or by an interrupted earlier run) since we looked: stop it, then try again.
        if (serviceCodeOf(error) === "TriggerEnabledCannotUpdate") await stopTrigger(client, target, timing);
        throw error;
      }
    },
    isTransientTriggerError,
    timing.retry,
  );
}

async function startAndRead(
  client: DataFactoryManagementClient,
  target: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<StartedTriggerOutputs> {
  await describeFailures("start the trigger", target, () =>
    retryTransient(
      () => client.triggers.beginStartAndWait(target.resourceGroupName, target.factoryName, target.triggerName, { updateIntervalInMs: timing.pollIntervalMs }),
      isTransientTriggerError,
      timing.retry,
    ),
  );
  const trigger = await describeFailures("read the trigger after starting it", target, () =>
    client.triggers.get(target.resourceGroupName, target.factoryName, target.triggerName),
  );
  const runtimeState = trigger.properties.runtimeState;
  if (runtimeState !== "Started" || !trigger.id) {
    throw new Error(`${subjectOf(target)}: is ${runtimeState ?? "in an unknown state"} after a successful start request`);
  }
  return { ...target, runtimeState, triggerId: trigger.id };
}

/** Stops the trigger when it is not already stopped; false when it does not exist. */
async function stopIfRunning(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<boolean> {
  let state: string | undefined;
  try {
    state = (await client.triggers.get(target.resourceGroupName, target.factoryName, target.triggerName)).properties.runtimeState;
  } catch (error) {
    if (httpStatusOf(error) === 404) return false;
    throw error;
  }
  if (state !== "Stopped") await retryTransient(() => stopTrigger(client, target, timing), isTransientTriggerError, timing.retry);
  return true;
}

/** Stops the trigger and waits until Data Factory reports the stop done. */
function stopTrigger(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<void> {
  return client.triggers.beginStopAndWait(target.resourceGroupName, target.factoryName, target.triggerName, { updateIntervalInMs: timing.pollIntervalMs });
}

/**
 * Worth another try: conflicts with a concurrent operation (409), a start racing our update
 * (TriggerEnabledCannotUpdate), and throttling or server errors that outlasted the SDK's own retries.
 */
export function isTransientTriggerError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 409 || status === 429 || (status !== undefined && status >= 500) || serviceCodeOf(error) === "TriggerEnabledCannotUpdate";
}

function subjectOf(target: StartedTriggerInputs): string {
  return `Data Factory trigger "${target.triggerName}" in factory "${target.factoryName}" (resource group ${target.resourceGroupName})`;
}

function describeFailures<T>(action: string, target: StartedTriggerInputs, operation: () => Promise<T>): Promise<T> {
  return withFailureMessage((error) => startedTriggerFailureMessage(action, target, error), operation);
}

/** One line naming the trigger, its factory, what we tried and why it failed. */
export function startedTriggerFailureMessage(action: string, target: StartedTriggerInputs, error: unknown): string {
  return `${subjectOf(target)}: could not ${action}: ${failureCause(error)}`;
}

/** JSON with object keys sorted, so equal definitions compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isRecord(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner,
  );
}
