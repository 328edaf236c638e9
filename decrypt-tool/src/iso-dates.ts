// Shared with the Pulumi program (config/dates.ts re-exports these): no imports, so the program does not
// load any of viva-drop's dependencies.

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// A date-time without an offset would be read in the local time zone of whoever runs the program.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 date (UTC midnight) or zoned date-time; undefined otherwise. */
export function parseInstant(value: string): number | undefined {
  if (!ISO_DATE.test(value) && !ISO_DATE_TIME.test(value)) return undefined;
  // Date.parse rolls 2027-02-30 (alone or in a date-time) over to March: the written day must exist.
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The instant one calendar month after `ms` (UTC), e.g. Jan 31 → Mar 3 the way Date does it. */
export function addUtcMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** ISO 8601 UTC date-time text of an instant, without milliseconds: 2027-11-25T00:00:00Z. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const DAY_MS = 24 * 60 * 60 * 1000;
