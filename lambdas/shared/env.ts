/** Reads a handler's environment once, reporting every missing variable in one error. */
import { STATE_MACHINE_ARN, proofPrefixProblem } from "./rules";

export class MissingEnvironmentError extends Error {
    constructor(readonly missing: readonly string[]) {
        super(`missing required environment variable(s): ${missing.join(", ")}`);
        this.name = "MissingEnvironmentError";
    }
}

export interface ReadEnvOptions<N extends string> {
    /** Variables that may be set to the empty string (e.g. `S3_PROOF_PREFIX`, which may be empty). */
    allowEmpty?: readonly N[];
}

/** Returns exactly the named variables; unset (or empty, unless allowed) ones raise one error naming them all. */
export function readEnv<const N extends string>(
    names: readonly N[],
    env: NodeJS.ProcessEnv = process.env,
    options: ReadEnvOptions<N> = {},
): Readonly<Record<N, string>> {
    const allowEmpty = new Set<string>(options.allowEmpty ?? []);
    const values = {} as Record<N, string>;
    const missing: string[] = [];
    for (const name of names) {
        const value = env[name];
        if (value === undefined || (value === "" && !allowEmpty.has(name))) {
            missing.push(name);
        } else {
            values[name] = value;
        }
    }
    if (missing.length > 0) {
        throw new MissingEnvironmentError(missing);
    }
    return Object.freeze(values);
}

/** The stack config's own rule (SPEC §3, lambdas/shared/rules.ts), applied again to what the handler was given. */
export function checkProofPrefix(prefix: string): string {
    const problem = proofPrefixProblem(prefix);
    if (problem !== undefined) throw new Error(`S3_PROOF_PREFIX: ${problem}`);
    return prefix;
}

export function checkStateMachineArn(arn: string): string {
    if (!STATE_MACHINE_ARN.test(arn)) throw new Error(`STATE_MACHINE_ARN must be a state machine ARN, got ${JSON.stringify(arn)}`);
    return arn;
}
