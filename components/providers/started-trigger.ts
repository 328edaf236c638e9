import * as pulumi from "@pulumi/pulumi";
import { checkStartedTriggerInputs, type StartedTriggerInputs } from "./started-trigger-inputs";
import {
  createStartedTrigger,
  deleteStartedTrigger,
  diffStartedTrigger,
  readStartedTrigger,
  updateStartedTrigger,
  type StartedTriggerOutputs,
  type StartedTriggerTiming,
} from "./started-trigger-operations";
import { sleepFor } from "./retry";
import { dataFactoryClientFor } from "./data-factory-client";

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

/** Production timing: Data Factory conflicts clear within seconds to minutes. */
export const STARTED_TRIGGER_TIMING: StartedTriggerTiming = {
  retry: { budgetMs: 3 * 60_000, initialDelayMs: 5_000, maxDelayMs: 30_000, sleep: sleepFor },
  pollIntervalMs: 2_000,
};

const startedTriggerProvider: pulumi.dynamic.ResourceProvider<StartedTriggerInputs, StartedTriggerOutputs> = {
  async check(_olds, news) {
    return { inputs: news, failures: checkStartedTriggerInputs(news as unknown as Record<string, unknown>) };
  },
  async diff(_id, olds, news) {
    return diffStartedTrigger(olds, news as unknown as Record<string, unknown>);
  },
  async create(inputs) {
    const outs = await createStartedTrigger(dataFactoryClientFor(inputs.subscriptionId), inputs, STARTED_TRIGGER_TIMING);
    return { id: outs.triggerId, outs };
  },
  async read(id, props) {
    if (!props) return { id };
    const outs = await readStartedTrigger(dataFactoryClientFor(props.subscriptionId), props);
    return outs ? { id, props: outs } : {};
  },
  async update(_id, _olds, news) {
    return { outs: await updateStartedTrigger(dataFactoryClientFor(news.subscriptionId), news, STARTED_TRIGGER_TIMING) };
  },
  async delete(_id, olds) {
    await deleteStartedTrigger(dataFactoryClientFor(olds.subscriptionId), olds, STARTED_TRIGGER_TIMING);
  },
};

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
