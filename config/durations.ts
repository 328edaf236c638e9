/**
 * ISO 8601 durations of whole days, weeks, months and years (P1Y, P90D, P1Y6M, P2W): the form
 * Key Vault rotation policies take (`expiryTime`, `timeBeforeExpiry`).
 */
export interface CalendarDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

/** The duration `text` stands for, or undefined when it is not a date-only ISO 8601 duration with at least one part. */
export function parseCalendarDuration(text: string): CalendarDuration | undefined {
  const match = DURATION.exec(text);
  if (!match || text === "P") return undefined;
  const [years, months, weeks, days] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return { years, months, weeks, days };
}

/** The instant `duration` after `ms`, on the UTC calendar (P1M after Jan 31 is Mar 3, as Date counts). */
export function addCalendarDuration(ms: number, duration: CalendarDuration): number {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + duration.years, d.getUTCMonth() + duration.months, d.getUTCDate() + duration.weeks * 7 + duration.days);
  return d.getTime();
}

/** The fewest days the duration can span (a month counts 28 days, a year 365). */
export function minimumDays(duration: CalendarDuration): number {
  return duration.years * 365 + duration.months * 28 + duration.weeks * 7 + duration.days;
}

/** The most days the duration can span (a month counts 31 days, a year 366). */
export function maximumDays(duration: CalendarDuration): number {
  return duration.years * 366 + duration.months * 31 + duration.weeks * 7 + duration.days;
}

/** Key Vault's floor for a rotation policy's expiryTime (how long a rotated version lasts). */
export const MIN_KEY_LIFETIME_DAYS = 28;
/** Key Vault's floor for rotating before expiry, and for the gap between creation and rotation. */
export const MIN_ROTATION_DAYS = 7;

/**
 * Why a key lifetime and its rotate/notify lead times cannot form a Key Vault rotation policy,
 * or undefined when they can: the lifetime spans at least 28 days, rotation comes at least 7 days
 * before expiry and at least 7 days after creation, and the notification comes before expiry
 * but after creation. Each reason names the setting it is about.
 */
export function rotationPolicyProblem(lifetime: CalendarDuration, rotateBefore: CalendarDuration, notifyBefore: CalendarDuration): { setting: "keyLifetime" | "keyRotateBefore" | "keyNotifyBefore"; rule: string } | undefined {
  if (minimumDays(lifetime) < MIN_KEY_LIFETIME_DAYS) return { setting: "keyLifetime", rule: `must be at least ${MIN_KEY_LIFETIME_DAYS} days (Key Vault's minimum expiryTime)` };
  if (minimumDays(rotateBefore) < MIN_ROTATION_DAYS) return { setting: "keyRotateBefore", rule: `must be at least ${MIN_ROTATION_DAYS} days (Key Vault rotates no later than 7 days before expiry)` };
  if (minimumDays(lifetime) - maximumDays(rotateBefore) < MIN_ROTATION_DAYS) {
    return { setting: "keyRotateBefore", rule: `must leave at least ${MIN_ROTATION_DAYS} days of keyLifetime before the rotation (Key Vault rotates no earlier than 7 days after creation)` };
  }
  if (minimumDays(notifyBefore) < 1) return { setting: "keyNotifyBefore", rule: "must be at least 1 day" };
  if (maximumDays(notifyBefore) >= minimumDays(lifetime)) return { setting: "keyNotifyBefore", rule: "must be shorter than keyLifetime (the notice comes before the expiry, after creation)" };
  return undefined;
}
