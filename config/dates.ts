import { parseInstant } from "../decrypt-tool/src/iso-dates";

// One parser for the program and viva-drop (which validates `run` parameters with the same rules).
export { DAY_MS, addUtcMonths, isoSeconds, parseInstant } from "../decrypt-tool/src/iso-dates";

const ISO_UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/**
 * Seconds since the epoch (the unit of Key Vault `expires`) of an ISO 8601 date (UTC midnight) or
 * zoned date-time; undefined otherwise.
 */
export function epochSeconds(value: string): number | undefined {
  const ms = parseInstant(value);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/** True for an ISO 8601 UTC date-time such as 2026-01-05T00:00:00Z. */
export function isUtcDateTime(value: string): boolean {
  return ISO_UTC_DATE_TIME.test(value) && parseInstant(value) !== undefined;
}
