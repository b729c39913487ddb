/**
 * Secure defaults and settings documents of the prover pipeline, in one place (SPEC §4, parity values).
 */
export const PIPELINE_DEFAULTS = {
    proofPrefix: "sessions/",
    /** At least six times the dispatch Lambda's timeout (30 s), as AWS advises for SQS event sources. */
    workQueueVisibilityTimeoutSeconds: 1000,
    workQueueRetentionSeconds: 345600,
    workQueueReceiveWaitSeconds: 20,
    deadLetterRetentionSeconds: 1209600,
    maxReceiveCount: 3,
    /**
     * The work queue's MaximumMessageSize, set explicitly so the api's limit (it reads this from the
     * queue) does not depend on a service default: SQS accepts 1,024 to 1,048,576 bytes
     * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html).
     * 256 KiB stays within Step Functions' own 256 KiB payload limit should a message ever be passed on.
     */
    workQueueMaxMessageBytes: 262144,
    cpu: 16384,
    memory: 32768,
    hostTimeoutSeconds: 900,
    /**
     * RunProver's budget beyond the host timeout: Fargate placement of a 16 vCPU task and the image
     * pull take minutes, and the bundle upload retries add more.
     */
    runProverOverheadSeconds: 600,
    /** Prover tasks running at once (admission control, builders/proofSlots.ts); SPEC §7. */
    maxConcurrentProofs: 2,
    signatureCheckTimeoutSeconds: 10,
    signatureCheckMemoryMb: 128,
    /** Images kept in the repository; older ones expire (the running digest is always the newest). */
    ecrImagesKept: 10,
    /**
     * Signature artifacts ECR managed signing stores beside each image: one per signing profile of the
     * matching rule (the bootstrap stack has one rule, one profile).
     */
    ecrSignaturesPerImage: 1,
    scratchVolumeName: "scratch",
    bundleCorsMaxAgeSeconds: 3000,
} as const;

/**
 * Objects under the proof prefix expire per environment; interrupted multipart uploads after a day.
 * The bucket is versioned (an overwritten bundle or input stays recoverable), so the same rule also
 * expires noncurrent versions after the same number of days and removes the delete markers an
 * expiration leaves behind: without them, versioning would keep every overwritten or expired object
 * (and its cost) for ever. On a versioned bucket "Object expiration applies only to an object's current
 * version (it has no impact on noncurrent object versions)".
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-noncurrentversionexpiration.html
 */
export function bundleLifecycleRules(proofPrefix: string, expirationDays: number) {
    return [
        {
            id: "expire-proof-bundles",
            status: "Enabled",
            filter: { prefix: proofPrefix },
            expiration: { days: expirationDays },
            noncurrentVersionExpiration: { noncurrentDays: expirationDays },
        },
        {
            // A delete marker whose versions have all expired is an "expired object delete marker";
            // S3 refuses ExpiredObjectDeleteMarker together with Days in one Expiration, hence its own rule.
            id: "remove-expired-delete-markers",
            status: "Enabled",
            filter: { prefix: proofPrefix },
            expiration: { expiredObjectDeleteMarker: true },
        },
        {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
    ];
}

/**
 * Browsers fetch bundles (with Range requests) straight from the bucket through presigned URLs. A
 * script reads only the response headers CORS exposes: `Content-Range` (which slice arrived, and
 * the total size) and `Accept-Ranges` are needed for ranged downloads.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html (ExposeHeader)
 */
export function bundleCorsRule(origins: readonly string[]) {
    return {
        allowedMethods: ["GET", "HEAD"],
        allowedOrigins: [...origins],
        allowedHeaders: ["*"],
        exposeHeaders: ["ETag", "Content-Length", "Content-Type", "Content-Disposition", "Content-Range", "Accept-Ranges"],
        maxAgeSeconds: PIPELINE_DEFAULTS.bundleCorsMaxAgeSeconds,
    };
}

/**
 * A lifecycle rule counts every artifact of the repository as an image, a signature included (it
 * cannot select images apart from their signatures), so the count keeps each image together with its
 * signatures: 10 images x (1 + 1 signature) = 20. Counting 10 would keep only 5 images, and could
 * expire the signature of the image that runs while the image stays.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 * https://github.com/aws/containers-roadmap/issues/2613 (signatures and indexes count as images)
 */
export const ECR_ARTIFACTS_KEPT = PIPELINE_DEFAULTS.ecrImagesKept * (1 + PIPELINE_DEFAULTS.ecrSignaturesPerImage);

export function ecrLifecyclePolicy() {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `Keep the newest ${PIPELINE_DEFAULTS.ecrImagesKept} images with their signatures (${ECR_ARTIFACTS_KEPT} artifacts)`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: ECR_ARTIFACTS_KEPT },
                action: { type: "expire" },
            },
        ],
    };
}
