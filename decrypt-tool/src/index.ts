/**
 * viva-drop as a library: read, verify and decrypt Microsoft Viva Insights data drops.
 *
 * ```ts
 * const drop = await openDrop("https://acct.blob.core.windows.net/<tenant>/<run>", { keyVaultUrl: "https://kv.vault.azure.net" });
 * for await (const row of drop.rows()) console.log(row.PersonId);
 * ```
 *
 * `simulateDrop` writes drops exactly as the service delivers them, for prototyping and tests.
 *
 * This is the whole public API, listed by name: what a backend needs to read drops, and the types to hold
 * the results. Everything else (the validator, batching, worker threads, the key and metadata pieces) is
 * internal and may change. Add a name here only for something a user of the package calls or types.
 */

// Reading drops
export {
  openDrop,
  inspectDrop,
  verifyDrop,
  type Abortable,
  type DropSummary,
  type InspectOptions,
  type OpenDropOptions,
  type OpenedDrop,
  type RowsOptions,
  type VerifyOptions,
  type VerifyResult,
} from "./drop";
export { listDrops, type DropListing, type ListDropsOptions } from "./list-drops";
export type { ReadDataOptions, ReadProgress } from "./decrypt/read-data";

// Errors: a stable code for programs, the CLI's exit code, one line of text
export { DropError, isDropError, describeError, DROP_ERROR_EXIT_CODES, EXIT_CODES, type DropErrorCode } from "./errors";

// Keys
export { RSA_PADDINGS, type KeyOptions, type RsaPadding } from "./key/key-options";
export { KEY_ENCODING_LABELS, type KeyEncoding } from "./key/key-text";

// Where drops are
export { resolveSource, type SourceOptions } from "./source/index";
export type { DropFile, DropSource, SourceReadOptions } from "./source/drop-source";
export { isBlobLocation, parseBlobLocation, redactLocation, type BlobAuthOptions, type BlobLocation } from "./source/blob-location";

// Metadata
export type { DropMetadata, MetadataLayout, WrappedFileKey } from "./metadata/drop-metadata";
export { parseColumnsRequested } from "./metadata/columns";

// Simulated drops
export {
  simulateDrop,
  KEY_TEXT_FORMS,
  PERSON_REPORT_TABLE,
  SIMULATE_LAYOUTS,
  SIMULATE_RSA_PADDINGS,
  type SimulatedDrop,
  type SimulateOptions,
} from "./simulate/index";

// Ingest: drops into a database (DuckDB or PostgreSQL), exactly once
export {
  ingestDrops,
  openSink,
  parseSinkTarget,
  describeSinkTarget,
  SinkError,
  DropRejectedError,
  SINK_OBJECTS,
  type IngestedDrop,
  type IngestOptions,
  type IngestProgress,
  type IngestSummary,
  type Sink,
  type SinkTarget,
  type LedgerRow,
  type DropStatus,
  type DropKind,
  type DropLoad,
  type LoadOutcome,
  type RowBatch,
  type Column,
  type ColumnType,
} from "./ingest/index";

// Pull model: run a tenant's pipeline and wait for it; fleet status over the stack outputs
export {
  runTenantPipeline,
  runTargetFromOutputs,
  parseRunParameters,
  explainGraphDataConnectError,
  FINAL_RUN_STATUSES,
  type ActivityFailure,
  type GraphDataConnectExplanation,
  type PipelineRunInfo,
  type PollTiming,
  type RunEvent,
  type RunIngestOptions,
  type RunParameterInput,
  type RunParameters,
  type RunTenantOptions,
  type RunTenantResult,
  type TenantRunTarget,
  type WaitOutcome,
} from "./run/index";
export { fleetStatus, allHealthy, type FleetStatusOptions, type HealthRules, type RunSummary, type TenantStatus } from "./status/index";
export { parseStackOutputs, readStackOutputs, type StackOutputs, type TenantOutputs } from "./stack-outputs";
