import * as pulumi from "@pulumi/pulumi";
import { runtimeProvider } from "./runtime-provider";
import type { VerbatimDatasetInputs } from "./verbatim-dataset-inputs";
import type { VerbatimDatasetOutputs } from "./verbatim-dataset-operations";

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

/** Serialized into each dataset's state: loads `verbatimDatasetProvider` from the compiled project at run time. */
const verbatimDatasetProvider = runtimeProvider<VerbatimDatasetInputs, VerbatimDatasetOutputs>("components/providers/verbatim-dataset-provider", "verbatimDatasetProvider");

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
