/**
 * Rules for what AWS rejects although runtime mocks accept it (issue 12, SPEC §7): one policy per
 * class, each citing the AWS page that states the rule.
 */
import { Rule } from "../lib/types";
import { accountSingletonRules } from "./accountSingletons";
import { fargateSpotRules } from "./fargateSpot";
import { physicalNameRules } from "./physicalNames";
import { reservedConcurrencyRules } from "./reservedConcurrency";
import { trustConditionRules } from "./trustConditions";

export const awsAcceptanceRules: readonly Rule[] = [
    ...trustConditionRules,
    ...fargateSpotRules,
    ...reservedConcurrencyRules,
    ...accountSingletonRules,
    ...physicalNameRules,
];
