import { afterEach, describe, expect, it, vi } from "vitest";
import { describeFailure, reportResult } from "../src/cli/commands/run";
import { formatDuration, parseDuration } from "../src/cli/duration";
import { isDropError } from "../src/errors";
import { explainGraphDataConnectError } from "../src/run/graph-data-connect-errors";
import { pipelineDefaults } from "../src/run/parameters";
import { nextInterval, retryAfterMs, DEFAULT_POLL_TIMING } from "../src/run/poll";

describe("explainGraphDataConnectError", () => {
  it.each([
    ["ErrorCode=UserErrorOffice365DataLoaderError,Message=Office 365 data loader failed: Consent Pending", "consentPending"],
    ["The copy activity is RequestingConsent for BasicDataSet_v0.User_v1", "consentPending"],
    ["Invalid requested columns. The following requested columns were not consented to for data access: Manager", "consentMissing"],
    ["ConsentNotFound", "consentMissing"],
    ["The application 6e1d0f7a-… is not registered with Microsoft Graph Data Connect", "appNotRegistered"],
    ["Application is not allow-listed for this tenant", "appNotRegistered"],
    ["Microsoft Graph Data Connect is not enabled for the tenant 8f1c2d3e-…", "dataConnectDisabled"],
    ["The region of the destination storage does not match the region of the Office 365 tenant (EUR)", "regionMismatch"],
    ["Cross-region data movement is not allowed", "regionMismatch"],
    ["Failed to get the public key of tenant 8f1c… from Key Vault https://kv-viva.vault.azure.net", "keyProblem"],
    ["The encryption key has expired", "keyProblem"],
    ["AADSTS7000222: The provided client secret keys for app '…' are expired.", "clientSecret"],
    ["ADLS Gen2 operation failed for: Operation returned an invalid status code 'Forbidden'. ErrorCode: 'AuthorizationPermissionMismatch'", "storageAccess"],
  ])("%s → %s", (text, cause) => {
    expect(explainGraphDataConnectError(text)?.cause).toBe(cause);
  });

  it.each([
    "Operation on target CopyPersonReport failed: Failure happened on 'Sink' side. ErrorCode=UserErrorFailedFileOperation",
    "The integration runtime (West Europe) is busy",
    "Activity timed out after 12:00:00",
  ])("leaves an unrelated error alone: %s", (text) => {
    expect(explainGraphDataConnectError(text)).toBeUndefined();
  });
});

