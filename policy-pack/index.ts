import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("stark-ballot-simulator-guardrails", {
    description: "Security and operability guardrails of the STARK Ballot Simulator infrastructure (see README.md).",
    enforcementLevel: "mandatory",
    policies: [...POLICIES],
});
