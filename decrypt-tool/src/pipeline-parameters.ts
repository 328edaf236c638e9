// The rules for the export pipeline's parameters, shared by the Pulumi config (config/) and `viva-drop run`,
// so a window the program refuses is refused by the CLI with the same words. No imports beyond iso-dates:
// the Pulumi program loads this file.
import { DAY_MS, addUtcMonths } from "./iso-dates";

/** Viva Insights aggregation periods (seed: "AggregationType"). */
export const AGGREGATION_TYPES = ["Day", "Week", "Month"] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

/** The pipeline's parameter names (components/tenant/pipeline.ts declares them; the seed names them). */
export const PIPELINE_PARAMETER_NAMES = {
  start: "RequestStartDate",
  end: "RequestEndDate",
  lookbackDays: "DefaultLookbackWindowDays",
  aggregation: "AggregationType",
} as const;

/** Bounds of DefaultLookbackWindowDays. */
export const LOOKBACK_DAYS_RANGE = { min: 1, max: 365 } as const;

/** Shortest lookback that covers one aggregation period. */
export const PERIOD_DAYS: Record<AggregationType, number> = { Day: 1, Week: 7, Month: 31 };

export const ISO_DATE_RULE = "must be an ISO 8601 date (2027-06-30) or date-time with a zone (2027-06-30T00:00:00Z)";
export const AGGREGATION_RULE = `must be one of ${AGGREGATION_TYPES.join(", ")}`;

/** The rule of a whole number from `min` to `max` (the lookback bounds, and other counts in config). */
export function wholeNumberRule(min: number, max: number): string {
  return `must be a whole number from ${min} to ${max}`;
}

export function isAggregationType(value: unknown): value is AggregationType {
  return (AGGREGATION_TYPES as readonly unknown[]).includes(value);
}

/** True for a whole number within {@link LOOKBACK_DAYS_RANGE}. */
export function isLookbackDays(value: number): boolean {
  return Number.isInteger(value) && value >= LOOKBACK_DAYS_RANGE.min && value <= LOOKBACK_DAYS_RANGE.max;
}

/**
 * What is wrong with a lookback of `days` for `aggregation` (it must cover one aggregation period), or
 * undefined. `aggregationName` is how the caller names the aggregation setting (`aggregationType`, `--aggregation`).
 */
export function lookbackRule(days: number, aggregation: AggregationType, aggregationName: string): string | undefined {
  const minimum = PERIOD_DAYS[aggregation];
  if (days >= minimum) return undefined;
  return `must be at least ${minimum} days for ${aggregationName} ${aggregation} (the window must cover one aggregation period)`;
}

/**
 * What is wrong with the end of a fixed window from `startMs` to `endMs` (seed: at least one aggregation
 * period apart; a month is a calendar month), or undefined. The names say how the caller calls the start
 * and the aggregation settings.
 */
export function windowRule(startMs: number, endMs: number, aggregation: AggregationType, startName: string, aggregationName: string): string | undefined {
  const minimumEnd = aggregation === "Month" ? addUtcMonths(startMs, 1) : startMs + PERIOD_DAYS[aggregation] * DAY_MS;
  if (endMs >= minimumEnd) return undefined;
  return `must be at least one ${aggregation.toLowerCase()} after ${startName} for ${aggregationName} ${aggregation}`;
}
