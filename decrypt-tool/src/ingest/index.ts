/**
 * `viva-drop ingest` as a library: every drop of a tenant container or storage account into a database,
 * exactly once. See docs/ingest.md.
 */
export { ingestDrops } from "./ingest-drops";
export type { IngestedDrop, IngestOptions, IngestProgress, IngestSummary } from "./types";
export { openSink } from "./sinks/index";
export * from "./sinks/sink";
export * from "./sinks/target";
