/**
 * Wraps the pure rules as CrossGuard policies. Only types come from @pulumi/policy, so importing a
 * rule never starts the analyzer server; `policy-pack/index.ts` alone constructs the PolicyPack.
 *
 * Values the engine does not know yet during a preview make CrossGuard report the policy as
 * "can't run during preview" (advisory) instead of guessing; `pulumi up` evaluates it with the
 * values resolved. The offline evaluator (`evaluate.ts`) runs the same rules on synthesized values.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { loadIamCatalogue } from "./iamCatalogue";
import { ResourceRule, Rule, StackResource, StackRule } from "./types";

export function fromPolicyResource(resource: PolicyResource): StackResource {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [property, dependencies] of Object.entries(resource.propertyDependencies)) {
        propertyDependencies[property] = dependencies.map((d) => d.urn);
    }
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props,
        protect: resource.opts.protect,
        propertyDependencies,
        providerProps: resource.provider?.props,
    };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        validateResource: async (args, reportViolation) => {
            if (!rule.resourceTypes.includes(args.type)) return;
            const iam = await loadIamCatalogue();
            for (const message of rule.check(args.type, args.props, { iam })) reportViolation(message);
        },
    };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
        validateStack: async (args, reportViolation) => {
            const iam = await loadIamCatalogue();
            const resources = args.resources.map(fromPolicyResource);
            const config = args.getConfig<Record<string, unknown>>();
            // Rules that need the stack's name (physical-names-per-stack) read it from the engine's
            // URNs, `urn:pulumi:<stack>::...`, unless the pack config pins one.
            // The project likewise (no-account-singletons-in-app-stack exempts the bootstrap project).
            const fromUrns = (pattern: RegExp) => resources.map((r) => pattern.exec(r.urn)?.[1]).find((s) => s !== undefined);
            const stack = config.stack ?? fromUrns(/^urn:pulumi:([^:]+)::/);
            const project = config.project ?? fromUrns(/^urn:pulumi:[^:]+::([^:]+)::/);
            const known = { ...(stack === undefined ? {} : { stack }), ...(project === undefined ? {} : { project }) };
            for (const violation of rule.check(resources, { iam, config: { ...config, ...known } })) {
                reportViolation(violation.message, violation.urn);
            }
        },
    };
}

export function toCrossGuardPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    return rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}
