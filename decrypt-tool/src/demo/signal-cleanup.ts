import { signalExitCode } from "../cli/exit-cleanup";
import type { CleanupStack } from "./cleanup";


/** A SIGINT/SIGTERM trap installed by {@link cleanupOnSignals}. */
export interface SignalTrap {
  /** True once a signal arrived (the process is then cleaning up and about to exit). */
  readonly interrupted: boolean;
  /** Removes the handlers. */
  release(): void;
}

/**
 * Until released: on SIGINT or SIGTERM, runs `cleanup` and exits with 130 / 143. Repeated signals while
 * cleaning up are ignored, so a second Ctrl-C cannot leave an emulator or temp folder behind.
 */
export function cleanupOnSignals(cleanup: CleanupStack, notify: (signal: NodeJS.Signals) => void): SignalTrap {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    notify(signal);
    void cleanup.run().finally(() => process.exit(signalExitCode(signal)));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    get interrupted() {
      return interrupted;
    },
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
