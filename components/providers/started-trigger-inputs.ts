import { isRecord } from "./json";
import { UNKNOWN_INPUT, containsUnknown } from "./unknown";
import type * as pulumi from "@pulumi/pulumi";

/** The resolved inputs of a StartedTrigger as the provider receives them. */
export interface StartedTriggerInputs {
  subscriptionId: string;
  resourceGroupName: string;
  factoryName: string;
  triggerName: string;
  /** ARM `TriggerResource.properties` of a ScheduleTrigger. */
  properties: Record<string, unknown>;
  /** Leave the trigger stopped (absent in state written before pausing existed: not paused). */
  paused?: boolean;
}

const NAME_FIELDS = ["subscriptionId", "resourceGroupName", "factoryName", "triggerName"] as const;
// Data Factory entity names: letters, digits, "_" and "-", starting with a letter, digit or "_".
const TRIGGER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,259}$/;

/**
 * Validates StartedTrigger inputs (Pulumi `check`): the four names are non-empty strings, the
 * trigger name follows Data Factory rules, `paused` is a boolean, and `properties` is a ScheduleTrigger whose
 * typeProperties hold only `recurrence` (the one part the SDK model carries). Unknown preview
 * values pass through unchecked.
 */
export function checkStartedTriggerInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  for (const field of NAME_FIELDS) {
    const value = news[field];
    if (value === UNKNOWN_INPUT) continue;
    if (typeof value !== "string" || value.trim() === "") {
      failures.push({ property: field, reason: `${field} ${JSON.stringify(value)} must be a non-empty string` });
    }
  }
  const triggerName = news.triggerName;
  if (typeof triggerName === "string" && triggerName !== UNKNOWN_INPUT && triggerName.trim() !== "" && !TRIGGER_NAME.test(triggerName)) {
    failures.push({ property: "triggerName", reason: `triggerName ${JSON.stringify(triggerName)} must be letters, digits, "_" or "-", starting with a letter, digit or "_"` });
  }
  if (news.paused !== undefined && typeof news.paused !== "boolean" && !containsUnknown(news.paused)) {
    failures.push({ property: "paused", reason: `paused ${JSON.stringify(news.paused)} must be true or false` });
  }
  const problem = scheduleTriggerProblem(news.properties);
  if (problem) failures.push({ property: "properties", reason: `properties of trigger ${JSON.stringify(triggerName)}: ${problem}` });
  return failures;
}

function scheduleTriggerProblem(properties: unknown): string | undefined {
  if (properties === UNKNOWN_INPUT) return undefined;
  if (!isRecord(properties)) return "must be an object (ARM TriggerResource.properties)";
  if (properties.type !== "ScheduleTrigger" && !containsUnknown(properties.type)) {
    return `type ${JSON.stringify(properties.type)} must be "ScheduleTrigger"`;
  }
  const typeProperties = properties.typeProperties;
  if (containsUnknown(typeProperties)) return undefined;
  if (!isRecord(typeProperties) || !isRecord(typeProperties.recurrence)) return "typeProperties.recurrence must be an object";
  const extra = Object.keys(typeProperties).filter((key) => key !== "recurrence");
  if (extra.length > 0) return `typeProperties may only hold "recurrence", not ${extra.map((key) => JSON.stringify(key)).join(", ")}`;
  if (properties.pipelines !== undefined && !Array.isArray(properties.pipelines) && !containsUnknown(properties.pipelines)) {
    return "pipelines must be a list of pipeline references";
  }
  return undefined;
}
