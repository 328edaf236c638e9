import { SingleBar } from "cli-progress";
import type { ReadProgress } from "../decrypt/read-data";

/** Reports read progress on stderr. */
export interface ProgressReporter {
  update(progress: ReadProgress): void;
  stop(): void;
}

const MB = 1024 * 1024;

/** A progress bar (encrypted MB read, rows) on stderr when stderr is a terminal and not `quiet`; else silent. */
export function createProgressReporter(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (quiet || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: "{bar} {percentage}% | {read}/{size} MB encrypted | {rows} rows | {eta_formatted}",
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(progress) {
      const payload = { read: (progress.encryptedBytes / MB).toFixed(1), size: (progress.totalEncryptedBytes / MB).toFixed(1), rows: progress.rows.toLocaleString("en-US") };
      if (!started) {
        bar.start(Math.max(progress.totalEncryptedBytes, 1), 0, payload);
        started = true;
      }
      bar.update(Math.min(progress.encryptedBytes, progress.totalEncryptedBytes), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
