import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../builders/policies/document";

export interface HardenedBucketArgs {
    /** Physical bucket name. Required. */
    bucketName: pulumi.Input<string>;
    /** `protect` the bucket, and refuse to empty it on delete (no `forceDestroy`). Required. */
    protect: boolean;
    /**
     * The bucket policy, given the bucket's physical name. It must deny requests without TLS
     * (`denyInsecureTransport` from builders/policies/document.ts), as the S3 security guide asks:
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
     * Required.
     */
    policy: (bucketName: pulumi.Output<string>) => pulumi.Output<PolicyDocument>;
    /** Use an S3 Bucket Key for SSE (fewer encryption requests). Default: false. */
    bucketKeyEnabled?: boolean;
}

export interface HardenedBucket {
    bucket: aws.s3.Bucket;
    /** Enabled versioning: a lifecycle with noncurrent-version rules must depend on it. */
    versioning: aws.s3.BucketVersioning;
    /** The bucket policy (a writer that needs it in force may depend on it). */
    policy: aws.s3.BucketPolicy;
}

/**
 * A private bucket as both of the stack's buckets need it: objects owned by the bucket owner (ACLs
 * disabled), every public access blocked, SSE-S3 by default, versioning enabled, and a bucket
 * policy that refuses plain HTTP. Its children are registered under `parent` with the names
 * `<resourceName>`, `<resourceName>-ownership`, `-public-access`, `-sse`, `-versioning` and
 * `-policy` (a function, not a component of its own, so the URNs of deployed buckets stay the
 * same and nothing is replaced).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
 */
export function hardenedBucket(resourceName: string, args: HardenedBucketArgs, parent: pulumi.Resource): HardenedBucket {
    const child = { parent };
    const bucket = new aws.s3.Bucket(
        resourceName,
        { bucket: args.bucketName, forceDestroy: !args.protect },
        // Losing the bucket loses every object in it.
        { parent, protect: args.protect },
    );
    new aws.s3.BucketOwnershipControls(`${resourceName}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${resourceName}-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${resourceName}-sse`,
        {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, ...(args.bucketKeyEnabled ? { bucketKeyEnabled: true } : {}) }],
        },
        child,
    );
    // Versioned so an overwritten or deleted object stays recoverable.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
    const versioning = new aws.s3.BucketVersioning(`${resourceName}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    const policy = new aws.s3.BucketPolicy(
        `${resourceName}-policy`,
        { bucket: bucket.id, policy: pulumi.jsonStringify(args.policy(bucket.bucket)) },
        // S3 rejects a bucket policy while the public access block is still being applied.
        { parent, dependsOn: [publicAccessBlock] },
    );
    return { bucket, versioning, policy };
}
