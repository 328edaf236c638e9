import type { SingleBar as SingleBarType } from "cli-progress";
import type { ReadProgress } from "../decrypt/read-data";
import { runOnExit } from "./exit-cleanup";
import { BYTES_PER_MB } from "./format";

/** Reports read progress on stderr. */
export interface ProgressReporter {
  update(progress: ReadProgress): void;
  stop(): void;
}

/** What the bar changes in the terminal and must give back however the process ends: cursor and line wrap. */
const RESTORE_TERMINAL = "\r\x1b[2K\x1b[?7h\x1b[?25h";

/**
 * A progress bar (encrypted MB read, in the same 10^6-byte MB as every other figure; rows; time left) on stderr
 * when stderr is a terminal and not `quiet`; else silent. `now` (ms) is injectable for tests. While the bar is drawn it hides the cursor and turns line
 * wrap off; both are restored when it stops, and also on Ctrl-C, any other terminating signal, or a crash.
 * Callers writing rows to stdout pass `quiet` when stdout is that terminal, so the bar never draws over rows.
 */
export function createProgressReporter(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressReporter {
  if (quiet || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  // Loaded only when a bar is drawn: piped and --quiet runs never need it (start-up, see cli/main.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar } = require("cli-progress") as { SingleBar: typeof SingleBarType };
  // cli-progress's own {eta_formatted} prints "NFs" / "LLs" (clipped INF / NULL) until it has a rate.
  const bar = new SingleBar({
    stream,
    format: "{bar} {percentage}% | {read}/{size} MB encrypted | {rows} rows | {left}",
    hideCursor: true,
    clearOnComplete: true,
  });
  let startedAt: number | undefined;
  let release: (() => void) | undefined;
  return {
    update(progress) {
      const total = progress.totalEncryptedBytes;
      const read = Math.min(progress.encryptedBytes, total);
      if (startedAt === undefined) startedAt = now();
      const payload = {
        read: (read / BYTES_PER_MB).toFixed(1),
        size: (total / BYTES_PER_MB).toFixed(1),
        rows: progress.rows.toLocaleString("en-US"),
        left: formatTimeLeft(now() - startedAt, read, total),
      };
      if (!bar.isActive) {
        release ??= runOnExit({ run: () => stream.write(RESTORE_TERMINAL) });
        bar.start(Math.max(total, 1), read, payload);
      } else {
        bar.update(read, payload);
      }
    },
    stop() {
      if (bar.isActive) bar.stop();
      release?.();
      release = undefined;
    },
  };
}

/** "12s left", "3m05s left", or "" while too little has been read to tell. */
export function formatTimeLeft(elapsedMs: number, done: number, total: number): string {
  if (done <= 0 || elapsedMs < 500 || done >= total) return "";
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  if (seconds < 60) return `${seconds}s left`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s left`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m left`;
}
