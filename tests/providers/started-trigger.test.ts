import { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { describe, expect, it } from "vitest";
import { STARTED_TRIGGER_TIMING } from "../../components/providers/started-trigger-provider";
import { checkStartedTriggerInputs, type StartedTriggerInputs } from "../../components/providers/started-trigger-inputs";
import {
  createStartedTrigger,
  deleteStartedTrigger,
  diffStartedTrigger,
  readStartedTrigger,
  updateStartedTrigger,
  type StartedTriggerOutputs,
  type StartedTriggerTiming,
} from "../../components/providers/started-trigger-operations";
import { weeklyScheduleTriggerProperties } from "../../components/providers/weekly-schedule";
import { FakeDataFactory } from "./fake-data-factory";
import { azureError, recordingSleep, staticCredential, type RecordedRequest } from "./http-recorder";

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
const TRIGGER_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-viva/providers/Microsoft.DataFactory/factories/adf-viva-contoso/triggers/WeeklyExport`;

function setup(): { factory: FakeDataFactory; client: DataFactoryManagementClient; timing: StartedTriggerTiming; waits: number[] } {
  const factory = new FakeDataFactory();
  const client = new DataFactoryManagementClient(staticCredential(), SUBSCRIPTION, {
    httpClient: factory.httpClient,
    endpoint: "https://management.azure.com",
    retryOptions: { maxRetries: 0 },
  });
  const { sleep, waits } = recordingSleep();
  return { factory, client, waits, timing: { retry: { ...STARTED_TRIGGER_TIMING.retry, sleep }, pollIntervalMs: 1 } };
}

function weekly(hour = 6): Record<string, unknown> {
  return weeklyScheduleTriggerProperties({ pipelineName: "ExportO365DataEvents", weekDay: "Monday", hour, minute: 30, startTime: "2026-01-05T00:00:00Z" });
}

function inputs(properties = weekly(), paused = false): StartedTriggerInputs {
  return { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-viva", factoryName: "adf-viva-contoso", triggerName: "WeeklyExport", properties, paused };
}

const isStart = (r: RecordedRequest) => r.method === "POST" && r.path === `${TRIGGER_PATH}/start`;
const isPut = (r: RecordedRequest) => r.method === "PUT" && r.path === TRIGGER_PATH;
const SUBJECT = 'Data Factory trigger "WeeklyExport" in factory "adf-viva-contoso" (resource group rg-viva)';

describe("createStartedTrigger", () => {
  it("PUTs the ARM-shaped definition, then starts the trigger and reports it Started", async () => {
    const { factory, client, timing } = setup();

    const outs = await createStartedTrigger(client, inputs(), timing);

    expect(factory.calls()).toEqual([`PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`, `GET ${TRIGGER_PATH}`]);
    // start answered 202 + Location; the SDK must poll it before we read the state
    expect(factory.requests.filter((r) => r.path.includes("/operationResults/")).map((r) => r.method)).toEqual(["GET"]);
    const put = factory.requests.find((r) => r.method === "PUT")!;
    expect(put.body).toEqual({
      properties: {
        type: "ScheduleTrigger",
        description: "Runs ExportO365DataEvents every Monday at 06:30 UTC",
        typeProperties: {
          recurrence: {
            frequency: "Week",
            interval: 1,
            startTime: "2026-01-05T00:00:00.000Z",
            timeZone: "UTC",
            schedule: { weekDays: ["Monday"], hours: [6], minutes: [30] },
          },
        },
        pipelines: [{ pipelineReference: { type: "PipelineReference", referenceName: "ExportO365DataEvents" }, parameters: {} }],
      },
    });
    expect(outs).toEqual({ ...inputs(), runtimeState: "Started", triggerId: TRIGGER_PATH });
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())?.runtimeState).toBe("Started");
  });

  it("takes over a trigger already left started by an interrupted run: stop, PUT again, start", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(weekly(5)), timing);
    factory.requests.length = 0;

    await createStartedTrigger(client, inputs(), timing);

    expect(factory.calls()).toEqual([`PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/stop`, `PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`, `GET ${TRIGGER_PATH}`]);
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())).toMatchObject({ runtimeState: "Started", properties: { description: expect.stringContaining("06:30") } });
  });

  it("retries a start that conflicts with another operation, then succeeds", async () => {
    const { factory, client, timing, waits } = setup();
    factory.failNext(isStart, { status: 409, body: azureError("Conflict", "Another operation on this trigger is in progress.") }, 2);

    const outs = await createStartedTrigger(client, inputs(), timing);

    expect(factory.requests.filter(isStart)).toHaveLength(3);
    expect(waits).toEqual([5_000, 10_000]);
    expect(outs.runtimeState).toBe("Started");
  });

  it("reports a permanent start failure once, naming factory, trigger and cause", async () => {
    const { factory, client, timing, waits } = setup();
    factory.failNext(isStart, { status: 400, body: azureError("BadRequest", "The pipeline ExportO365DataEvents referenced by the trigger does not exist.") });

    await expect(createStartedTrigger(client, inputs(), timing)).rejects.toThrow(
      'Data Factory trigger "WeeklyExport" in factory "adf-viva-contoso" (resource group rg-viva): could not start the trigger: The pipeline ExportO365DataEvents referenced by the trigger does not exist.',
    );
    expect(waits).toEqual([]);
  });

  it("stops retrying conflicts when the budget is spent and says how long it tried", async () => {
    const { factory, client, timing, waits } = setup();
    factory.failNext(isStart, { status: 409, body: azureError("Conflict", "Another operation on this trigger is in progress.") }, 1_000);

    await expect(createStartedTrigger(client, inputs(), timing)).rejects.toThrow(
      /could not start the trigger: Another operation on this trigger is in progress\. \(still failing after \d+ attempts over 180 s\); it is left Stopped with its new definition$/,
    );
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(180_000);
  });
});

describe("updateStartedTrigger", () => {
  it("stops the started trigger, PUTs the new definition and starts it again, in that order", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.requests.length = 0;

    const outs = await updateStartedTrigger(client, inputs(weekly(7)), timing);

    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/stop`, `PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`, `GET ${TRIGGER_PATH}`]);
    const put = factory.requests.find((r) => r.method === "PUT")!;
    expect((put.body as { properties: { typeProperties: { recurrence: { schedule: { hours: number[] } } } } }).properties.typeProperties.recurrence.schedule.hours).toEqual([7]);
    expect(outs.runtimeState).toBe("Started");
  });

  it("skips the stop when the trigger is already stopped", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.triggers.get(TRIGGER_PATH.toLowerCase())!.runtimeState = "Stopped";
    factory.requests.length = 0;

    await updateStartedTrigger(client, inputs(weekly(7)), timing);

    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`, `GET ${TRIGGER_PATH}`]);
  });
});

describe("paused triggers", () => {
  it("creates a paused trigger and leaves it stopped: no start request", async () => {
    const { factory, client, timing } = setup();

    const outs = await createStartedTrigger(client, inputs(weekly(), true), timing);

    expect(factory.calls()).toEqual([`PUT ${TRIGGER_PATH}`, `GET ${TRIGGER_PATH}`]);
    expect(outs).toEqual({ ...inputs(weekly(), true), runtimeState: "Stopped", triggerId: TRIGGER_PATH });
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())?.runtimeState).toBe("Stopped");
  });

  it("pausing a started trigger stops it and keeps it stopped after the update", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.requests.length = 0;

    const outs = await updateStartedTrigger(client, inputs(weekly(), true), timing);

    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/stop`, `PUT ${TRIGGER_PATH}`, `GET ${TRIGGER_PATH}`]);
    expect(outs.runtimeState).toBe("Stopped");
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())?.runtimeState).toBe("Stopped");
  });

  it("removing the flag starts it again", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(weekly(), true), timing);
    factory.requests.length = 0;

    const outs = await updateStartedTrigger(client, inputs(), timing);

    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`, `GET ${TRIGGER_PATH}`]);
    expect(outs.runtimeState).toBe("Started");
  });

  it("a paused trigger someone started by hand is found by a refresh and stopped by the next update", async () => {
    const { factory, client, timing } = setup();
    const outs = await createStartedTrigger(client, inputs(weekly(), true), timing);
    factory.triggers.get(TRIGGER_PATH.toLowerCase())!.runtimeState = "Started";

    const refreshed = (await readStartedTrigger(client, outs))!;
    expect(refreshed.runtimeState).toBe("Started");
    expect(diffStartedTrigger(refreshed, { ...inputs(weekly(), true) })).toMatchObject({ changes: true, replaces: [] });
    expect((await updateStartedTrigger(client, inputs(weekly(), true), timing)).runtimeState).toBe("Stopped");
  });
});

describe("a failed update leaves the trigger in a known state", () => {
  const refused = { status: 400, body: azureError("BadRequest", "The pipeline ExportO365DataEvents referenced by the trigger does not exist.") };

  it("starts a trigger that was running again with its previous definition, and says so", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.requests.length = 0;
    factory.failNext(isPut, refused);

    await expect(updateStartedTrigger(client, inputs(weekly(7)), timing)).rejects.toThrow(
      `${SUBJECT}: could not update the trigger: The pipeline ExportO365DataEvents referenced by the trigger does not exist.; ` +
        "it was started again and keeps running with its previous definition",
    );
    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/stop`, `PUT ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/start`]);
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())).toMatchObject({ runtimeState: "Started", properties: { description: expect.stringContaining("06:30") } });
  });

  it("says it is left stopped when starting it again fails too", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.failNext(isPut, refused);
    factory.failNext(isStart, { status: 403, body: azureError("AuthorizationFailed", "The client does not have authorization to start the trigger.") });

    await expect(updateStartedTrigger(client, inputs(weekly(7)), timing)).rejects.toThrow(
      `${SUBJECT}: could not update the trigger: The pipeline ExportO365DataEvents referenced by the trigger does not exist.; ` +
        "starting it again failed too (The client does not have authorization to start the trigger.): it is left Stopped with its previous definition",
    );
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())?.runtimeState).toBe("Stopped");
  });

  it("leaves a trigger that was not running stopped, and says so", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(weekly(), true), timing);
    factory.requests.length = 0;
    factory.failNext(isPut, refused);

    await expect(updateStartedTrigger(client, inputs(weekly(7)), timing)).rejects.toThrow(
      `${SUBJECT}: could not update the trigger: The pipeline ExportO365DataEvents referenced by the trigger does not exist.; it was not running and is left Stopped with its previous definition`,
    );
    expect(factory.requests.some(isStart)).toBe(false);
  });

  it("says the new definition is in place but stopped when only the start fails", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.failNext(isStart, { status: 400, body: azureError("BadRequest", "Trigger cannot be started.") });

    await expect(updateStartedTrigger(client, inputs(weekly(7)), timing)).rejects.toThrow(
      `${SUBJECT}: could not start the trigger: Trigger cannot be started.; it is left Stopped with its new definition`,
    );
    expect(factory.triggers.get(TRIGGER_PATH.toLowerCase())).toMatchObject({ runtimeState: "Stopped", properties: { description: expect.stringContaining("07:30") } });
  });
});

