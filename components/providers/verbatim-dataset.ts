import * as pulumi from "@pulumi/pulumi";
import { dataFactoryClientFor } from "./data-factory-client";
import { sleepFor } from "./retry";
import { checkVerbatimDatasetInputs, type VerbatimDatasetInputs } from "./verbatim-dataset-inputs";
import {
  deleteVerbatimDataset,
  diffVerbatimDataset,
  putVerbatimDataset,
  readVerbatimDataset,
  type VerbatimDatasetOutputs,
  type VerbatimDatasetTiming,
} from "./verbatim-dataset-operations";

/** Arguments of a {@link VerbatimDataset}. */
export interface VerbatimDatasetArgs {
  /** Subscription of the factory. */
  subscriptionId: pulumi.Input<string>;
  /** Resource group of the factory. */
  resourceGroupName: pulumi.Input<string>;
  /** Data Factory name. */
  factoryName: pulumi.Input<string>;
  /** Dataset name within the factory. */
  datasetName: pulumi.Input<string>;
  /** ARM DatasetResource.properties, as the service should receive them. */
  properties: pulumi.Input<Record<string, unknown>>;
}

/** Production timing: conflicts with other operations on a factory clear within seconds to minutes. */
export const VERBATIM_DATASET_TIMING: VerbatimDatasetTiming = {
  retry: { budgetMs: 3 * 60_000, initialDelayMs: 5_000, maxDelayMs: 30_000, sleep: sleepFor },
};

const verbatimDatasetProvider: pulumi.dynamic.ResourceProvider<VerbatimDatasetInputs, VerbatimDatasetOutputs> = {
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
};

/**
 * A Data Factory dataset whose ARM properties reach the service exactly as given. azure-native's
 * Dataset (and the SDK's models) carry only the typeProperties the API schema lists, and Graph Data
 * Connect reads more than that: the Viva Insights source dataset of Microsoft's sample sets
 * `AdditionalDataSetProperties.aggregationType` (pulumi-azure-native#1757). This resource PUTs
 * `{ properties }` through `@azure/arm-datafactory`'s pipeline, bypassing its models. The deploying
 * identity needs "Data Factory Contributor" on the factory.
 */
export class VerbatimDataset extends pulumi.dynamic.Resource {
  /** ARM resource id of the dataset. */
  declare readonly datasetId: pulumi.Output<string>;

  /**
   * @param name logical name of the resource
   * @param args where the dataset lives and its ARM properties
   * @param opts resource options; depend on the linked service the dataset references
   */
  constructor(name: string, args: VerbatimDatasetArgs, opts?: pulumi.CustomResourceOptions) {
    super(verbatimDatasetProvider, name, { ...args, datasetId: undefined }, opts, "viva-partner", "VerbatimDataset");
  }
}
