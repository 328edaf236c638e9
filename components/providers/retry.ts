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

/** The message of an unknown thrown value, for building one-line error reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The HTTP status of an Azure SDK `RestError`, if the error carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The service error code of an Azure SDK `RestError` (e.g. "Conflict"), if any. */
export function serviceCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
