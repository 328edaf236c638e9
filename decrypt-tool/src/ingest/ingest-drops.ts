import { type OpenedDrop, openDrop } from "../drop";
import { DropError, describeError } from "../errors";
import type { KeyOptions } from "../key/key-options";
import { deleteDropFiles } from "./delete-drop";
import { type FoundDrop, findDrops } from "./find-drops";
import { ndjsonChunks } from "./ndjson-chunks";
import { isRejection } from "./rejection";
import { RowBatcher } from "./row-batches";
import { openSink } from "./sinks/index";
import type { DropKind, DropLoad, LedgerRow, RowBatch, Sink } from "./sinks/sink";
import { parseSinkTarget } from "./sinks/target";
import type { IngestedDrop, IngestOptions, IngestProgress, IngestSummary } from "./types";

const PERSON_REPORT_DATASET = "VivaInsightsDataset_PersonReport_v1";
const USERS_DATASET = "BasicDataSet_v0.User_v1";

/**
 * Loads every drop under `source` (a tenant container or a storage account, local folder or blob URL) into
 * the database `sink` names (`*.duckdb`, `duckdb:<path>`, `postgres://…`), oldest first, exactly once:
 * - a drop already `loaded` is skipped; a `failed` or `rejected` one is read again only when its files changed;
 * - a drop whose metadata reports Errors is recorded `failed`; one that does not decrypt or verify (or holds
 *   rows the tables cannot take) is recorded `rejected`, none of its rows visible, and the run goes on;
 * - key problems that do not belong to the drop (key unavailable, access denied, wrong key), unreadable
 *   storage, sink failures (SinkError) and an abort stop the run: the drop in progress is rolled back,
 *   drops loaded before it stay loaded, and the error is thrown.
 */
