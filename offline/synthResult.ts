/**
 * What an offline synthesis (scripts/lib/synthesize.ts) records: shared by the tools that run it and
 * by the local pipeline (local/stackWiring.ts), which reads its wiring from the result.
 */
import type { MockAccount } from "./mockCloud";

export interface SynthResource {
    type: string;
    name: string;
    /** Stable identifier within the synthesis: `<type>::<name>`. */
    urn: string;
    inputs: Record<string, any>;
    /** `protect` as the program set it (resource options never reach the mocks themselves). */
    protect: boolean;
    /** `urn` of the parent resource (a component), when not the stack. */
    parent?: string;
    /** `urn`s of the resources in the `dependsOn` option, as the program set it. */
    dependsOn?: string[];
    /** The URN Pulumi gives the resource (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`): a change replaces it. */
    pulumiUrn?: string;
    /** False for component resources. */
    custom: boolean;
}

export interface SynthResult {
    stack: string;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
    /** Provider function tokens the program called, in order. */
    invokes: string[];
    /** Secret keys the offline run filled with placeholders because the stack file lacks them. */
    placeholderSecrets: string[];
    /** The account the mocks played, so computed attributes (ARNs, URLs) can be derived again with `mockState`. */
    account: MockAccount;
    durationMs: number;
}
