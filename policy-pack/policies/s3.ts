/**
 * Every bucket is private, encrypted, reachable over TLS only and cleans up after itself. With
 * @pulumi/aws v7 these settings are separate resources that name the bucket, so each rule is a
 * stack check: a bucket passes when a companion resource linked to it carries the setting. The
 * deprecated inline bucket arguments are not accepted: one shape is easier to review.
 */
import { parsePolicyDocument } from "../lib/iamDocument";
import { linkedResources, refersToBucket } from "../lib/links";
import { StackResource, StackRule, StackViolation } from "../lib/types";
import { asArray, isFalseLike, isRecord } from "../lib/values";

export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const ENCRYPTION_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const BUCKET_POLICY_TYPES = ["aws:s3/bucketPolicy:BucketPolicy"];
const LIFECYCLE_TYPES = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];

/**
 * Runs `judge` on every bucket with the companions of `companionTypes` that configure it; `judge`
 * returns the violation message, if any.
 */
function eachBucket(
    resources: readonly StackResource[],
    companionTypes: readonly string[],
    judge: (bucket: StackResource, companions: StackResource[]) => string | undefined,
): StackViolation[] {
    const companions = resources.filter((r) => companionTypes.includes(r.type));
    const violations: StackViolation[] = [];
    for (const bucket of resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
        const own = companions.filter((c) => linkedResources(c, "bucket", [bucket], refersToBucket).length > 0);
        const message = judge(bucket, own);
        if (message !== undefined) violations.push({ urn: bucket.urn, message });
    }
    return violations;
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export function checkBucketPublicAccessBlock(resources: readonly StackResource[]): StackViolation[] {
    return eachBucket(resources, PUBLIC_ACCESS_BLOCK_TYPES, (_bucket, blocks) => {
        if (blocks.length === 0) return "bucket has no BucketPublicAccessBlock";
        const open = (block: StackResource) => PUBLIC_ACCESS_FLAGS.filter((flag) => block.props[flag] !== true);
        if (blocks.some((b) => open(b).length === 0)) return undefined;
        return `public access block "${blocks[0].name}" must set ${open(blocks[0]).join(", ")} to true`;
    });
}

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

const encryptsByDefault = (configuration: StackResource) =>
    asArray(configuration.props.rules as unknown).some(
        (rule) => isRecord(rule) && SSE_ALGORITHMS.includes(rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
    );

export function checkBucketEncryption(resources: readonly StackResource[]): StackViolation[] {
    return eachBucket(resources, ENCRYPTION_TYPES, (_bucket, configurations) =>
        configurations.some(encryptsByDefault)
            ? undefined
            : "bucket has no default server-side encryption (a BucketServerSideEncryptionConfiguration rule with sseAlgorithm AES256, aws:kms or aws:kms:dsse)",
    );
}

const isEveryone = (principal: unknown) =>
    principal === "*" || (isRecord(principal) && asArray(principal.AWS as unknown).includes("*"));

/** Condition keys are case-insensitive; operators are not. */
function conditionValue(condition: Record<string, any>, operator: string, key: string): unknown {
    const block = condition[operator];
    if (!isRecord(block)) return undefined;
    const match = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase());
    return match === undefined ? undefined : block[match];
}

/** The statement must cover the bucket itself and its objects (or everything). */
function coversBucket(resources: readonly string[], bucketName: string | undefined): boolean {
    if (resources.includes("*")) return true;
    if (bucketName === undefined) return resources.length > 0;
    return resources.some((r) => r.endsWith(`:::${bucketName}`)) && resources.some((r) => r.endsWith(`:::${bucketName}/*`));
}

/** A Deny of every S3 action to everyone when the request did not use TLS. */
export function deniesInsecureTransport(document: unknown, bucketName: string | undefined): boolean {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) return false;
    return parsed.statements.some(
        (s) =>
            s.effect === "Deny" &&
            isEveryone(s.principal) &&
            s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
            isFalseLike(conditionValue(s.condition, "Bool", "aws:SecureTransport")) &&
            coversBucket(s.resources, bucketName),
    );
}

export function checkBucketTlsOnly(resources: readonly StackResource[]): StackViolation[] {
    return eachBucket(resources, BUCKET_POLICY_TYPES, (bucket, policies) => {
        if (policies.length === 0) return "bucket has no bucket policy denying requests without TLS";
        const name = typeof bucket.props.bucket === "string" ? bucket.props.bucket : bucket.id;
        if (policies.some((p) => deniesInsecureTransport(p.props.policy, name))) return undefined;
        return `bucket policy "${policies[0].name}" must Deny s3:* to every principal on the bucket and its objects when aws:SecureTransport is false`;
    });
}

const hasEnabledRule = (configuration: StackResource) =>
    asArray(configuration.props.rules as unknown).some((rule) => isRecord(rule) && rule.status === "Enabled");

export function checkBucketLifecycle(resources: readonly StackResource[]): StackViolation[] {
    return eachBucket(resources, LIFECYCLE_TYPES, (_bucket, configurations) =>
        configurations.some(hasEnabledRule) ? undefined : "bucket has no lifecycle configuration with an enabled rule",
    );
}

export const s3Rules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "s3-bucket-public-access-block",
        description: "Every S3 bucket has a public access block with all four settings on.",
        enforcementLevel: "mandatory",
        check: checkBucketPublicAccessBlock,
    },
    {
        kind: "stack",
        name: "s3-bucket-encryption",
        description: "Every S3 bucket encrypts objects by default.",
        enforcementLevel: "mandatory",
        check: checkBucketEncryption,
    },
    {
        kind: "stack",
        name: "s3-bucket-tls-only",
        description: "Every S3 bucket policy denies requests that do not use TLS.",
        enforcementLevel: "mandatory",
        check: checkBucketTlsOnly,
    },
    {
        kind: "stack",
        name: "s3-bucket-lifecycle",
        description: "Every S3 bucket has an enabled lifecycle rule, so objects do not pile up forever.",
        enforcementLevel: "mandatory",
        check: checkBucketLifecycle,
    },
];
