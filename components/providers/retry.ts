import { errorMessage, oneLine } from "./azure-errors";

/** How long and how often to retry an operation that fails for a transient reason. */
export interface RetryPolicy {
  /** Upper bound on the summed delays between attempts, in milliseconds. */
  budgetMs: number;
  /** Delay before the second attempt; doubled after each further failure. */
  initialDelayMs: number;
  /** Cap on a single delay. */
  maxDelayMs: number;
  /** Waits the given number of milliseconds; injectable so tests run without real waiting. */
  sleep: (ms: number) => Promise<void>;
}

/** Waits `ms` milliseconds on a real timer. */
export function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The outcome of a retried operation that never succeeded: the last error and how hard we tried. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly waitedMs: number,
  ) {
    super(errorMessage(lastError));
    this.name = "RetriesExhaustedError";
  }
}

/**
 * Runs `operation`, retrying with exponential backoff while `isTransient(error)` holds and the
 * policy's delay budget lasts. The budget counts the delays themselves (not wall-clock time), so
 * a test with an instant `sleep` exercises exactly the production schedule.
 * Errors that are not transient are rethrown at once; a transient error that outlasts the budget
 * is rethrown wrapped in {@link RetriesExhaustedError}.
 */
export async function retryTransient<T>(
  operation: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy,
): Promise<T> {
  let attempts = 0;
  let waitedMs = 0;
  let delayMs = policy.initialDelayMs;
  for (;;) {
    attempts += 1;
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const nextDelayMs = Math.min(delayMs, policy.maxDelayMs, policy.budgetMs - waitedMs);
      if (nextDelayMs <= 0) throw new RetriesExhaustedError(error, attempts, waitedMs);
      await policy.sleep(nextDelayMs);
      waitedMs += nextDelayMs;
      delayMs *= 2;
    }
  }
}

/**
 * The cause of a failure on one line; for an exhausted retry, the last error and how long it was
 * retried, so the reader knows waiting longer was already tried.
 */
export function failureCause(error: unknown): string {
  if (error instanceof RetriesExhaustedError) {
    return `${oneLine(errorMessage(error.lastError))} (still failing after ${error.attempts} attempts over ${Math.round(error.waitedMs / 1000)} s)`;
  }
  return oneLine(errorMessage(error));
}
