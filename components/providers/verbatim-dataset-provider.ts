import { configureAzureCredential } from "./azure-credential";
import { dataFactoryClientFor } from "./data-factory-client";
import { sleepFor } from "./retry";
import type { ProviderImplementation } from "./runtime-provider";
import { upgradingSerializedProvider } from "./serialized-provider-upgrade";
import { checkVerbatimDatasetInputs, type VerbatimDatasetInputs } from "./verbatim-dataset-inputs";
import {
  deleteVerbatimDataset,
  diffVerbatimDataset,
  putVerbatimDataset,
  readVerbatimDataset,
  type VerbatimDatasetOutputs,
  type VerbatimDatasetTiming,
} from "./verbatim-dataset-operations";

/** Production timing: conflicts with other operations on a factory clear within seconds to minutes. */
export const VERBATIM_DATASET_TIMING: VerbatimDatasetTiming = {
  retry: { budgetMs: 3 * 60_000, initialDelayMs: 5_000, maxDelayMs: 30_000, sleep: sleepFor },
};

/**
 * The VerbatimDataset provider. It runs in Pulumi's dynamic-provider host, loaded from its
 * compiled form by the stub that `verbatim-dataset.ts` serializes (see runtime-provider.ts).
 */
export const verbatimDatasetProvider: ProviderImplementation<VerbatimDatasetInputs, VerbatimDatasetOutputs> = upgradingSerializedProvider({
  async configure(req) {
    configureAzureCredential(req.config);
  },
  async check(_olds, news) {
    return { inputs: news, failures: checkVerbatimDatasetInputs(news as unknown as Record<string, unknown>) };
  },
  async diff(_id, olds, news) {
    return diffVerbatimDataset(olds, news as unknown as Record<string, unknown>);
  },
  async create(inputs) {
    const outs = await putVerbatimDataset(dataFactoryClientFor(inputs.subscriptionId), inputs, VERBATIM_DATASET_TIMING);
    return { id: outs.datasetId, outs };
  },
  async read(id, props) {
    if (!props) return { id };
    const outs = await readVerbatimDataset(dataFactoryClientFor(props.subscriptionId), props);
    return outs ? { id, props: outs } : {};
  },
  async update(_id, _olds, news) {
    return { outs: await putVerbatimDataset(dataFactoryClientFor(news.subscriptionId), news, VERBATIM_DATASET_TIMING) };
  },
  async delete(_id, olds) {
    await deleteVerbatimDataset(dataFactoryClientFor(olds.subscriptionId), olds, VERBATIM_DATASET_TIMING);
  },
});
