/**
 * Runs the pack's rules on a synthesized stack, without the Pulumi engine (the offline plan and the
 * tests). Resource rules see a resource's inputs, as CrossGuard's per-resource validation does;
 * stack rules see its outputs merged over its inputs, as CrossGuard's stack validation does.
 */
import { loadIamCatalogue } from "./lib/iamCatalogue";
import { EnforcementLevel, Environment, Props, StackResource } from "./lib/types";
import { RULES } from "./policies/rules";

export { POLICY_NAMES } from "./policies/rules";
export { STATEFUL_RESOURCE_TYPES } from "./policies/protection";
export type { EnforcementLevel, Environment } from "./lib/types";

/** A resource as the synthesizer reports it (structurally compatible with `SynthResource`). */
export interface EvaluatedResource {
    type: string;
    name: string;
    urn: string;
    inputs: Props;
    protect: boolean;
    /** Provider id, when the synthesizer knows it. */
    id?: string;
    /** Outputs, when the synthesizer knows them (ARNs, URLs); inputs are used otherwise. */
    outputs?: Props;
}

export interface PolicyViolation {
    policy: string;
    /** URN of the offending resource, or `stack` for a stack-wide problem. */
    resource: string;
    message: string;
    enforcementLevel: EnforcementLevel;
}

export interface EvaluateOptions {
    /** The environment the stack deploys; it stands in for every policy's `environment` config. */
    environment: Environment;
    /**
     * The stack's name; it stands in for every policy's `stack` config (`physical-names-per-stack`
     * reads it). Without it that rule cannot judge names offline.
     */
    stack?: string;
    /** The Pulumi project; it stands in for every policy's `project` config. Default: none (an app stack). */
    project?: string;
    /** Further policy config by policy name, as a `--policy-pack-config` file would give it. */
    policyConfig?: Readonly<Record<string, Record<string, unknown>>>;
}

const STACK_WIDE = "stack";

export async function evaluatePolicies(resources: readonly EvaluatedResource[], options: EvaluateOptions): Promise<PolicyViolation[]> {
    const iam = await loadIamCatalogue();
    const stackResources: StackResource[] = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: { ...r.inputs, ...(r.outputs ?? {}) },
        protect: r.protect,
        ...(r.id === undefined ? {} : { id: r.id }),
    }));
    const violations: PolicyViolation[] = [];
    for (const rule of RULES) {
        const report = (resource: string, message: string) =>
            violations.push({ policy: rule.name, resource, message, enforcementLevel: rule.enforcementLevel });
        if (rule.kind === "resource") {
            for (const r of resources.filter((candidate) => rule.resourceTypes.includes(candidate.type))) {
                for (const message of rule.check(r.type, r.inputs, { iam })) report(r.urn || r.name, message);
            }
        } else {
            const config = {
                environment: options.environment,
                ...(options.stack === undefined ? {} : { stack: options.stack }),
                ...(options.project === undefined ? {} : { project: options.project }),
                ...(options.policyConfig?.[rule.name] ?? {}),
            };
            for (const v of rule.check(stackResources, { iam, config })) {
                report(v.urn ?? STACK_WIDE, v.message);
            }
        }
    }
    return violations;
}