export async function ingestDrops(source: string, sink: string, keyOptions: KeyOptions, options: IngestOptions = {}): Promise<IngestSummary> {
  const started = process.hrtime.bigint();
  const target = parseSinkTarget(sink);
  if (!target) throw new DropError("USAGE", `sink ${JSON.stringify(sink)}: expected a DuckDB file (*.duckdb or duckdb:<path>) or a PostgreSQL URL (postgres://…)`);
  if (!keyOptions.keyVaultUrl && keyOptions.privateKeyPem === undefined) throw new DropError("USAGE", "a key is needed: a Key Vault URL or a private key");
  const { signal } = options;
  signal?.throwIfAborted();
  const drops = await findDrops(source, options);
  signal?.throwIfAborted();
  const db = await openSink(target);
  const results: IngestedDrop[] = [];
  try {
    await db.prepare(signal);
    const ledgers = new Map<string, Map<string, LedgerRow>>();
    for (const [index, drop] of drops.entries()) {
      signal?.throwIfAborted();
      let ledger = ledgers.get(drop.tenantId);
      if (!ledger) ledgers.set(drop.tenantId, (ledger = await db.ledger(drop.tenantId)));
      const report = (p: Omit<IngestProgress, "drop" | "drops" | "tenantId" | "runFolder">): void =>
        options.onProgress?.({ drop: index + 1, drops: drops.length, tenantId: drop.tenantId, runFolder: drop.runFolder, ...p });
      results.push(await ingestOne(drop, ledger.get(drop.runFolder), db, keyOptions, options, report));
    }
  } finally {
    await db.close();
  }
  const count = (status: IngestedDrop["status"]): number => results.filter((r) => r.status === status).length;
  return {
    drops: results,
    loaded: count("loaded"),
    alreadyLoaded: count("alreadyLoaded"),
    failed: count("failed"),
    rejected: count("rejected"),
    rows: results.reduce((sum, r) => sum + r.rows, 0),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

type ReportProgress = (progress: Omit<IngestProgress, "drop" | "drops" | "tenantId" | "runFolder">) => void;

async function ingestOne(
  drop: FoundDrop,
  recorded: LedgerRow | undefined,
  db: Sink,
  keyOptions: KeyOptions,
  options: IngestOptions,
  report: ReportProgress,
): Promise<IngestedDrop> {
  const kind = kindOf(drop);
  const ledger = ledgerFields(drop, kind);
  const result = (status: IngestedDrop["status"], rows = 0, reason?: string): IngestedDrop => ({
    tenantId: drop.tenantId,
    runFolder: drop.runFolder,
    dataset: ledger.dataset,
    status,
    rows,
    ...(reason === undefined ? {} : { reason }),
  });
  const record = async (status: "failed" | "rejected", reason: string): Promise<IngestedDrop> => {
    const line = describeError(reason);
    await db.recordOutcome({ ...ledger, status, rows: 0, reason: line, loadedAt: new Date() });
    return result(status, 0, line);
  };

  if (recorded?.status === "loaded") {
    const done = result("alreadyLoaded");
    // A run that stopped between commit and delete leaves the files: delete them now, unless they changed.
    if (options.deleteAfterLoad && recorded.filesFingerprint === drop.fingerprint) return withDeletion(done, drop, options);
    return done;
  }
  if (recorded && recorded.filesFingerprint === drop.fingerprint) return { ...result(recorded.status, 0, recorded.reason ?? undefined), unchanged: true };

  if (drop.problem !== undefined) return record("rejected", drop.problem);
  const metadata = drop.metadata!;
  if (metadata.errors !== undefined) return record("failed", `the service reported a failed run: ${metadata.errors}`);
  if (kind === undefined) return record("rejected", `dataset ${metadata.tableName} is not one ingest loads (${PERSON_REPORT_DATASET}, ${USERS_DATASET})`);
  if (metadata.tenantId && metadata.tenantId.toLowerCase() !== drop.tenantId) {
    return record("rejected", `TenantId ${metadata.tenantId} in the metadata is not the tenant of the container (${drop.tenantId})`);
  }

  let opened: OpenedDrop;
  try {
    opened = await openDrop(drop.source, keyOptions);
  } catch (error) {
    if (isRejection(error)) return record("rejected", describeError(error));
    throw inDrop(error, drop);
  }
  const load: DropLoad = { kind, ledger };
  let outcome;
  try {
    // Each read of the rows reads the drop's files again: a sink may need a second read (see DropRows).
    outcome = await db.loadDrop(
      load,
      { batches: () => rowBatches(opened, kind, report, options.signal), ndjson: () => ndjsonChunks(opened, kind, report, options.signal) },
      options.signal,
    );
  } catch (error) {
    if (isRejection(error)) return record("rejected", describeError(error));
    throw inDrop(error, drop);
  }
  if (outcome.status === "alreadyLoaded") return result("alreadyLoaded");
  const loaded = result("loaded", outcome.rows);
  return options.deleteAfterLoad ? withDeletion(loaded, drop, options) : loaded;
}

async function withDeletion(done: IngestedDrop, drop: FoundDrop, options: IngestOptions): Promise<IngestedDrop> {
  try {
    await deleteDropFiles(drop.containerLocation, drop.runFolder, options);
    return { ...done, deleted: true };
  } catch (error) {
    return { ...done, deleted: false, deleteError: describeError(error) };
  }
}

async function* rowBatches(opened: OpenedDrop, kind: DropKind, report: ReportProgress, signal: AbortSignal | undefined): AsyncGenerator<RowBatch> {
  const batcher = new RowBatcher(kind);
  const rows = opened.rows({ onProgress: (p) => report({ rows: p.rows, decryptedBytes: p.decryptedBytes, encryptedBytes: p.encryptedBytes, totalEncryptedBytes: p.totalEncryptedBytes }) });
  for await (const row of rows) {
    const batch = batcher.add(row);
    if (batch) {
      signal?.throwIfAborted();
      yield batch;
    }
  }
  const last = batcher.finish();
  if (last) yield last;
}

/** Person report or users, from TableName or the `-users` run folder; undefined for a dataset ingest does not load. */
export function kindOf(drop: Pick<FoundDrop, "runFolder" | "metadata">): DropKind | undefined {
  const table = drop.metadata?.tableName;
  if ((table && /User_v\d+$/i.test(table)) || (!table && /-users$/i.test(drop.runFolder))) return "users";
  if (!table || /PersonReport/i.test(table)) return "personReport";
  return undefined;
}

function ledgerFields(drop: FoundDrop, kind: DropKind | undefined): DropLoad["ledger"] {
  const metadata = drop.metadata;
  return {
    tenantId: drop.tenantId,
    runFolder: drop.runFolder,
    dataset: metadata?.tableName ?? (kind === "users" ? USERS_DATASET : PERSON_REPORT_DATASET),
    extractionId: metadata?.extractionResultId ?? metadata?.copyActivityId ?? drop.runFolder,
    requestStart: dateOrNull(metadata?.requestStartDate),
    requestEnd: dateOrNull(metadata?.requestEndDate),
    jobCompletedAt: dateOrNull(metadata?.jobCompletionTime),
    filesFingerprint: drop.fingerprint,
  };
}

function dateOrNull(text: string | undefined): Date | null {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}

// A drop's error that stops the run says which drop.
function inDrop(error: unknown, drop: FoundDrop): unknown {
  if (!(error instanceof DropError)) return error;
  return new DropError(error.code, `${drop.tenantId}/${drop.runFolder}: ${error.message}`, { cause: error });
}