describe("deleteStartedTrigger", () => {
  it("stops, then deletes", async () => {
    const { factory, client, timing } = setup();
    await createStartedTrigger(client, inputs(), timing);
    factory.requests.length = 0;

    await deleteStartedTrigger(client, inputs(), timing);

    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`, `POST ${TRIGGER_PATH}/stop`, `DELETE ${TRIGGER_PATH}`]);
    expect(factory.triggers.size).toBe(0);
  });

  it("treats a trigger that is already gone as deleted", async () => {
    const { factory, client, timing } = setup();
    await deleteStartedTrigger(client, inputs(), timing);
    expect(factory.calls()).toEqual([`GET ${TRIGGER_PATH}`]);
  });
});

describe("readStartedTrigger", () => {
  it("reports a trigger stopped outside Pulumi", async () => {
    const { factory, client, timing } = setup();
    const outs = await createStartedTrigger(client, inputs(), timing);
    factory.triggers.get(TRIGGER_PATH.toLowerCase())!.runtimeState = "Stopped";

    expect(await readStartedTrigger(client, outs)).toEqual({ ...outs, runtimeState: "Stopped" });
  });

  it("reports a deleted trigger as gone", async () => {
    const { client } = setup();
    expect(await readStartedTrigger(client, { ...inputs(), runtimeState: "Started", triggerId: TRIGGER_PATH })).toBeUndefined();
  });
});

describe("diffStartedTrigger", () => {
  const olds: StartedTriggerOutputs = { ...inputs(), runtimeState: "Started", triggerId: TRIGGER_PATH };

  it("sees no change in a definition with reordered keys or a case-only name change", () => {
    const reordered = Object.fromEntries(Object.entries(weekly()).reverse());
    expect(diffStartedTrigger(olds, { ...inputs(reordered), factoryName: "ADF-viva-contoso" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("updates in place when the schedule changes", () => {
    expect(diffStartedTrigger(olds, { ...inputs(weekly(9)) })).toMatchObject({ changes: true, replaces: [] });
  });

  it("plans an update, restarting it, when a refresh found the trigger stopped", () => {
    expect(diffStartedTrigger({ ...olds, runtimeState: "Stopped" }, { ...inputs() })).toMatchObject({ changes: true, replaces: [] });
  });

  it("plans an update to pause or resume, and none for a paused trigger that is stopped", () => {
    expect(diffStartedTrigger(olds, { ...inputs(weekly(), true) })).toMatchObject({ changes: true, replaces: [] });
    const pausedOlds = { ...olds, paused: true, runtimeState: "Stopped" };
    expect(diffStartedTrigger(pausedOlds, { ...inputs(weekly(), true) })).toMatchObject({ changes: false });
    expect(diffStartedTrigger(pausedOlds, { ...inputs() })).toMatchObject({ changes: true, replaces: [] });
  });

  it("sees no change for state written before pausing existed (no paused field)", () => {
    const { paused: _paused, ...legacy } = olds;
    expect(diffStartedTrigger(legacy, { ...inputs() })).toMatchObject({ changes: false });
  });

  it("replaces when the factory or trigger name changes", () => {
    expect(diffStartedTrigger(olds, { ...inputs(), factoryName: "adf-other", triggerName: "Other" }).replaces).toEqual(["factoryName", "triggerName"]);
  });
});

describe("checkStartedTriggerInputs", () => {
  it("accepts the weekly schedule", () => {
    expect(checkStartedTriggerInputs({ ...inputs() })).toEqual([]);
  });

  it("names the property and rule for bad names and non-schedule triggers", () => {
    expect(checkStartedTriggerInputs({ ...inputs({ type: "BlobEventsTrigger", typeProperties: {} }), factoryName: "", triggerName: "weekly.export" })).toEqual([
      { property: "factoryName", reason: 'factoryName "" must be a non-empty string' },
      { property: "triggerName", reason: expect.stringContaining('"weekly.export" must be letters, digits') },
      { property: "properties", reason: 'properties of trigger "weekly.export": type "BlobEventsTrigger" must be "ScheduleTrigger"' },
    ]);
  });

  it("rejects a paused flag that is not a boolean", () => {
    expect(checkStartedTriggerInputs({ ...inputs(), paused: "yes" })).toEqual([{ property: "paused", reason: 'paused "yes" must be true or false' }]);
  });

  it("rejects typeProperties the SDK model would drop", () => {
    const properties = { ...weekly(), typeProperties: { recurrence: {}, extra: 1 } };
    expect(checkStartedTriggerInputs({ ...inputs(properties) })).toEqual([
      { property: "properties", reason: 'properties of trigger "WeeklyExport": typeProperties may only hold "recurrence", not "extra"' },
    ]);
  });
});

describe("weeklyScheduleTriggerProperties", () => {
  it("maps 'every 7 days on Monday' to a weekly recurrence on Mondays at the configured time", () => {
    const properties = weeklyScheduleTriggerProperties({
      pipelineName: "ExportO365DataEvents",
      weekDay: "Monday",
      hour: 23,
      minute: 5,
      startTime: "2026-01-07T00:00:00Z",
      timeZone: "W. Europe Standard Time",
      parameters: { AggregationType: "Week" },
    });
    expect(properties).toEqual({
      type: "ScheduleTrigger",
      description: "Runs ExportO365DataEvents every Monday at 23:05 W. Europe Standard Time",
      typeProperties: {
        recurrence: {
          frequency: "Week",
          interval: 1,
          startTime: "2026-01-07T00:00:00Z",
          timeZone: "W. Europe Standard Time",
          schedule: { weekDays: ["Monday"], hours: [23], minutes: [5] },
        },
      },
      pipelines: [{ pipelineReference: { type: "PipelineReference", referenceName: "ExportO365DataEvents" }, parameters: { AggregationType: "Week" } }],
    });
  });

  it.each([
    [{ hour: 24 }, "hour 24 must be a whole number from 0 to 23"],
    [{ minute: 7.5 }, "minute 7.5 must be a whole number from 0 to 59"],
    [{ startTime: "2026-01-05T00:00:00" }, 'startTime "2026-01-05T00:00:00" must be an ISO-8601 UTC date-time'],
  ])("rejects %o with a message naming the field", (override, message) => {
    expect(() =>
      weeklyScheduleTriggerProperties({ pipelineName: "ExportO365DataEvents", weekDay: "Monday", hour: 6, minute: 0, startTime: "2026-01-05T00:00:00Z", ...override }),
    ).toThrow(`weekly schedule for ExportO365DataEvents: ${message}`);
  });
});
