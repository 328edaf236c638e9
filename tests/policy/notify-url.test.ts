import { describe, expect, it } from "vitest";
import { notifyUrlHttps } from "../../policy/notify-url";
import { changed, violations } from "./helpers";

const PIPELINE = "azure-native:datafactory:Pipeline";
/** The program's pipeline, trimmed to what the policy reads: two copies, then the notification. */
const valid = {
  factoryName: "contoso-dev-3f2b8c1e",
  pipelineName: "ExportO365DataEvents",
  activities: [
    { name: "CopyPersonReport", type: "Copy" },
    { name: "CopyUsers", type: "Copy" },
    {
      name: "NotifyPartner",
      type: "WebActivity",
      method: "POST",
      url: "https://ingest.contoso-analytics.example/viva/drops",
      body: { type: "Expression", value: '{"runId":"@{pipeline().RunId}"}' },
    },
  ] as Record<string, unknown>[],
};

describe("notify-url-https", () => {
  it("passes an https notification, and a pipeline without one (pull model)", async () => {
    expect(await violations(notifyUrlHttps, PIPELINE, valid)).toEqual([]);
    expect(await violations(notifyUrlHttps, PIPELINE, { ...valid, activities: valid.activities.slice(0, 2) })).toEqual([]);
  });

  it("passes an Expression object holding a literal https URL", async () => {
    const expression = changed(valid, (p) => (p.activities[2].url = { type: "Expression", value: "https://ingest.example/viva" }));
    expect(await violations(notifyUrlHttps, PIPELINE, expression)).toEqual([]);
  });

  it.each([
    ["http://ingest.contoso-analytics.example/viva/drops", "must use https (drop notifications carry tenant data), uses http"],
    ["ftp://ingest.example/drops", "must use https (drop notifications carry tenant data), uses ftp"],
    ["ingest.example/drops", "must be an https URL, is not a URL"],
    ["@pipeline().parameters.NotifyUrl", "must be a literal https URL, not a Data Factory expression"],
    ["https://@{pipeline().parameters.Host}/drops", "must be a literal https URL, not a Data Factory expression"],
  ])("reports url %j, naming the activity", async (url, problem) => {
    const bad = changed(valid, (p) => (p.activities[2].url = url));
    expect(await violations(notifyUrlHttps, PIPELINE, bad)).toEqual([`activities[2].url ${problem}`]);
  });

  it("reports a missing url and switched-off certificate validation", async () => {
    expect(await violations(notifyUrlHttps, PIPELINE, changed(valid, (p) => delete p.activities[2].url))).toEqual(["activities[2].url must be an https URL, is not set"]);
    expect(await violations(notifyUrlHttps, PIPELINE, changed(valid, (p) => (p.activities[2].disableCertValidation = true)))).toEqual([
      "activities[2].disableCertValidation must not be true: https without certificate validation is not https",
    ]);
  });

  it("finds calls nested in control activities, and WebHook calls", async () => {
    const nested = {
      activities: [
        { name: "Each", type: "ForEach", activities: [{ name: "Hook", type: "WebHook", url: "http://hooks.example/a" }] },
        { name: "If", type: "IfCondition", ifFalseActivities: [{ name: "Web", type: "WebActivity", url: "http://hooks.example/b" }] },
        { name: "Switch", type: "Switch", cases: [{ value: "x", activities: [{ name: "Web", type: "WebActivity", url: "http://hooks.example/c" }] }] },
      ],
    };
    const found = await violations(notifyUrlHttps, PIPELINE, nested);
    expect(found.map((m) => m.split(" ")[0])).toEqual(["activities[0].activities[0].url", "activities[1].ifFalseActivities[0].url", "activities[2].cases[0].activities[0].url"]);
  });
});
