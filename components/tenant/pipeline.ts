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
 * The DateTime column of VivaInsightsDataset_PersonReport_v1. Office365Source applies startTime and
 * endTime to `dateFilterColumn` only: without it the window would not filter the extraction.
 */
export const PERSON_REPORT_DATE_COLUMN = "MetricDate";

/**
 * AggregationType at run time. Office365Source documents no property for it (allowedGroups,
 * dateFilterColumn, startTime, endTime, outputColumns, userScopeFilterUri only), so the value travels
 * where ADF keeps and shows it: a user property of each copy (Monitor > activity runs) and the
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

function copyActivity(name: string, source: string, sink: string, folder: string, dateColumn?: string) {
  return {
    name,
    type: "Copy" as const,
    inputs: [{ referenceName: source, type: "DatasetReference" }],
    outputs: [{ referenceName: sink, type: "DatasetReference", parameters: { folder: expression(folder) } }],
    source: dateColumn
      ? {
          type: "Office365Source" as const,
          dateFilterColumn: dateColumn,
          startTime: expression(REQUEST_START_EXPRESSION),
          endTime: expression(REQUEST_END_EXPRESSION),
        }
      : { type: "Office365Source" as const },
    // Users are not windowed or aggregated: only the PersonReport copy records the request.
    ...(dateColumn ? { userProperties: copyUserProperties() } : {}),
    sink: { type: "BinarySink" as const, storeSettings: { type: "AzureBlobFSWriteSettings" as const } },
    policy: { timeout: "0.12:00:00", retry: 2, retryIntervalInSeconds: 300 },
  };
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

/** The pipeline's activities: the copies, then the notification when a URL is configured. */
export function pipelineActivities(tenant: TenantConfig) {
  const copies = [copyActivity(COPY_PERSON_REPORT, DATASETS.personReport, DATASETS.personReportDrop, RUN_FOLDER_EXPRESSION, PERSON_REPORT_DATE_COLUMN)];
  if (tenant.usersDataset) copies.push(copyActivity(COPY_USERS, DATASETS.users, DATASETS.usersDrop, USERS_FOLDER_EXPRESSION));
  if (!tenant.notifyUrl) return copies;
  const notify = {
    name: NOTIFY_ACTIVITY,
    type: "WebActivity" as const,
    method: "POST",
    url: tenant.notifyUrl,
    headers: { "Content-Type": "application/json" },
    body: expression(notifyBody(tenant)),
    dependsOn: copies.map((c) => ({ activity: c.name, dependencyConditions: ["Succeeded"] })),
    policy: { timeout: "0.00:10:00", retry: 3, retryIntervalInSeconds: 60 },
  };
  return [...copies, notify];
}
