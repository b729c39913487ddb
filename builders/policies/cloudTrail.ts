/**
 * IAM documents of the CloudTrail trail (SPEC §4 Observability): the bucket policy that lets only
 * this account's trail deliver log files, and what the trail's CloudWatch Logs delivery role may do.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
import { KEY_ADMINISTRATION_ACTIONS } from "./alarmTopic";
import { AwsContext, Condition, PolicyDocument, arn, denyInsecureTransport, policyDocument, unconditionedServiceTrustPolicy } from "./document";

export const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";

/**
 * The trail's ARN, built from its deterministic name: the bucket policy must name the trail before
 * the trail exists, because CloudTrail refuses to create a trail its bucket does not admit.
 * A multi-region trail's ARN carries its home region.
 */
export function trailArn(ctx: AwsContext, trailName: string): string {
    return `arn:${ctx.partition}:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${trailName}`;
}

/** Confused-deputy guard: CloudTrail acts for this account's trail only. */
function fromThisTrail(ctx: AwsContext, arnOfTrail: string): Condition["StringEquals"] {
    return { "aws:SourceAccount": ctx.accountId, "aws:SourceArn": arnOfTrail };
}

/**
 * CloudTrail may read the bucket ACL (its delivery pre-check) and write log files under
 * `AWSLogs/<account>/`, for this trail only; nobody may reach the bucket without TLS.
 */
export function cloudTrailBucketPolicy(ctx: AwsContext, bucketName: string, arnOfTrail: string): PolicyDocument {
    const bucketArn = arn.s3Bucket(ctx, bucketName);
    return policyDocument(
        {
            Sid: "AllowCloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: fromThisTrail(ctx, arnOfTrail) },
        },
        {
            Sid: "AllowCloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:PutObject",
            Resource: arn.s3Object(ctx, bucketName, `AWSLogs/${ctx.accountId}/*`),
            Condition: {
                StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...fromThisTrail(ctx, arnOfTrail) },
            },
        },
        denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]),
    );
}

/**
 * The delivery role may create the trail's streams in its log group and put events there, nothing
 * else. CloudTrail names those streams `<account>_CloudTrail_<region>` (one per region of a
 * multi-region trail).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 */
export function cloudTrailLogsRolePolicy(ctx: AwsContext, logGroupArn: string): PolicyDocument {
    return policyDocument({
        Sid: "DeliverTrailEventsToLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:log-stream:${ctx.accountId}_CloudTrail_*`,
    });
}

/**
 * Who may assume the CloudWatch Logs delivery role: CloudTrail, without `aws:SourceAccount` or
 * `aws:SourceArn`. AWS: "Confused deputy prevention is not applicable to the role policy for
 * CloudWatch Logs monitoring. The role policy doesn't support the use of aws:SourceArn and
 * aws:SourceAccount." With them, the assume fails and CreateTrail answers
 * InvalidCloudWatchLogsRoleArnException. The trail's bucket policy keeps both keys (above).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 */
export function cloudTrailLogsRoleTrustPolicy(): PolicyDocument {
    return unconditionedServiceTrustPolicy(CLOUDTRAIL_SERVICE);
}

/** Every trail of the account, as CloudTrail writes it into the encryption context of each log file. */
export function accountTrailsPattern(ctx: AwsContext): string {
    return `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`;
}

/**
 * Key policy of the trail's customer-managed key, statement by statement as AWS's CloudTrail
 * key-policy pages give them:
 * - CloudTrail encrypts (`kms:GenerateDataKey*`) only for this trail (`aws:SourceArn`, the page's
 *   security best practice) and only with this account's trails in the encryption context;
 * - CloudTrail describes the key, for this trail only;
 * - the account decrypts log files (delegated to IAM policies, through the account principal), only
 *   with a CloudTrail encryption context (`Null` on `kms:EncryptionContext:aws:cloudtrail:arn`), so
 *   the grant reads trail logs and nothing else;
 * - the account administers the key with the explicit actions of the alarm key (no `kms:CreateGrant`,
 *   no wildcard), so it never becomes unmanageable.
 * Without the encrypt or describe statement CloudTrail refuses the trail (InsufficientEncryptionPolicyException)
 * or stops delivering logs. In a key policy `Resource: "*"` means this key.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-encrypt.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-decrypt.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html
 */
export function cloudTrailKeyPolicy(ctx: AwsContext, arnOfTrail: string): PolicyDocument {
    const accountRoot = `arn:${ctx.partition}:iam::${ctx.accountId}:root`;
    return policyDocument(
        {
            Sid: "AllowAccountKeyAdministration",
            Effect: "Allow",
            Principal: { AWS: accountRoot },
            Action: KEY_ADMINISTRATION_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "AllowCloudTrailEncryptLogs",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
                StringEquals: { "aws:SourceArn": arnOfTrail },
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": accountTrailsPattern(ctx) },
            },
        },
        {
            Sid: "AllowCloudTrailDescribeKey",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "kms:DescribeKey",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": arnOfTrail } },
        },
        {
            Sid: "AllowAccountDecryptTrailLogs",
            Effect: "Allow",
            Principal: { AWS: accountRoot },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { Null: { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } },
        },
    );
}
