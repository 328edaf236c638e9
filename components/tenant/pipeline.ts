import type * as pulumi from "@pulumi/pulumi";
import type { TenantConfig } from "../../config";
import { DATASETS } from "./datasets";

/** The pipeline name the seed and Graph Data Connect use. */
export const PIPELINE_NAME = "ExportO365DataEvents";
/** The notification step's activity name. */
export const NOTIFY_ACTIVITY = "NotifyPartner";
export const COPY_PERSON_REPORT = "CopyPersonReport";
export const COPY_USERS = "CopyUsers";

/** An ADF expression value (a string that starts with "@" evaluated at run time). */
export interface Expression {
  value: string;
  type: "Expression";
}

function expression(value: string): Expression {
  return { value, type: "Expression" };
}

/**
 * Seed "Parameters": RequestEndDate defaults to the pipeline trigger time; RequestStartDate defaults
 * to RequestEndDate minus DefaultLookbackWindowDays.
 */
export const REQUEST_END_EXPRESSION =
  "@if(empty(pipeline().parameters.RequestEndDate), pipeline().TriggerTime, pipeline().parameters.RequestEndDate)";
export const REQUEST_START_EXPRESSION =
  "@if(empty(pipeline().parameters.RequestStartDate), " +
  "addDays(if(empty(pipeline().parameters.RequestEndDate), pipeline().TriggerTime, pipeline().parameters.RequestEndDate), " +
  "mul(-1, int(pipeline().parameters.DefaultLookbackWindowDays))), pipeline().parameters.RequestStartDate)";

/**
 * AggregationType at run time. It reaches Graph Data Connect through the PersonReport dataset's
 * AggregationType parameter (its `AdditionalDataSetProperties`, as in Microsoft's sample); it is also
 * recorded where ADF shows it (a user property of the copy: Monitor > activity runs) and sent in the
 * notification body, for the partner's processing of the drop.
 */
export const AGGREGATION_EXPRESSION = "@pipeline().parameters.AggregationType";

/** Each run writes into its own folder of the tenant's container, named by the run id. */
export const RUN_FOLDER_EXPRESSION = "@pipeline().RunId";
/** The users export of the same run sits next to it, so each folder holds exactly one drop. */
export const USERS_FOLDER_EXPRESSION = "@concat(pipeline().RunId, '-users')";

/** Pipeline parameters and their defaults: the tenant's config, else the seed's defaults. */
export function pipelineParameters(tenant: TenantConfig) {
  return {
    RequestStartDate: { type: "String", defaultValue: tenant.requestWindow?.start ?? "" },
    RequestEndDate: { type: "String", defaultValue: tenant.requestWindow?.end ?? "" },
    DefaultLookbackWindowDays: { type: "Int", defaultValue: tenant.lookbackDays },
    AggregationType: { type: "String", defaultValue: tenant.aggregationType },
  };
}

/**
 * What the PersonReport copy passes to its dataset's parameters: the window after the seed's
 * defaulting rules, and the aggregation.
 */
export function personReportDatasetParameters() {
  return {
    RequestStartDate: expression(REQUEST_START_EXPRESSION),
    RequestEndDate: expression(REQUEST_END_EXPRESSION),
    AggregationType: expression(AGGREGATION_EXPRESSION),
  };
}

/**
 * Microsoft's sample policy for the Graph Data Connect copies. No automatic retry: a retry writes
 * into the same run folder, and files a failed attempt left there would sit beside the new ones
 * with no file key that decrypts them. A long timeout: extractions carry ~45 minutes of fixed
 * overhead and large tenants take hours.
 */
export const COPY_POLICY = { timeout: "7.00:00:00", retry: 0, retryIntervalInSeconds: 30 } as const;

/** The notification may be retried: a POST writes nothing into the drop, and receivers key on the run id. */
export const NOTIFY_POLICY = { timeout: "0.00:10:00", retry: 3, retryIntervalInSeconds: 60 } as const;

/** What each copy records about its request (ADF user properties: name and string or expression value). */
export function copyUserProperties() {
  return [
    { name: "AggregationType", value: expression(AGGREGATION_EXPRESSION) },
    { name: "RequestStartDate", value: expression(REQUEST_START_EXPRESSION) },
    { name: "RequestEndDate", value: expression(REQUEST_END_EXPRESSION) },
  ];
}