describe("describeFailure", () => {
  const run = { runId: "r", status: "Failed", message: "Operation on target CopyPersonReport failed" };

  it("puts the plain explanation first and keeps the service's error, on one line", () => {
    const text = describeFailure(
      { activityName: "CopyPersonReport", errorCode: "2200", message: "Office 365 data loader failed:\r\n Consent Pending", graphDataConnect: { cause: "consentPending", explanation: "the admin has not approved" } },
      run,
    );
    expect(text).toBe("the admin has not approved (activity CopyPersonReport error 2200: Office 365 data loader failed: Consent Pending)");
  });

  it("falls back to the run's message, and shortens a very long error", () => {
    expect(describeFailure(undefined, run)).toBe("Operation on target CopyPersonReport failed");
    const long = describeFailure({ activityName: "A", message: "x".repeat(2000) }, run);
    expect(long.length).toBeLessThan(700);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("pipelineDefaults", () => {
  it("reads the declared defaults; empty dates and unusable values count as absent", () => {
    expect(
      pipelineDefaults({
        RequestStartDate: { defaultValue: "" },
        RequestEndDate: { defaultValue: "2026-02-01T00:00:00Z" },
        DefaultLookbackWindowDays: { defaultValue: "14" },
        AggregationType: { defaultValue: "Week" },
      }),
    ).toEqual({ startMs: undefined, endMs: Date.parse("2026-02-01T00:00:00Z"), lookbackDays: 14, aggregation: "Week" });
    expect(pipelineDefaults({ DefaultLookbackWindowDays: { defaultValue: 0 }, AggregationType: { defaultValue: "Fortnight" }, RequestStartDate: { defaultValue: "soon" } })).toEqual({
      startMs: undefined,
      endMs: undefined,
      lookbackDays: undefined,
      aggregation: undefined,
    });
    expect(pipelineDefaults(undefined)).toEqual({ startMs: undefined, endMs: undefined, lookbackDays: undefined, aggregation: undefined });
  });
});

describe("poll schedule", () => {
  it("grows by the factor up to the cap", () => {
    const intervals = [DEFAULT_POLL_TIMING.initialIntervalMs];
    for (let i = 0; i < 8; i++) intervals.push(nextInterval(intervals.at(-1)!, DEFAULT_POLL_TIMING));
    expect(intervals).toEqual([15_000, 22_500, 33_750, 50_625, 75_937.5, 113_906.25, 120_000, 120_000, 120_000]);
  });

  it("reads Retry-After in seconds or as an HTTP date, and the millisecond headers", () => {
    const error = (headers: Record<string, string>) => ({ response: { headers: { get: (name: string) => headers[name] } } });
    const now = Date.parse("2026-03-02T03:00:00Z");
    expect(retryAfterMs(error({ "retry-after": "40" }), now)).toBe(40_000);
    expect(retryAfterMs(error({ "retry-after": "Mon, 02 Mar 2026 03:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(error({ "retry-after-ms": "250", "retry-after": "40" }), now)).toBe(250);
    expect(retryAfterMs(error({}), now)).toBeUndefined();
    expect(retryAfterMs(new Error("no response"), now)).toBeUndefined();
  });
});

describe("durations", () => {
  it.each([
    ["12h", 12 * 3_600_000],
    ["90m", 90 * 60_000],
    ["1h30m", 90 * 60_000],
    ["2d", 2 * 86_400_000],
    ["45s", 45_000],
  ])("%s = %d ms", (text, ms) => expect(parseDuration(text, "--timeout")).toBe(ms));

  it.each(["", "0h", "12", "1.5h", "30m1h", "h"])("refuses %j", (text) => {
    let error: unknown;
    try {
      parseDuration(text, "--timeout");
    } catch (e) {
      error = e;
    }
    expect(isDropError(error, "USAGE")).toBe(true);
  });

  it("formats for people", () => {
    expect([formatDuration(12_400), formatDuration(47 * 60_000 + 3000), formatDuration(2 * 3_600_000 + 5 * 60_000)]).toEqual(["12s", "47m 3s", "2h 5m"]);
  });
});

describe("reportResult: how a run ends on the command line", () => {
  afterEach(() => vi.restoreAllMocks());
  const cli = { tenant: "t", pipeline: "p", wait: true, timeout: "12h", sink: "viva.duckdb" };
  const finished = (status: "Succeeded" | "Failed" | "Cancelled") => ({ kind: "finished" as const, run: { runId: "r1", status, durationMs: 47 * 60_000 } });

  function report(...args: Parameters<typeof reportResult>): { code: number; stderr: string } {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const code = reportResult(...args);
    return { code, stderr: lines.join("") };
  }

  it.each([
    ["succeeded", { runId: "r1", outcome: finished("Succeeded") }, undefined, 0, "viva-drop: tenant t: run r1 succeeded after 47m 0s\n"],
    ["failed", { runId: "r1", outcome: finished("Failed") }, undefined, 7, "viva-drop: tenant t: run r1 failed after 47m 0s: the service gave no message\n"],
    ["cancelled", { runId: "r1", outcome: finished("Cancelled") }, undefined, 7, "viva-drop: tenant t: run r1 was cancelled after 47m 0s\n"],
    ["timed out", { runId: "r1", outcome: { kind: "timedOut" as const, run: { runId: "r1", status: "InProgress" } } }, undefined, 7, "viva-drop: tenant t: run r1 is still InProgress after 12h: left running\n"],
    ["left on Ctrl-C", { runId: "r1", outcome: { kind: "left" as const, run: { runId: "r1", status: "Queued" } } }, "SIGINT" as const, 130, "viva-drop: tenant t: left run r1 running (Queued); follow it with Data Factory's monitor or cancel it there\n"],
    ["left on SIGTERM", { runId: "r1", outcome: { kind: "left" as const, run: undefined } }, "SIGTERM" as const, 143, "viva-drop: tenant t: left run r1 running; follow it with Data Factory's monitor or cancel it there\n"],
    ["not waited for", { runId: "r1", outcome: { kind: "started" as const } }, undefined, 0, ""],
  ])("%s", (_name, result, signal, code, stderr) => {
    expect(report(result, "tenant t", cli, signal)).toEqual({ code, stderr });
  });

  it("names what ingest loaded", () => {
    const ingest = { drops: [], loaded: 2, alreadyLoaded: 0, failed: 0, rejected: 0, rows: 1234, seconds: 3 };
    expect(report({ runId: "r1", outcome: finished("Succeeded"), ingest }, "tenant t", cli, undefined).stderr).toBe(
      "viva-drop: tenant t: run r1 succeeded after 47m 0s; ingested 2 drops (0 already loaded), 1234 rows into viva.duckdb\n",
    );
  });
});
