import { SingleBar } from "cli-progress";
import type { IngestProgress } from "../ingest/types";

/** Reports ingest progress on stderr. */
export interface IngestProgressReporter {
  update(progress: IngestProgress): void;
  stop(): void;
}

/**
 * A progress line on stderr when it is a terminal and not `quiet`, else silent: drop n of m, the drop,
 * its rows so far and MB/s of decrypted data (MB = 10^6 bytes), with a bar over its encrypted bytes.
 * `now` (ms) is injectable for tests.
 */
export function createIngestProgress(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): IngestProgressReporter {
  if (quiet || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: "drop {drop} of {drops} {bar} {folder} | {rows} rows | {rate} MB/s",
    hideCursor: true,
    clearOnComplete: true,
    barsize: 20,
  });
  let current: { key: string; startedAt: number } | undefined;
  return {
    update(p) {
      const key = `${p.tenantId}/${p.runFolder}`;
      if (current?.key !== key) current = { key, startedAt: now() };
      const seconds = (now() - current.startedAt) / 1000;
      const payload = {
        drop: p.drop,
        drops: p.drops,
        folder: p.runFolder,
        rows: p.rows.toLocaleString("en-US"),
        rate: seconds > 0 ? (p.decryptedBytes / 1e6 / seconds).toFixed(1) : "-",
      };
      const total = Math.max(p.totalEncryptedBytes, 1);
      if (!bar.isActive) bar.start(total, Math.min(p.encryptedBytes, total), payload);
      else {
        bar.setTotal(total);
        bar.update(Math.min(p.encryptedBytes, total), payload);
      }
    },
    stop() {
      if (bar.isActive) bar.stop();
    },
  };
}
