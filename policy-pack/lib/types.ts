/**
 * Shapes shared by the pure policy checks, the CrossGuard adapter and the offline evaluator.
 * Nothing here depends on @pulumi/policy, so tests and tools import the checks without a server.
 */
import type { IamCatalogue } from "./iamCatalogue";

/** The two environments of SPEC §3; a stack (committed or personal) picks one. */
export type Environment = "develop" | "main";

export const ENVIRONMENTS: readonly Environment[] = ["develop", "main"];

/** Only levels the pack uses: advisory where the data behind a rule can lag AWS, mandatory otherwise. */
export type EnforcementLevel = "advisory" | "mandatory";

/** Property bag of a resource: inputs during resource validation, outputs during stack validation. */
export type Props = Record<string, any>;

/** What a resource-level check may need besides the resource itself. */
export interface ResourceCheckContext {
    iam: IamCatalogue;
}

/** A pure resource check: the violations of one resource, as messages; none means compliant. */
export type ResourceCheck = (type: string, props: Props, context: ResourceCheckContext) => string[];

/**
 * A resource as stack-level checks see it, whether it comes from the Pulumi engine or from the
 * offline synthesizer. Links between resources are found through `propertyDependencies` when the
 * engine provides them (values may still be unknown during a preview), otherwise by value.
 */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    props: Props;
    protect: boolean;
    /** Provider-assigned id, when known (the synthesizer's mocks know it). */
    id?: string;
    /** Input property name -> URNs of the resources whose outputs flowed into it. */
    propertyDependencies?: Record<string, string[]>;
    /** Properties of the provider that manages the resource (carries `defaultTags`). */
    providerProps?: Props;
}

export interface StackViolation {
    /** URN of the offending resource; absent for a stack-wide problem. */
    urn?: string;
    message: string;
}

export interface StackCheckContext {
    iam: IamCatalogue;
    /** This policy's configuration (pack config file, or the offline evaluator's options). */
    config: Record<string, unknown>;
}

export type StackCheck = (resources: readonly StackResource[], context: StackCheckContext) => StackViolation[];

interface RuleBase {
    /** Kebab-case policy name, as shown by `pulumi preview` and used in pack config files. */
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
}

export interface ResourceRule extends RuleBase {
    kind: "resource";
    /** @pulumi/aws type tokens the check applies to. */
    resourceTypes: readonly string[];
    check: ResourceCheck;
}

export interface StackRule extends RuleBase {
    kind: "stack";
    check: StackCheck;
    /** JSON schema of the policy's own configuration, if it has any. */
    configSchema?: { properties: Record<string, { type: "string"; enum?: string[]; description?: string }> };
}

export type Rule = ResourceRule | StackRule;
