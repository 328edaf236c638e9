/**
 * The Azure regions Graph Data Connect moves data into, by Microsoft 365 region: the factory and
 * the destination storage must both sit in a region that maps to the customer's Microsoft 365 data.
 *
 * Source: "Datasets, regions, and sinks supported by Microsoft Graph Data Connect", section
 * "Regions" (https://learn.microsoft.com/graph/data-connect-datasets#regions), as in
 * microsoftgraph/microsoft-graph-docs-contrib concepts/data-connect-datasets.md at commit 00604611.
 * When Microsoft adds a region there, add it here.
 *
 * `code` is ours: a short, unique suffix that names the region's storage account.
 */
export const GRAPH_DATA_CONNECT_REGIONS = [
  { region: "eastasia", officeRegion: "Asia-Pacific", code: "ea" },
  { region: "southeastasia", officeRegion: "Asia-Pacific", code: "sea" },
  { region: "australiaeast", officeRegion: "Australia", code: "aue" },
  { region: "australiasoutheast", officeRegion: "Australia", code: "ause" },
  { region: "northeurope", officeRegion: "Europe", code: "ne" },
  { region: "westeurope", officeRegion: "Europe", code: "we" },
  { region: "centralus", officeRegion: "North America", code: "cus" },
  { region: "eastus", officeRegion: "North America", code: "eus" },
  { region: "eastus2", officeRegion: "North America", code: "eus2" },
  { region: "northcentralus", officeRegion: "North America", code: "ncus" },
  { region: "southcentralus", officeRegion: "North America", code: "scus" },
  { region: "westcentralus", officeRegion: "North America", code: "wcus" },
  { region: "westus", officeRegion: "North America", code: "wus" },
  { region: "westus2", officeRegion: "North America", code: "wus2" },
  { region: "brazilsouth", officeRegion: "Brazil", code: "brs" },
  { region: "uksouth", officeRegion: "United Kingdom", code: "uks" },
  { region: "ukwest", officeRegion: "United Kingdom", code: "ukw" },
  { region: "canadacentral", officeRegion: "Canada", code: "cac" },
  { region: "canadaeast", officeRegion: "Canada", code: "cae" },
  { region: "japanwest", officeRegion: "Japan", code: "jpw" },
  { region: "japaneast", officeRegion: "Japan", code: "jpe" },
  { region: "southindia", officeRegion: "India", code: "ins" },
  { region: "centralindia", officeRegion: "India", code: "inc" },
  { region: "koreacentral", officeRegion: "Korea", code: "krc" },
  { region: "koreasouth", officeRegion: "Korea", code: "krs" },
  { region: "switzerlandnorth", officeRegion: "Switzerland", code: "chn" },
  { region: "germanywestcentral", officeRegion: "Germany", code: "dewc" },
  { region: "norwayeast", officeRegion: "Norway", code: "noe" },
  { region: "francecentral", officeRegion: "France", code: "frc" },
  { region: "uaenorth", officeRegion: "UAE", code: "aen" },
] as const;

/** One supported region: its Azure name, the Microsoft 365 region it serves, our short code. */
export type GraphDataConnectRegion = (typeof GRAPH_DATA_CONNECT_REGIONS)[number];

const BY_NAME: ReadonlyMap<string, GraphDataConnectRegion> = new Map(GRAPH_DATA_CONNECT_REGIONS.map((r) => [r.region, r]));

/** The table's entry for an Azure region name (lower case, no spaces: `westeurope`), if Graph Data Connect serves it. */
export function graphDataConnectRegion(region: string): GraphDataConnectRegion | undefined {
  return BY_NAME.get(region);
}

/** The rule an unsupported region breaks, as a config error says it. */
export function unsupportedRegionRule(region: string): string {
  return (
    `${JSON.stringify(region)} is not an Azure region Graph Data Connect moves data into; ` +
    `use one of ${GRAPH_DATA_CONNECT_REGIONS.map((r) => r.region).join(", ")} (the one that maps to the customer's Microsoft 365 region)`
  );
}
