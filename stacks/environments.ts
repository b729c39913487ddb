/**
 * What differs between the two environments (SPEC §3). Every stack picks one of these with the
 * `environment` config key; nothing else in the program branches on the stack name.
 */
export type EnvironmentName = "develop" | "main";

export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ["develop", "main"];

export interface EnvironmentProfile {
    /** Days after which proof bundles (and their inputs) expire from the bundle bucket. */
    readonly proofBundleExpirationDays: number;
    /** Retention of every log group of the stack. */
    readonly logRetentionDays: number;
    /** Multi-region CloudTrail with its own bucket and log group, or none. */
    readonly cloudTrail: { readonly enabled: boolean; readonly retentionDays: number };
    /** `protect` on stateful resources plus the services' own deletion protection. */
    readonly protectStatefulResources: boolean;
    /** Whether the prover may run on Fargate Spot (a reclaimed task loses a 6-minute proof). */
    readonly allowFargateSpot: boolean;
}

export const ENVIRONMENT_PROFILES: Readonly<Record<EnvironmentName, EnvironmentProfile>> = Object.freeze({
    develop: Object.freeze({
        proofBundleExpirationDays: 7,
        logRetentionDays: 7,
        cloudTrail: Object.freeze({ enabled: false, retentionDays: 90 }),
        protectStatefulResources: false,
        allowFargateSpot: true,
    }),
    main: Object.freeze({
        proofBundleExpirationDays: 30,
        logRetentionDays: 14,
        cloudTrail: Object.freeze({ enabled: true, retentionDays: 90 }),
        protectStatefulResources: true,
        allowFargateSpot: false,
    }),
});
