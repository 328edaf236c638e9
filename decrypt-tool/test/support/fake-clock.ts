/**
 * A clock whose `sleep` returns at once and moves time on by what was asked, so polling schedules and
 * timeouts run in microseconds. `waits` records every sleep. An aborted signal rejects the sleep, as a
 * real timer would.
 */
export function fakeClock(startMs: number): { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; waits: number[] } {
  let now = startMs;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      waits.push(ms);
      now += ms;
    },
  };
}
