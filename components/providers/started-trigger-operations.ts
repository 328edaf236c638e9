import type * as pulumi from "@pulumi/pulumi";
import type { DataFactoryManagementClient, TriggerResource } from "@azure/arm-datafactory";
import { containsUnknown } from "./unknown";
import { canonicalJson, isRecord } from "./json";
import type { StartedTriggerInputs } from "./started-trigger-inputs";
import { failureCause, retryTransient, type RetryPolicy } from "./retry";
import { errorMessage, httpStatusOf, isTransientArmError, serviceCodeOf, withFailureMessage } from "./azure-errors";

/** The state a StartedTrigger keeps: its inputs plus what Data Factory reports. */
export interface StartedTriggerOutputs extends StartedTriggerInputs {
  /** After every successful create or update: "Started", or "Stopped" when paused. */
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

/** The runtime state a trigger is meant to be left in: "Stopped" while paused, else "Started". */
export function intendedState(inputs: Pick<StartedTriggerInputs, "paused">): "Started" | "Stopped" {
  return inputs.paused === true ? "Stopped" : "Started";
}

/** Creates (or takes over) the trigger, then starts it unless paused: ARM creates triggers stopped. */
export async function createStartedTrigger(
  client: DataFactoryManagementClient,
  inputs: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<StartedTriggerOutputs> {
  await describeFailures("create the trigger", inputs, () => putDefinition(client, inputs, timing));
  return settle(client, inputs, timing);
}

/**
 * Stops the trigger if it runs (a started trigger rejects updates), writes the new definition, and
 * starts it again unless paused. When the new definition is refused, a trigger that was running is
 * started again with its previous definition, and the error says which state it was left in.
 */
export async function updateStartedTrigger(
  client: DataFactoryManagementClient,
  news: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<StartedTriggerOutputs> {
  const found = await describeFailures("stop the trigger before updating it", news, () => stopIfRunning(client, news, timing));
  try {
    await describeFailures("update the trigger", news, () => putDefinition(client, news, timing));
  } catch (error) {
    throw await restoreAfterFailedUpdate(client, news, timing, found === "Started", error);
  }
  return settle(client, news, timing);
}

/** Puts a trigger whose update was refused back the way it was found; the error says how it was left. */
async function restoreAfterFailedUpdate(
  client: DataFactoryManagementClient,
  target: StartedTriggerInputs,
  timing: StartedTriggerTiming,
  wasStarted: boolean,
  updateError: unknown,
): Promise<Error> {
  const failed = errorMessage(updateError);
  if (!wasStarted) return new Error(`${failed}; it was not running and is left Stopped with its previous definition`, { cause: updateError });
  try {
    await startTrigger(client, target, timing);
  } catch (startError) {
    return new Error(`${failed}; starting it again failed too (${failureCause(startError)}): it is left Stopped with its previous definition`, { cause: updateError });
  }
  return new Error(`${failed}; it was started again and keeps running with its previous definition`, { cause: updateError });
}

/** Stops the trigger (Data Factory refuses to delete a started one), then deletes it. A missing trigger counts as deleted. */
export async function deleteStartedTrigger(
  client: DataFactoryManagementClient,
  olds: StartedTriggerInputs,
  timing: StartedTriggerTiming,
): Promise<void> {
  const found = await describeFailures("stop the trigger before deleting it", olds, () => stopIfRunning(client, olds, timing));
  if (found === undefined) return;
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
 * none). Changed properties, a pause or resume, or a trigger a refresh found in another state than
 * intended, are updated in place through stop, update and (unless paused) start.
 */
export function diffStartedTrigger(olds: StartedTriggerOutputs, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const replaces = (["subscriptionId", "resourceGroupName", "factoryName", "triggerName"] as const).filter(
    (field) => containsUnknown(news[field]) || String(olds[field]).toLowerCase() !== String(news[field]).toLowerCase(),
  );
  const propertiesChanged = containsUnknown(news.properties) || canonicalJson(olds.properties) !== canonicalJson(news.properties);
  // A pause or resume, or a trigger a refresh found in the other state, is an update.
  const stateChanged = containsUnknown(news.paused) || olds.runtimeState !== intendedState({ paused: news.paused === true });
  return {
    changes: replaces.length > 0 || propertiesChanged || stateChanged,
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

/** After a definition was written (the trigger is stopped): starts it unless paused, and reads its state back. */
async function settle(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<StartedTriggerOutputs> {
  const intended = intendedState(target);
  if (intended === "Started") {
    await withFailureMessage(
      (error) => startedTriggerFailureMessage("start the trigger", target, error, "it is left Stopped with its new definition"),
      () => startTrigger(client, target, timing),
    );
  }
  const trigger = await describeFailures(`read the trigger after ${intended === "Started" ? "starting" : "writing"} it`, target, () =>
    client.triggers.get(target.resourceGroupName, target.factoryName, target.triggerName),
  );
  const runtimeState = trigger.properties.runtimeState;
  if (runtimeState !== intended || !trigger.id) {
    throw new Error(`${subjectOf(target)}: is ${runtimeState ?? "in an unknown state"}, not ${intended}, after a successful ${intended === "Started" ? "start request" : "update"}`);
  }
  return { ...target, runtimeState, triggerId: trigger.id };
}

function startTrigger(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<void> {
  return retryTransient(
    () => client.triggers.beginStartAndWait(target.resourceGroupName, target.factoryName, target.triggerName, { updateIntervalInMs: timing.pollIntervalMs }),
    isTransientTriggerError,
    timing.retry,
  );
}

/** Stops the trigger when it is not already stopped; returns the state it was found in, undefined when it does not exist. */
async function stopIfRunning(client: DataFactoryManagementClient, target: StartedTriggerInputs, timing: StartedTriggerTiming): Promise<string | undefined> {
  let state: string | undefined;
  try {
    state = (await client.triggers.get(target.resourceGroupName, target.factoryName, target.triggerName)).properties.runtimeState;
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
  if (state !== "Stopped") await retryTransient(() => stopTrigger(client, target, timing), isTransientTriggerError, timing.retry);
  return state ?? "Unknown";
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
  return isTransientArmError(error) || serviceCodeOf(error) === "TriggerEnabledCannotUpdate";
}

function subjectOf(target: StartedTriggerInputs): string {
  return `Data Factory trigger "${target.triggerName}" in factory "${target.factoryName}" (resource group ${target.resourceGroupName})`;
}

function describeFailures<T>(action: string, target: StartedTriggerInputs, operation: () => Promise<T>): Promise<T> {
  return withFailureMessage((error) => startedTriggerFailureMessage(action, target, error), operation);
}

/** One line naming the trigger, its factory, what we tried, why it failed and, when known, the state it was left in. */
export function startedTriggerFailureMessage(action: string, target: StartedTriggerInputs, error: unknown, leftIn?: string): string {
  return `${subjectOf(target)}: could not ${action}: ${failureCause(error)}${leftIn ? `; ${leftIn}` : ""}`;
}
