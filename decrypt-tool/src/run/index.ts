export { runTenantPipeline, type RunEvent, type RunIngestOptions, type RunTenantOptions, type RunTenantResult } from "./run-tenant";
export { runTargetFromOutputs, type TenantRunTarget } from "./tenant-target";
export { parseRunParameters, toPipelineParameters, type PipelineRunParameters, type RunParameterInput, type RunParameters } from "./parameters";
export { FINAL_RUN_STATUSES, type ActivityFailure, type PipelineRunInfo, type WaitOutcome } from "./pipeline-run";
export { explainGraphDataConnectError, type GraphDataConnectExplanation } from "./graph-data-connect-errors";
export { DEFAULT_POLL_TIMING, type PollTiming } from "./poll";
export type { IngestDrops } from "./ingest-step";
