import { DropError } from "../errors";
import type { KeyOptions } from "../key/key-options";
import type { SourceOptions } from "../source/index";

// The ingest library's contract (decrypt-tool/src/ingest/index.ts, written by issue 11), declared here so the
// run flow can take the ingest step as a function: the CLI passes the real `ingestDrops`, tests a fake.

/** What happened to one drop (ingest's IngestSummary.drops). */
export interface IngestedDrop {
  tenantId: string;
  runFolder: string;
  dataset: string;
  status: "loaded" | "alreadyLoaded" | "failed" | "rejected";
  rows: number;
  reason?: string;
}

/** ingest's IngestSummary. */
export interface IngestSummary {
  drops: IngestedDrop[];
  loaded: number;
  alreadyLoaded: number;
  failed: number;
  rejected: number;
  rows: number;
  seconds: number;
}

/** The options of ingest this flow uses (ingest's IngestOptions). */
export interface IngestStepOptions extends SourceOptions {
  signal?: AbortSignal;
  /** Only these run folders of the tenant container. */
  runFolders?: string[];
}

/** `ingestDrops(source, sink, keyOptions, options)` from the ingest library. */
export type IngestDrops = (source: string, sink: string, keyOptions: KeyOptions, options?: IngestStepOptions) => Promise<IngestSummary>;

/** The run folders a run writes: `<runId>`, and `<runId>-users` when the tenant exports users (components/tenant/pipeline.ts). */
export function runFoldersOf(runId: string, usersDataset: boolean): string[] {
  return usersDataset ? [runId, `${runId}-users`] : [runId];
}

/**
 * Checks that ingest loaded the run's person report drop and nothing failed.
 * @throws DropError DATA_MISSING when the run's folder held no drop, SOURCE_UNREADABLE naming each drop that
 *   failed or was rejected (with ingest's reason).
 */
export function checkIngested(summary: IngestSummary, runId: string, container: string): void {
  const bad = summary.drops.filter((drop) => drop.status === "failed" || drop.status === "rejected");
  if (bad.length > 0) {
    const reasons = bad.map((drop) => `${drop.runFolder} ${drop.status}${drop.reason ? ` (${drop.reason})` : ""}`).join("; ");
    throw new DropError("SOURCE_UNREADABLE", `run ${runId} succeeded but ingest did not load its drops: ${reasons}`);
  }
  if (!summary.drops.some((drop) => drop.runFolder === runId)) {
    throw new DropError("DATA_MISSING", `run ${runId} succeeded but ${container} holds no drop in ${runId}/ (has the copy written to another container?)`);
  }
}
