import * as pulumi from "@pulumi/pulumi";
import type { StartedTriggerInputs } from "./started-trigger-inputs";
import type { StartedTriggerOutputs } from "./started-trigger-operations";
import { runtimeProvider } from "./runtime-provider";

/** Arguments of a {@link StartedTrigger}. */
export interface StartedTriggerArgs {
  /** Subscription of the factory. */
  subscriptionId: pulumi.Input<string>;
  /** Resource group of the factory. */
  resourceGroupName: pulumi.Input<string>;
  /** Data Factory name. */
  factoryName: pulumi.Input<string>;
  /** Trigger name within the factory. */
  triggerName: pulumi.Input<string>;
  /** ARM TriggerResource.properties of a ScheduleTrigger (type, typeProperties.recurrence, pipelines) */
  properties: pulumi.Input<Record<string, unknown>>;
  /** Leave the trigger stopped (default false); setting it back to false starts the trigger again. */
  paused?: pulumi.Input<boolean>;
}

/** Serialized into each trigger's state: loads `startedTriggerProvider` from the compiled project at run time. */
const startedTriggerProvider = runtimeProvider<StartedTriggerInputs, StartedTriggerOutputs>("components/providers/started-trigger-provider", "startedTriggerProvider");

/**
 * A Data Factory trigger that is left started (or, with `paused`, stopped). ARM creates triggers
 * stopped, azure-native cannot start them, and a started trigger rejects updates
 * (TriggerEnabledCannotUpdate), so this resource owns the trigger through `@azure/arm-datafactory`:
 * create then start; stop, update, start; stop then delete. A paused trigger skips the starts. Do not also declare the trigger with azure-native. The deploying identity needs
 * "Data Factory Contributor" on the factory.
 */
export class StartedTrigger extends pulumi.dynamic.Resource {
  /** "Started" once deployed; "Stopped" while paused. */
  declare readonly runtimeState: pulumi.Output<string>;
  /** ARM resource id of the trigger. */
  declare readonly triggerId: pulumi.Output<string>;

  /**
   * @param name logical name of the resource
   * @param args where the trigger lives and its ARM properties
   * @param opts resource options; depend on the pipeline the trigger references
   */
  constructor(name: string, args: StartedTriggerArgs, opts?: pulumi.CustomResourceOptions) {
    super(startedTriggerProvider, name, { ...args, paused: args.paused ?? false, runtimeState: undefined, triggerId: undefined }, opts, "viva-partner", "StartedTrigger");
  }
}
