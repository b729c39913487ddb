/**
 * The bootstrap stack's settings, parsed from its raw Pulumi configuration. Pure: every rule is
 * tested with plain objects, and every problem is reported at once, naming the key and the rule,
 * before any resource is registered.
 */
import { ACCOUNT_ID, AWS_REGION, bucketNameProblem } from "../lambdas/shared/rules";

export const BOOTSTRAP_PROJECT = "stark-ballot-simulator-bootstrap";
export const BOOTSTRAP_CONFIG_KEYS = ["githubRepository", "stateBucketName"] as const;

export interface BootstrapSettings {
    readonly region: string;
    readonly accountId: string;
    /** `owner/repo` whose workflows may assume the CI roles. */
    readonly githubRepository: string;
    /** Bucket of the self-managed Pulumi backend the CI roles read (and deploy roles write). */
    readonly stateBucketName: string;
}

export interface RawBootstrapConfig {
    stack: string;
    /** Project keys without namespace. */
    project: Record<string, unknown>;
    /** `aws:` keys without namespace. */
    aws: Record<string, unknown>;
}

export class BootstrapConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: readonly string[],
    ) {
        super(`Invalid configuration for bootstrap stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "BootstrapConfigError";
    }
}

// GitHub owner: 1-39 alphanumerics or single hyphens; repository: letters, digits, ".", "_", "-".
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;

export function parseBootstrapConfig(raw: RawBootstrapConfig): BootstrapSettings {
    const problems: string[] = [];
    const key = (k: string) => `${BOOTSTRAP_PROJECT}:${k}`;
    for (const k of Object.keys(raw.project).filter((k) => !(BOOTSTRAP_CONFIG_KEYS as readonly string[]).includes(k))) {
        problems.push(`${key(k)}: unknown key (known keys: ${BOOTSTRAP_CONFIG_KEYS.join(", ")})`);
    }
    const repository = raw.project.githubRepository;
    if (typeof repository !== "string" || !REPOSITORY.test(repository)) {
        problems.push(`${key("githubRepository")}: required: the GitHub repository as owner/repo, got ${JSON.stringify(repository)}`);
    }
    const bucket = raw.project.stateBucketName;
    if (typeof bucket !== "string") {
        problems.push(`${key("stateBucketName")}: required: the S3 bucket of the Pulumi backend, got ${JSON.stringify(bucket)}`);
    } else {
        const bucketRule = bucketNameProblem(bucket);
        if (bucketRule !== undefined) problems.push(`${key("stateBucketName")}: ${bucketRule}`);
    }
    const region = raw.aws.region;
    if (typeof region !== "string" || !AWS_REGION.test(region)) {
        problems.push(`aws:region: required: the region of the app stacks, got ${JSON.stringify(region)}`);
    }
    const accounts = raw.aws.allowedAccountIds;
    if (!Array.isArray(accounts) || accounts.length !== 1 || typeof accounts[0] !== "string" || !ACCOUNT_ID.test(accounts[0])) {
        problems.push("aws:allowedAccountIds: required: a list of exactly one 12-digit account id (one bootstrap stack per account)");
    }
    if (problems.length > 0) throw new BootstrapConfigError(raw.stack, problems);
    return Object.freeze({
        region: region as string,
        accountId: (accounts as string[])[0],
        githubRepository: repository as string,
        stateBucketName: bucket as string,
    });
}
