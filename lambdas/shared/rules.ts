/**
 * The one home of the value rules that the stack config, the pure builders and the code running in
 * AWS (Lambda handlers, the prover runner) all apply. Pure and free of `@pulumi/*`, and inside
 * `lambdas/shared/`, which both the Lambda bundles and the prover image build (prover/Dockerfile
 * copies this folder) can reach. Each `...Problem` function returns the problem as text naming the
 * rule and the value, or undefined; callers put their key (config key, argument, variable) in front.
 */

/** An AWS account id: exactly 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/**
 * A region of the partitions the program supports (aws, aws-cn, aws-us-gov: the ECR and ARN rules
 * below know no others), such as ap-northeast-1, cn-north-1 or us-gov-west-1.
 * https://docs.aws.amazon.com/general/latest/gr/rande.html#regional-endpoints
 */
export const AWS_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;

/** A Step Functions state machine ARN, `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
export const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

/** 64 lower-case hex digits: a SHA-256 as ECR and the zkVM print it. */
const SHA256_HEX = "[0-9a-f]{64}";

/** An image digest, `sha256:<64 lower-case hex>`. ECR keeps signing status and scan findings per digest. */
export const SHA256_DIGEST = new RegExp(`^sha256:${SHA256_HEX}$`);
export const SHA256_DIGEST_RULE = "sha256:<64 lower-case hex>";

/** Any image reference pinned by digest, `<repository>@sha256:<hex>`: group 1 is the repository, group 2 the digest. */
export const DIGEST_REFERENCE = new RegExp(`^(.+)@(sha256:${SHA256_HEX})$`);

/**
 * An ECR repository name: lower-case segments joined by `.`, `_` or `-`, namespaces separated by `/`,
 * 2-256 characters. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
 */
const ECR_REPOSITORY_NAME_SOURCE = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
export const ECR_REPOSITORY_NAME = new RegExp(`^(?=.{2,256}$)${ECR_REPOSITORY_NAME_SOURCE}$`);

/**
 * ECR image reference pinned by digest. ECR signing status is kept per digest, so a tag (which can
 * move) would let the signature gate approve one image and Fargate run another. Groups: account,
 * region, repository, digest.
 */
export const ECR_DIGEST_URI = new RegExp(
    `^(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?\\/(${ECR_REPOSITORY_NAME_SOURCE})@(sha256:${SHA256_HEX})$`,
);

/** The zkVM guest image id a proof must carry: 64 lower-case hex digits, without `0x`. */
export const ZKVM_IMAGE_ID = new RegExp(`^${SHA256_HEX}$`);
export const ZKVM_IMAGE_ID_RULE = "64 lower-case hex digits without 0x";

/**
 * The proof prefix: empty, or segments each ending in `/`. It is spliced into S3 keys, IAM resource
 * ARNs and a Step Functions `States.Format` literal, whose escape characters (`'{}\`) must therefore
 * never appear, so only S3's "safe characters" minus those with a meaning in ARNs or `States.Format`
 * are allowed, and no segment is empty, `.` or `..` (tools that treat keys as paths collapse them).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html#object-key-guidelines
 */
export const PROOF_PREFIX = /^(?:(?!\.{1,2}\/)[A-Za-z0-9._-]+\/)*$/;

export function proofPrefixProblem(prefix: string): string | undefined {
    if (PROOF_PREFIX.test(prefix)) return undefined;
    return `${JSON.stringify(prefix)} must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)`;
}

/**
 * S3 general purpose bucket naming rules, all of them: AWS rejects every name this rejects.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const BUCKET_NAME_CHARACTERS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_NAME_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
const BUCKET_NAME_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

export function bucketNameProblem(name: string): string | undefined {
    const invalid = `${JSON.stringify(name)} is not a valid S3 bucket name`;
    if (!BUCKET_NAME_CHARACTERS.test(name)) {
        return `${invalid} (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)`;
    }
    if (name.includes("..")) return `${invalid} (two adjacent dots)`;
    if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name)) return `${invalid} (formatted as an IP address)`;
    const prefix = BUCKET_NAME_RESERVED_PREFIXES.find((p) => name.startsWith(p));
    if (prefix !== undefined) return `${invalid} (the prefix "${prefix}" is reserved)`;
    const suffix = BUCKET_NAME_RESERVED_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix !== undefined) return `${invalid} (the suffix "${suffix}" is reserved)`;
    return undefined;
}

/**
 * Lifetime of a session capability (stack key `sessionCapabilityTtlSeconds`, api variable
 * `SESSION_CAPABILITY_TTL_SECONDS`): at least a proof's 15 minutes, since a shorter token expires
 * under a running proof, and at most 30 days.
 */
export const SESSION_CAPABILITY_TTL_BOUNDS = Object.freeze({ min: 900, max: 2_592_000 });

/**
 * Proofs the API admits per UTC hour and per day (stack keys `proofsPerHour`/`proofsPerDay`, api
 * variables `PROOFS_PER_HOUR`/`PROOFS_PER_DAY`); the hourly budget never exceeds the daily one.
 */
export const PROOF_BUDGET_BOUNDS = Object.freeze({ min: 1, max: 10_000 });
