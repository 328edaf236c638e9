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
import { configureAzureCredential } from "./azure-credential";
import { dataFactoryClientFor } from "./data-factory-client";
import type { ProviderImplementation } from "./runtime-provider";
import { upgradingSerializedProvider } from "./serialized-provider-upgrade";

/** Production timing: Data Factory conflicts clear within seconds to minutes. */
export const STARTED_TRIGGER_TIMING: StartedTriggerTiming = {
  retry: { budgetMs: 3 * 60_000, initialDelayMs: 5_000, maxDelayMs: 30_000, sleep: sleepFor },
  pollIntervalMs: 2_000,
};

/**
 * The StartedTrigger provider. It runs in Pulumi's dynamic-provider host, loaded from its
 * compiled form by the stub that `started-trigger.ts` serializes (see runtime-provider.ts).
 */
export const startedTriggerProvider: ProviderImplementation<StartedTriggerInputs, StartedTriggerOutputs> = upgradingSerializedProvider({
  async configure(req) {
    configureAzureCredential(req.config);
  },
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
});
