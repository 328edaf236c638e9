import { DropError } from "../errors";
import { isoSeconds, parseInstant } from "../iso-dates";
import {
  AGGREGATION_RULE,
  ISO_DATE_RULE,
  LOOKBACK_DAYS_RANGE,
  PIPELINE_PARAMETER_NAMES,
  type AggregationType,
  isAggregationType,
  isLookbackDays,
  lookbackRule,
  wholeNumberRule,
  windowRule,
} from "../pipeline-parameters";

/** Run parameters as a caller gives them; every one is optional (the pipeline's default then applies). */
export interface RunParameterInput {
  /** RequestStartDate: ISO 8601 date or zoned date-time. */
  start?: string;
  /** RequestEndDate: ISO 8601 date or zoned date-time. */
  end?: string;
  /** DefaultLookbackWindowDays: how far back a run without a start reaches. */
  lookbackDays?: string | number;
  /** AggregationType: Day, Week or Month. */
  aggregation?: string;
}

/** The parameters that were given, parsed. */
export interface RunParameters {
  startMs?: number;
  endMs?: number;
  lookbackDays?: number;
  aggregation?: AggregationType;
}

/** What Pipelines - Create Run sends: only the parameters that were set, so the pipeline's defaults apply to the rest. */
export type PipelineRunParameters = Partial<Record<(typeof PIPELINE_PARAMETER_NAMES)[keyof typeof PIPELINE_PARAMETER_NAMES], string | number>>;

/** How each parameter is named in messages: the library's option names, or the CLI's flags. */
export type ParameterNames = Record<keyof RunParameterInput, string>;

export const OPTION_NAMES: ParameterNames = { start: "start", end: "end", lookbackDays: "lookbackDays", aggregation: "aggregation" };

/** The pipeline's default for each parameter, as Pipelines - Get reports it (an empty date means none). */
export type PipelineDefaults = RunParameters;

/**
 * Parses and checks the given parameters with the rules the Pulumi config applies (one module:
 * pipeline-parameters.ts), before any call to Azure. Rules that need a value the caller left to the
 * pipeline's default are checked again by {@link checkWithDefaults} once the defaults are known.
 * @param now the run's trigger time as far as a window without an end is concerned.
 * @throws DropError USAGE naming the parameter, its value and the rule.
 */
export function parseRunParameters(input: RunParameterInput, now: Date, names: ParameterNames = OPTION_NAMES): RunParameters {
  const parsed: RunParameters = {};
  if (input.start !== undefined) parsed.startMs = parseDate(input.start, "start", names);
  if (input.end !== undefined) parsed.endMs = parseDate(input.end, "end", names);
  if (input.lookbackDays !== undefined) {
    const text = String(input.lookbackDays).trim();
    const days = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!isLookbackDays(days)) throw usage(names.lookbackDays, input.lookbackDays, wholeNumberRule(LOOKBACK_DAYS_RANGE.min, LOOKBACK_DAYS_RANGE.max));
    parsed.lookbackDays = days;
  }
  if (input.aggregation !== undefined) {
    if (!isAggregationType(input.aggregation)) throw usage(names.aggregation, input.aggregation, AGGREGATION_RULE);
    parsed.aggregation = input.aggregation;
  }
  if (parsed.lookbackDays !== undefined && parsed.startMs !== undefined) {
    throw usage(names.lookbackDays, input.lookbackDays, `has no effect together with ${names.start} (the pipeline reaches back ${PIPELINE_PARAMETER_NAMES.lookbackDays} only when ${PIPELINE_PARAMETER_NAMES.start} is empty)`);
  }
  checkWindow(given(parsed, input, names), now.getTime());
  return parsed;
}

/**
 * Checks the window the run will really use: the given parameters over the pipeline's defaults.
 * @throws DropError USAGE naming the given parameter or the default at fault.
 */
export function checkWithDefaults(parameters: RunParameters, input: RunParameterInput, defaults: PipelineDefaults, now: Date, names: ParameterNames = OPTION_NAMES): void {
  const values = given(parameters, input, names);
  if (parameters.lookbackDays !== undefined && parameters.startMs === undefined && defaults.startMs !== undefined) {
    throw usage(
      names.lookbackDays,
      input.lookbackDays,
      `has no effect: the pipeline's default ${PIPELINE_PARAMETER_NAMES.start} (${isoSeconds(defaults.startMs)}) applies; give ${names.start} instead`,
    );
  }
  values.start ??= fromDefault(defaults.startMs, PIPELINE_PARAMETER_NAMES.start, isoSeconds(defaults.startMs ?? 0), names.start);
  values.end ??= fromDefault(defaults.endMs, PIPELINE_PARAMETER_NAMES.end, isoSeconds(defaults.endMs ?? 0), names.end);
  values.lookbackDays ??= fromDefault(defaults.lookbackDays, PIPELINE_PARAMETER_NAMES.lookbackDays, String(defaults.lookbackDays), names.lookbackDays);
  values.aggregation ??= fromDefault(defaults.aggregation, PIPELINE_PARAMETER_NAMES.aggregation, String(defaults.aggregation), names.aggregation);
  checkWindow(values, now.getTime());
}

