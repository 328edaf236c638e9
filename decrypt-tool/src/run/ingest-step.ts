import { DropError } from "../errors";
import type { ingestDrops } from "../ingest/ingest-drops";
import type { IngestSummary } from "../ingest/types";

/** The ingest library's `ingestDrops`; the run flow takes it as a function, so tests can pass their own. */
export type IngestDrops = typeof ingestDrops;

/** The run folders a run writes: `<runId>`, and `<runId>-users` when the tenant exports users (components/tenant/pipeline.ts). */
export function runFoldersOf(runId: string, usersDataset: boolean): string[] {
  return usersDataset ? [runId, `${runId}-users`] : [runId];
}

/**
 * Checks that ingest loaded the run's person report drop, as `viva-drop ingest` would judge it.
 * @throws DropError DROP_REJECTED (exit 5, as ingest) naming each rejected drop with ingest's reason;
 *   RUN_FAILED (exit 3) for a drop whose metadata reports a failed copy; DATA_MISSING when the run's
 *   folder held no drop.
 */
export function checkIngested(summary: IngestSummary, runId: string, container: string): void {
  const describe = (status: "rejected" | "failed"): string =>
    summary.drops
      .filter((drop) => drop.status === status)
      .map((drop) => `${drop.runFolder}${drop.reason ? ` (${drop.reason})` : ""}`)
      .join("; ");
  if (summary.rejected > 0) throw new DropError("DROP_REJECTED", `run ${runId} succeeded but ingest rejected its drop: ${describe("rejected")}`);
  if (summary.failed > 0) throw new DropError("RUN_FAILED", `run ${runId} succeeded but its drop reports a failed copy: ${describe("failed")}`);
  if (!summary.drops.some((drop) => drop.runFolder === runId)) {
    throw new DropError("DATA_MISSING", `run ${runId} succeeded but ${container} holds no drop in ${runId}/ (has the copy written to another container?)`);
  }
}
