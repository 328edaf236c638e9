import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { evaluatePlan, PolicyCrash } from "../../scripts/policy/evaluate";
import { planned } from "./helpers";

const plan = [planned("test:index:Thing", "a", { size: 1 }, null), planned("test:index:Thing", "b", { size: 2 }, "a")];

function sizePolicy(name: string, enforcementLevel?: ResourceValidationPolicy["enforcementLevel"]): ResourceValidationPolicy {
  return {
    name,
    description: "size must be 1",
    enforcementLevel,
    validateResource: (args, report) => {
      if (args.props.size !== 1) report(`size must be 1, is ${args.props.size}`);
    },
  };
}

describe("evaluatePlan", () => {
  it("runs resource policies per resource at their level (pack level by default, remediate as mandatory, disabled skipped)", async () => {
    const policies = [sizePolicy("default"), sizePolicy("advisory", "advisory"), sizePolicy("remediate", "remediate"), sizePolicy("off", "disabled")];
    expect(await evaluatePlan(plan, policies)).toEqual([
      { policy: "default", level: "mandatory", resource: "b", message: "size must be 1, is 2" },
      { policy: "advisory", level: "advisory", resource: "b", message: "size must be 1, is 2" },
      { policy: "remediate", level: "mandatory", resource: "b", message: "size must be 1, is 2" },
    ]);
    expect(await evaluatePlan(plan, [sizePolicy("pack")], "advisory")).toEqual([{ policy: "pack", level: "advisory", resource: "b", message: "size must be 1, is 2" }]);
  });

  it("gives stack policies every resource, parents linked, and attributes findings by URN", async () => {
    const stack: StackValidationPolicy = {
      name: "stack",
      description: "children need a parent",
      validateStack: (args, report) => {
        for (const r of args.resources) if (r.parent) report(`parent ${r.parent.name}`, r.urn);
        report("whole plan");
      },
    };
    expect(await evaluatePlan(plan, [stack])).toEqual([
      { policy: "stack", level: "mandatory", resource: "b", message: "parent a" },
      { policy: "stack", level: "mandatory", resource: null, message: "whole plan" },
    ]);
  });

  it("skips a policy that declares itself not applicable", async () => {
    const picky: ResourceValidationPolicy = { name: "picky", description: "", validateResource: (args) => args.notApplicable("not mine") };
    expect(await evaluatePlan(plan, [picky])).toEqual([]);
  });

  it("stops with a PolicyCrash naming the policy and resource when a policy throws", async () => {
    const broken: ResourceValidationPolicy = {
      name: "broken",
      description: "",
      validateResource: () => {
        throw new TypeError("cannot read x");
      },
    };
    await expect(evaluatePlan(plan, [broken])).rejects.toThrow(new PolicyCrash("policy broken failed on a: cannot read x"));
  });
});
