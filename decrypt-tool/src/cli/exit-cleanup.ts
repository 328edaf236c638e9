import { constants } from "node:os";

/**
 * The signals a terminal or a supervisor sends to end a process: the terminal closed (SIGHUP), Ctrl-C
 * (SIGINT), Ctrl-\ (SIGQUIT), a supervisor's stop (SIGTERM), a reader that went away (SIGPIPE).
 */
export const TERMINATING_SIGNALS = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGPIPE"] as const;

/** The exit status of a process ended by `signal`, as a shell reports it: 128 + the signal's number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** A synchronous undo step: after a signal nothing asynchronous gets to run. */
export interface ExitTask {
  run(): void;
  /**
   * Node ignores SIGPIPE (a closed pipe shows up as EPIPE on the write instead). A task that guards half-written
   * output makes SIGPIPE end the process like the other signals; others (the progress bar) leave it ignored, so
   * `viva-drop decrypt … | head` still ends quietly.
   */
  endOnBrokenPipe?: boolean;
}

const tasks = new Set<ExitTask>();
const listening = new Set<NodeJS.Signals>();

/**
 * Runs `task` however the process ends until the returned function is called: on any of
 * {@link TERMINATING_SIGNALS} (then the process still ends by that signal, as it would have without us) and on
 * exit (process.exit, an uncaught exception). Call the returned function on the normal path.
 */
export function runOnExit(task: ExitTask): () => void {
  tasks.add(task);
  listen();
  return () => {
    tasks.delete(task);
    if (tasks.size === 0) stopListening();
  };
}

function listen(): void {
  if (listening.size === 0) process.on("exit", runTasks);
  for (const signal of TERMINATING_SIGNALS) {
    if (listening.has(signal)) continue;
    listening.add(signal);
    process.on(signal, onSignal);
  }
}

// SIGPIPE stays caught once it was: removing the listener would give it its default action (end the process)
// instead of Node's "ignore", and a later EPIPE on stderr would then kill the process silently.
function stopListening(): void {
  process.off("exit", runTasks);
  for (const signal of listening) {
    if (signal === "SIGPIPE") continue;
    process.off(signal, onSignal);
    listening.delete(signal);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (signal === "SIGPIPE" && ![...tasks].some((task) => task.endOnBrokenPipe)) return;
  runTasks();
  stopListening();
  if (signal === "SIGPIPE") {
    process.off(signal, onSignal);
    listening.delete(signal);
  }
  // Someone else handles this signal too (the demo cleans up its emulator): they end the process.
  if (process.listenerCount(signal) > 0) return;
  // Without a listener the signal has its default action again: the process ends as the sender meant,
  // and a parent sees "killed by SIGHUP" rather than an exit code we made up.
  process.kill(process.pid, signal);
  // In case the signal was blocked or ignored by whoever started us.
  process.exit(signalExitCode(signal));
}

function runTasks(): void {
  for (const task of [...tasks]) {
    tasks.delete(task);
    try {
      task.run();
    } catch {
      // Best effort: the remaining tasks still run.
    }
  }
}
