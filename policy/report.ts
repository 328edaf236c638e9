import type { ReportViolation } from "@pulumi/policy";

/**
 * Reports one violation of one property. Every message starts with the property's path, so a person
 * (and `npm run policy`) sees which input to change.
 */
export function reportProperty(report: ReportViolation, property: string, problem: string, urn?: string): void {
  report(`${property} ${problem}`, urn);
}

/** A value for a message: strings quoted, absent values named as such. Never used for secrets. */
export function shown(value: unknown): string {
  if (value === undefined) return "not set";
  return JSON.stringify(value);
}