/** The Create Run body's `parameters`: the given ones only, dates as ISO 8601 UTC. */
export function toPipelineParameters(parameters: RunParameters): PipelineRunParameters {
  const body: PipelineRunParameters = {};
  if (parameters.startMs !== undefined) body[PIPELINE_PARAMETER_NAMES.start] = isoSeconds(parameters.startMs);
  if (parameters.endMs !== undefined) body[PIPELINE_PARAMETER_NAMES.end] = isoSeconds(parameters.endMs);
  if (parameters.lookbackDays !== undefined) body[PIPELINE_PARAMETER_NAMES.lookbackDays] = parameters.lookbackDays;
  if (parameters.aggregation !== undefined) body[PIPELINE_PARAMETER_NAMES.aggregation] = parameters.aggregation;
  return body;
}

/**
 * The defaults a pipeline declares (Pipelines - Get `properties.parameters`). Values that are empty or
 * do not parse count as absent: the pipeline then computes them (an empty RequestEndDate is the trigger time).
 */
export function pipelineDefaults(declared: Record<string, { defaultValue?: unknown }> | undefined): PipelineDefaults {
  const value = (name: string): unknown => declared?.[name]?.defaultValue;
  const date = (name: string): number | undefined => {
    const text = value(name);
    return typeof text === "string" && text !== "" ? parseInstant(text) : undefined;
  };
  const lookback = Number(value(PIPELINE_PARAMETER_NAMES.lookbackDays));
  const aggregation = value(PIPELINE_PARAMETER_NAMES.aggregation);
  return {
    startMs: date(PIPELINE_PARAMETER_NAMES.start),
    endMs: date(PIPELINE_PARAMETER_NAMES.end),
    lookbackDays: isLookbackDays(lookback) ? lookback : undefined,
    aggregation: isAggregationType(aggregation) ? aggregation : undefined,
  };
}

/** A parameter value and how to name it in a message: `--end "2026-01-03"` or `the pipeline's default AggregationType (Week)`. */
interface Named<T> {
  value: T;
  /** The subject of a message about this value. */
  subject: string;
  /** How other messages refer to it. */
  name: string;
  /** For a default: which parameter overrides it. */
  hint?: string;
}

interface WindowValues {
  start?: Named<number>;
  end?: Named<number>;
  lookbackDays?: Named<number>;
  aggregation?: Named<AggregationType>;
}

function given(parameters: RunParameters, input: RunParameterInput, names: ParameterNames): WindowValues {
  const named = <T>(value: T | undefined, key: keyof RunParameterInput): Named<T> | undefined =>
    value === undefined ? undefined : { value, subject: `${names[key]} ${JSON.stringify(input[key])}`, name: names[key] };
  return {
    start: named(parameters.startMs, "start"),
    end: named(parameters.endMs, "end"),
    lookbackDays: named(parameters.lookbackDays, "lookbackDays"),
    aggregation: named(parameters.aggregation, "aggregation"),
  };
}

function fromDefault<T>(value: T | undefined, parameter: string, shown: string, override: string): Named<T> | undefined {
  if (value === undefined) return undefined;
  const name = `the pipeline's default ${parameter}`;
  return { value, subject: `${name} (${shown})`, name, hint: `; give ${override} to override it` };
}

/**
 * The seed's window rules, on whichever values are known: a fixed window spans one aggregation period;
 * without an end the window ends at the trigger time (now); without a start it reaches back the lookback.
 */
function checkWindow(values: WindowValues, nowMs: number): void {
  const { start, end, lookbackDays, aggregation } = values;
  const fail = (about: Named<unknown>, rule: string): DropError => new DropError("USAGE", `${about.subject}: ${rule}${about.hint ?? ""}`);
  if (start && end) {
    if (end.value <= start.value) throw fail(end, `must be after ${start.name}`);
    const rule = aggregation && windowRule(start.value, end.value, aggregation.value, start.name, aggregation.name);
    if (rule) throw fail(end, rule);
  } else if (start) {
    if (start.value >= nowMs) throw fail(start, "must be in the past (without an end date the window ends when the run starts)");
    if (aggregation && windowRule(start.value, nowMs, aggregation.value, start.name, aggregation.name)) {
      const period = aggregation.value.toLowerCase();
      throw fail(start, `must be at least one ${period} before now for ${aggregation.name} ${aggregation.value} (without an end date the window ends when the run starts)`);
    }
  } else if (lookbackDays && aggregation) {
    const rule = lookbackRule(lookbackDays.value, aggregation.value, aggregation.name);
    if (rule) throw fail(lookbackDays, rule);
  }
}

function parseDate(value: string, key: "start" | "end", names: ParameterNames): number {
  const ms = parseInstant(value);
  if (ms === undefined) throw usage(names[key], value, ISO_DATE_RULE);
  return ms;
}

function usage(name: string, value: unknown, rule: string): DropError {
  return new DropError("USAGE", `${name} ${JSON.stringify(value)}: ${rule}`);
}
