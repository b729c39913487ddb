/**
 * IAM documents of the alarm topic: who may publish to it and who may use the key it is encrypted
 * with. CloudWatch alarms are the topic's only publisher.
 */
import { AwsContext, PolicyDocument, denyInsecureTransport, policyDocument } from "./document";

export const CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com";

/** The alarms of one environment: `arn:…:alarm:stark-ballot-simulator-*-<env>`. */
export function alarmArnPattern(ctx: AwsContext, alarmNamePattern: string): string {
    return `arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${alarmNamePattern}`;
}

/**
 * Only this environment's CloudWatch alarms may publish (the topic policy replaces the default one,
 * which let every principal of the account manage the topic), and only over TLS.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit
 */
export function alarmTopicPolicy(ctx: AwsContext, topicArn: string, alarmNamePattern: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "AllowCloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                StringEquals: { "aws:SourceAccount": ctx.accountId },
                ArnLike: { "aws:SourceArn": alarmArnPattern(ctx, alarmNamePattern) },
            },
        },
        denyInsecureTransport("sns:Publish", [topicArn]),
    );
}

/**
 * Key administration for the account (so IAM policies, such as the deployer's, can manage the key):
 * the key-management actions of AWS's "allow key administrators" statement, written out one by one
 * instead of as `kms:Create*`-style wildcards, which also match `kms:CreateGrant` (a grant lets its
 * grantee encrypt and decrypt with the key, outside this policy) and any action KMS adds later. No
 * action here encrypts or decrypts, and none imports key material. No person needs to read alarm
 * notifications at rest; to test delivery, `aws cloudwatch set-alarm-state` makes an alarm publish.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
 * https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
 */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:CreateAlias",
    "kms:DescribeKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
    "kms:RevokeGrant",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:DeleteAlias",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

/**
 * Key policy of the alarm topic's customer-managed key. The AWS-managed `alias/aws/sns` key cannot
 * be used: its policy cannot be edited to admit `cloudwatch.amazonaws.com`, so every alarm
 * notification would be dropped without an error. CloudWatch publishes with the key (data key plus
 * decrypt). In a key policy `Resource: "*"` means this key.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function alarmTopicKeyPolicy(ctx: AwsContext): PolicyDocument {
    return policyDocument(
        {
            Sid: "AllowAccountKeyAdministration",
            Effect: "Allow",
            Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
            Action: KEY_ADMINISTRATION_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "AllowCloudWatchAlarmsUseOfKey",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            // Confused-deputy guard: CloudWatch uses the key only for alarms of this account. The
            // global condition key is set on requests a service principal makes for a resource owner,
            // and AWS's own alarm-topic construct (MDAA grantCloudWatchAlarmsTopicAccess) conditions this
            // grant the same way. aws:SourceArn is left to the topic policy (alarm name pattern).
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
            // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
            Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
        },
    );
}
