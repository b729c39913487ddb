/**
 * Deterministic physical names (SPEC §4): `stark-ballot-simulator-<role>-<scope>`.
 *
 * The scope is the stack's name. The committed stacks `develop` and `main` are named after their
 * environment, so many of their names are the earlier Terraform setup's (the README's "Moving over"
 * lists which, and what is worth adopting with `pulumi import`). Any other stack (a personal stack choosing `environment: develop`)
 * gets names of its own, so a second stack in the same account collides with nothing: IAM roles,
 * queues, functions, tables, log groups, state machines, the cluster and the buckets all exist
 * once per account (or globally, for buckets).
 */
export const PROJECT_NAME = "stark-ballot-simulator";

/** Stack names reserved for the environment of the same name. */
const ENVIRONMENT_STACKS = ["develop", "main"];

/**
 * 1 to 12 lower-case letters and digits, starting with a letter. No hyphen, so the scope is always
 * the last hyphen-separated word of a name (bucket names: the one before the account id) and no
 * role can absorb part of it: `prover` + `work-develop` would otherwise be develop's
 * `prover-work` queue. 12 characters keep the longest name within AWS's limits: the bundle bucket
 * `stark-ballot-simulator-proof-bundles-<scope>-<account>` (62 of S3's 63 characters with a
 * 12-character scope) and the 64-character IAM role and Lambda function names.
 */
export const PERSONAL_SCOPE = /^[a-z][a-z0-9]{0,11}$/;

/** Why a stack cannot use its name as the scope of its physical names, or undefined. */
export function nameScopeProblem(stack: string, environment: string): string | undefined {
    if (ENVIRONMENT_STACKS.includes(stack)) {
        return stack === environment
            ? undefined
            : `a stack named "${stack}" must deploy environment ${stack}: its physical names would be the ${stack} stack's`;
    }
    if (!PERSONAL_SCOPE.test(stack)) {
        return "a personal stack's name is the suffix of every physical name it creates: use 1 to 12 lower-case letters and digits, starting with a letter (no hyphens)";
    }
    return undefined;
}

export function physicalName(role: string, scope: string): string {
    return `${PROJECT_NAME}-${role}-${scope}`;
}

/** Bucket names are global: they carry the account id unless a name is configured explicitly. */
export function bucketName(role: string, scope: string, accountId: string): string {
    return `${physicalName(role, scope)}-${accountId}`;
}

/** Log group names AWS services expect, so nothing is created implicitly with infinite retention. */
export const logGroupNames = {
    lambda: (functionName: string) => `/aws/lambda/${functionName}`,
    ecs: (role: string, scope: string) => `/ecs/${physicalName(role, scope)}`,
    stateMachine: (name: string) => `/aws/vendedlogs/states/${name}`,
    apiAccess: (name: string) => `/aws/apigateway/${name}`,
    cloudTrail: (name: string) => `/aws/cloudtrail/${name}`,
};
