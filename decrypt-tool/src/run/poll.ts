import { setTimeout as sleepFor } from "node:timers/promises";
import { statusCodeOf } from "../data-factory";

/**
 * How often a pipeline run is polled. Each poll is one Pipeline Runs - Get through the SDK, whose retry
 * policy already retries throttling (honouring Retry-After) and server errors; this schedule only spaces
 * the polls and carries on when a poll still fails after the SDK's retries.
 */
export interface PollTiming {
  /** Wait before the first poll, and the smallest wait between polls. */
  initialIntervalMs: number;
  /** Each wait is the previous one times this, up to {@link maxIntervalMs}. */
  backoffFactor: number;
  maxIntervalMs: number;
  /** Consecutive polls that may fail with a transient error (429, 5xx, no response) before giving up. */
  maxTransientFailures: number;
  /** Waits `ms`, or rejects when `signal` aborts. Injectable so tests never wait for real. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch; injectable with `sleep` so timeouts are tested without waiting. */
  now: () => number;
}

/** Graph Data Connect runs take 45 minutes or more (MGDC FAQ): poll every 15 s at first, then every 2 min. */
export const DEFAULT_POLL_TIMING: PollTiming = {
  initialIntervalMs: 15_000,
  backoffFactor: 1.5,
  maxIntervalMs: 120_000,
  maxTransientFailures: 20,
  sleep: async (ms, signal) => void (await sleepFor(ms, undefined, { signal })),
  now: () => Date.now(),
};

/** The next interval of the backoff schedule. */
export function nextInterval(current: number, timing: PollTiming): number {
  return Math.min(Math.max(current * timing.backoffFactor, timing.initialIntervalMs), timing.maxIntervalMs);
}

/** Throttling, a server error or no response at all: worth polling again later. */
export function isTransientPollError(error: unknown): boolean {
  const status = statusCodeOf(error);
  if (status === undefined) return (error as { name?: string } | undefined)?.name === "RestError";
  return status === 429 || status === 408 || status >= 500;
}

/**
 * The wait a failed response asks for, in milliseconds: `retry-after-ms`, `x-ms-retry-after-ms`, or
 * `Retry-After` in seconds or as an HTTP date (the headers the SDK's throttling policy reads).
 */
export function retryAfterMs(error: unknown, nowMs: number): number | undefined {
  const headers = (error as { response?: { headers?: { get(name: string): string | undefined } } } | undefined)?.response?.headers;
  if (!headers) return undefined;
  for (const [name, unit] of [["retry-after-ms", 1], ["x-ms-retry-after-ms", 1], ["retry-after", 1000]] as const) {
    const text = headers.get(name);
    if (text === undefined || text === "") continue;
    const number = Number(text);
    if (Number.isFinite(number) && number >= 0) return number * unit;
    const date = Date.parse(text);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  return undefined;
}
