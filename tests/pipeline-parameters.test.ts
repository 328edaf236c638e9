import { describe, expect, it } from "vitest";
import { pipelineParameters } from "../components/tenant/pipeline";
import { validateConfig } from "../config";
import { AGGREGATION_TYPES, PIPELINE_PARAMETER_NAMES, lookbackRule, windowRule } from "../decrypt-tool/src/pipeline-parameters";

// `viva-drop run` sends these parameters by name and validates them with the config's rules: both sides
// must keep agreeing.
const TENANT = { id: "8f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f", keyExpiresOn: "2030-01-01" };
const base = { namePrefix: "contoso", location: "westeurope", appSecretEndDate: "2030-01-01" };
const ctx = { stack: "dev", now: new Date("2026-03-01T00:00:00Z") };

describe("pipeline parameters shared by the program and viva-drop", () => {
  it("are the parameters the pipeline declares", () => {
    const [tenant] = validateConfig({ ...base, tenants: [TENANT] }, ctx).tenants;
    expect(Object.keys(pipelineParameters(tenant)).sort()).toEqual(Object.values(PIPELINE_PARAMETER_NAMES).sort());
  });

  it("give the config's messages through the shared rules", () => {
    const config = (tenant: Record<string, unknown>) => () => validateConfig({ ...base, tenants: [{ ...TENANT, ...tenant }] }, ctx);
    expect(config({ lookbackDays: 5 })).toThrow(`viva-partner:tenants[0].lookbackDays: ${lookbackRule(5, "Week", "aggregationType")}`);
    const start = Date.parse("2026-06-01");
    expect(config({ requestStartDate: "2026-06-01", requestEndDate: "2026-06-07" })).toThrow(
      `viva-partner:tenants[0].requestEndDate: ${windowRule(start, Date.parse("2026-06-07"), "Week", "requestStartDate", "aggregationType")}`,
    );
    expect(config({ aggregationType: "Year" })).toThrow(`must be one of ${AGGREGATION_TYPES.join(", ")}`);
  });
});