/** `@{...}` interpolation of an `@expression` inside an ADF string. */
function interpolated(expr: string): string {
  return `@{${expr.slice(1)}}`;
}

interface CopySpec {
  name: string;
  /** The source dataset reference, with the parameter values the copy passes it. */
  input: { referenceName: string; type: "DatasetReference"; parameters?: Record<string, Expression> };
  sink: string;
  folder: string;
  source: { type: "Office365Source"; outputColumns?: { name: string }[] };
  userProperties?: ReturnType<typeof copyUserProperties>;
}

function copyActivity(spec: CopySpec) {
  return {
    name: spec.name,
    type: "Copy" as const,
    inputs: [spec.input],
    outputs: [{ referenceName: spec.sink, type: "DatasetReference", parameters: { folder: expression(spec.folder) } }],
    source: spec.source,
    ...(spec.userProperties ? { userProperties: spec.userProperties } : {}),
    sink: { type: "BinarySink" as const, storeSettings: { type: "AzureBlobFSWriteSettings" as const } },
    policy: { ...COPY_POLICY },
  };
}

/** The PersonReport copy: window and aggregation go to the dataset's parameters (where Graph Data Connect reads them). */
function copyPersonReport() {
  return copyActivity({
    name: COPY_PERSON_REPORT,
    input: { referenceName: DATASETS.personReport, type: "DatasetReference", parameters: personReportDatasetParameters() },
    sink: DATASETS.personReportDrop,
    folder: RUN_FOLDER_EXPRESSION,
    source: { type: "Office365Source" },
    userProperties: copyUserProperties(),
  });
}

/** The users copy: a snapshot (no window, no aggregation) of the consented columns. */
function copyUsers(columns: readonly string[]) {
  return copyActivity({
    name: COPY_USERS,
    input: { referenceName: DATASETS.users, type: "DatasetReference" },
    sink: DATASETS.usersDrop,
    folder: USERS_FOLDER_EXPRESSION,
    source: { type: "Office365Source", outputColumns: columns.map((name) => ({ name })) },
  });
}

/**
 * The body the notification POSTs (seed "push model"): run id, tenant, container and drop folders,
 * and the request (aggregation and the resolved window), as an ADF string with `@{...}` interpolations.
 */
export function notifyBody(tenant: TenantConfig): string {
  const users = tenant.usersDataset ? `,"usersFolder":"${interpolated(USERS_FOLDER_EXPRESSION)}"` : "";
  return (
    `{"runId":"@{pipeline().RunId}","tenantId":"${tenant.id}","container":"${tenant.id}",` +
    `"folder":"${interpolated(RUN_FOLDER_EXPRESSION)}"${users},` +
    `"aggregationType":"${interpolated(AGGREGATION_EXPRESSION)}",` +
    `"requestStartDate":"${interpolated(REQUEST_START_EXPRESSION)}","requestEndDate":"${interpolated(REQUEST_END_EXPRESSION)}",` +
    `"factory":"@{pipeline().DataFactory}","pipeline":"@{pipeline().Pipeline}"}`
  );
}

/**
 * The pipeline's activities: the copies, then the notification when a URL is configured. The
 * notification carries a token of the factory's managed identity for `notifyAudience` (the
 * tenant's, else `defaultAudience`: the partner app's application id), so the receiver can check
 * who sent it.
 */
export function pipelineActivities(tenant: TenantConfig, defaultAudience: pulumi.Input<string>) {
  const copies = [copyPersonReport()];
  if (tenant.usersDataset) copies.push(copyUsers(tenant.userColumns));
  if (!tenant.notifyUrl) return copies;
  const notify = {
    name: NOTIFY_ACTIVITY,
    type: "WebActivity" as const,
    method: "POST",
    url: tenant.notifyUrl,
    headers: { "Content-Type": "application/json" },
    body: expression(notifyBody(tenant)),
    authentication: { type: "MSI", resource: tenant.notifyAudience ?? defaultAudience },
    dependsOn: copies.map((c) => ({ activity: c.name, dependencyConditions: ["Succeeded"] })),
    policy: { ...NOTIFY_POLICY },
  };
  return [...copies, notify];
}
