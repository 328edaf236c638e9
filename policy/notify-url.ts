import type { ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { reportProperty, shown } from "./report";
import { TYPES } from "./resource-types";

/** Activity types that call a URL. */
const CALLING_ACTIVITIES = ["WebActivity", "WebHook"];
/** Keys under which control activities (ForEach, If, Switch, Until) nest further activities. */
const NESTED_ACTIVITY_KEYS = ["activities", "ifTrueActivities", "ifFalseActivities", "defaultActivities"];

type Activity = Record<string, unknown>;

/** The URL text of a literal or of an ADF Expression object; undefined for anything else. */
function urlText(url: unknown): string | undefined {
  if (typeof url === "string") return url;
  if (typeof url === "object" && url !== null && (url as Activity).type === "Expression" && typeof (url as Activity).value === "string") return (url as Activity).value as string;
  return undefined;
}

/** Why a URL is not a plain https URL, or undefined when it is. */
export function httpsProblem(url: unknown): string | undefined {
  const text = urlText(url);
  if (text === undefined) return `must be an https URL, is ${shown(url)}`;
  // `@` starts a Data Factory expression, and `@{…}` interpolates one: its result is not known here.
  if (text.startsWith("@") || text.includes("@{")) return "must be a literal https URL, not a Data Factory expression";
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return "must be an https URL, is not a URL";
  }
  if (parsed.protocol !== "https:") return `must use https (drop notifications carry tenant data), uses ${parsed.protocol.replace(/:$/, "")}`;
  return undefined;
}

function checkActivities(activities: unknown, path: string, report: ReportViolation): void {
  if (!Array.isArray(activities)) return;
  activities.forEach((value, i) => {
    const activity = (value ?? {}) as Activity;
    const at = `${path}[${i}]`;
    if (CALLING_ACTIVITIES.includes(activity.type as string)) {
      const problem = httpsProblem(activity.url);
      if (problem) reportProperty(report, `${at}.url`, problem);
      if (activity.disableCertValidation === true) reportProperty(report, `${at}.disableCertValidation`, "must not be true: https without certificate validation is not https");
    }
    for (const key of NESTED_ACTIVITY_KEYS) checkActivities(activity[key], `${at}.${key}`, report);
    if (Array.isArray(activity.cases)) {
      activity.cases.forEach((c: unknown, j: number) => checkActivities((c as Activity | null)?.activities, `${at}.cases[${j}].activities`, report));
    }
  });
}

/** A pipeline's notification (its WebActivity) posts tenant data: only over verified https. */
export const notifyUrlHttps: ResourceValidationPolicy = {
  name: "notify-url-https",
  description: "Data Factory pipelines call URLs (WebActivity, WebHook) only over https, with certificate validation.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, report) => {
    if (args.type !== TYPES.pipeline) return;
    checkActivities(args.props.activities, "activities", report);
  },
};
