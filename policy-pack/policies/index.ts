/**
 * The pack's public surface for tools and tests: its rules, their CrossGuard wrapping and the
 * offline evaluator. Importing this module never starts the analyzer: only `policy-pack/index.ts`
 * constructs the PolicyPack.
 */
import { toCrossGuardPolicy } from "../lib/crossguard";
import { RULES } from "./rules";

export { POLICY_NAMES, RULES } from "./rules";
export { STATEFUL_RESOURCE_TYPES } from "./protection";
export { evaluatePolicies } from "../evaluate";
export type { EvaluatedResource, EvaluateOptions, PolicyViolation } from "../evaluate";

/** The CrossGuard policies of the pack. */
export const POLICIES = RULES.map(toCrossGuardPolicy);
