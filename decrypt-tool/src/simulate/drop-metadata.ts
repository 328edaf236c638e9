import type { ResolvedSimulateOptions } from "./options";
import type { RowScan } from "./scan-rows";

const DEFAULT_LOOKBACK_DAYS = 14;

/** Identifiers and times of one simulated pipeline run. */
export interface SimulatedRun {
  copyActivityId: string;
  extractionResultId: string;
  applicationId: string;
  publicKeyVersion: string;
  submitted: Date;
  completed: Date;
}

/**
 * The request window: the options when given, else the rows' MetricDate range, else what the pipeline
 * does without parameters (end = trigger time, start = end minus DefaultLookbackWindowDays, 14).
 */
export function requestWindow(options: ResolvedSimulateOptions, scan: RowScan, submitted: Date): { start: string; end: string } {
  const fallbackEnd = submitted.toISOString();
  const end = options.requestEndDate ?? scan.metricDateRange?.max ?? fallbackEnd;
  const lookback = new Date(Date.parse(end) - DEFAULT_LOOKBACK_DAYS * 24 * 3600 * 1000).toISOString();
  const start = options.requestStartDate ?? scan.metricDateRange?.min ?? lookback;
  return { start, end };
}

/**
 * Metadata.json as the service writes it: every field of the seed's table. ColumnsRequested is joined with
 * bare commas, because column names themselves contain ", ".
 */
export function vivaMetadataJson(
  options: ResolvedSimulateOptions,
  scan: RowScan,
  run: SimulatedRun,
  fileKey: { wrappedKey: Buffer; iv: Buffer },
): Record<string, unknown> {
  const window = requestWindow(options, scan, run.submitted);
  return {
    CopyActivityId: run.copyActivityId,
    JobSubmissionTime: run.submitted.toISOString(),
    JobCompletionTime: run.completed.toISOString(),
    RequestStartDate: window.start,
    RequestEndDate: window.end,
    ColumnsRequested: scan.columns.join(","),
    NumberOfRowsExtracted: scan.rows,
    DataFactoryName: options.dataFactoryName,
    TenantId: options.tenantId,
    Errors: "",
    TableName: options.tableName,
    ApplicationId: run.applicationId,
    OfficeGeo: options.officeGeo,
    ExtractionResultId: run.extractionResultId,
    PublicKeyVersion: run.publicKeyVersion,
    DecryptionKeyDetails: {
      DecryptionKeyType: "File",
      value: fileKey.wrappedKey.toString("base64"),
      iv: fileKey.iv.toString("base64"),
    },
  };
}

/** encryptionKeyDetails.json of the Graph Data Connect layout. */
export function mgdcKeyDetailsJson(run: SimulatedRun, fileKey: { wrappedKey: Buffer; iv: Buffer }): Record<string, unknown> {
  return {
    PublicKeyVersion: run.publicKeyVersion,
    DecryptionKeyValue: fileKey.wrappedKey.toString("base64"),
    DecryptionKeyIV: fileKey.iv.toString("base64"),
  };
}
