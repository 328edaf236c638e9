import { DropError } from "../errors";

const UNITS_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/**
 * Milliseconds of a duration such as `12h`, `90m`, `1h30m` or `45s` (units d, h, m, s, largest first).
 * @throws DropError USAGE naming `flag` for anything else, or a zero duration.
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  const ms = match && match[0] !== "" ? [UNITS_MS.d, UNITS_MS.h, UNITS_MS.m, UNITS_MS.s].reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0) : 0;
  if (!ms) throw new DropError("USAGE", `${flag} ${JSON.stringify(text)}: must be a duration such as 12h, 90m or 1h30m`);
  return ms;
}

/** A duration for people: `47m 3s`, `2h 5m`, `12s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
