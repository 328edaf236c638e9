// The pack's entry, loaded only by the Pulumi CLI: constructing a PolicyPack starts the policy server.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, { policies: POLICIES, enforcementLevel: "mandatory" });
