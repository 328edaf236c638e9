import { isUtcDateTime } from "../../config/dates";

/** Arguments of {@link weeklyScheduleTriggerProperties}. */
export interface WeeklyScheduleArgs {
  /** Pipeline the trigger runs, e.g. "ExportO365DataEvents". */
  pipelineName: string;
  /** Day of the run. Viva Insights publishes new data on Mondays (seed FAQ Q3). */
  weekDay: "Monday";
  /** Hour of the run, 0-23, in `timeZone`. */
  hour: number;
  /** Minute of the run, 0-59. */
  minute: number;
  /**
   * When the schedule begins, a fixed ISO-8601 UTC date-time from config (e.g. "2026-01-05T00:00:00Z"),
   * never the deploy time: a moving start would change the trigger on every `pulumi up`.
   */
  startTime: string;
  /** Windows time zone id for hour and minute; default "UTC". The SDK always sends startTime in UTC. */
  timeZone?: string;
  /** Values for the pipeline's parameters; omitted ones take the pipeline defaults. */
  parameters?: Record<string, unknown>;
}

/**
 * ARM `TriggerResource.properties` of a ScheduleTrigger that runs `pipelineName` "every 7 days on
 * Monday": frequency Week, interval 1, schedule { weekDays: [Monday], hours: [hour], minutes: [minute] }.
 * That is one run each Monday at hour:minute in `timeZone`, the first on the first Monday at or after
 * `startTime` — not every 7 days counted from startTime, which would drift off Monday whenever the
 * start date is another weekday.
 */
export function weeklyScheduleTriggerProperties(args: WeeklyScheduleArgs): Record<string, unknown> {
  if (!args.pipelineName) throw new Error("weekly schedule: pipelineName must not be empty");
  if (args.weekDay !== "Monday") throw new Error(`weekly schedule for ${args.pipelineName}: weekDay ${JSON.stringify(args.weekDay)} must be "Monday", the day new Viva Insights data arrives`);
  if (!Number.isInteger(args.hour) || args.hour < 0 || args.hour > 23) {
    throw new Error(`weekly schedule for ${args.pipelineName}: hour ${args.hour} must be a whole number from 0 to 23`);
  }
  if (!Number.isInteger(args.minute) || args.minute < 0 || args.minute > 59) {
    throw new Error(`weekly schedule for ${args.pipelineName}: minute ${args.minute} must be a whole number from 0 to 59`);
  }
  if (!isUtcDateTime(args.startTime)) {
    throw new Error(`weekly schedule for ${args.pipelineName}: startTime ${JSON.stringify(args.startTime)} must be an ISO-8601 UTC date-time such as 2026-01-05T00:00:00Z`);
  }
  return {
    type: "ScheduleTrigger",
    description: `Runs ${args.pipelineName} every Monday at ${pad(args.hour)}:${pad(args.minute)} ${args.timeZone ?? "UTC"}`,
    typeProperties: {
      recurrence: {
        frequency: "Week",
        interval: 1,
        startTime: args.startTime,
        timeZone: args.timeZone ?? "UTC",
        schedule: { weekDays: [args.weekDay], hours: [args.hour], minutes: [args.minute] },
      },
    },
    pipelines: [
      {
        pipelineReference: { type: "PipelineReference", referenceName: args.pipelineName },
        parameters: args.parameters ?? {},
      },
    ],
  };
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
