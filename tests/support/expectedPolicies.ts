/**
 * Expected policy documents, written out once for the builder's unit test and the synthesized component's
 * test, so both hold the same literal statements (never computed by the code under test).
 */
import { KEY_ADMINISTRATION_ACTIONS } from "../../builders/policies/alarmTopic";

interface Where {
    partition: string;
    region: string;
    accountId: string;
}

/** The alarm topic's statements: this environment's CloudWatch alarms publish, TLS only. */
export function expectedAlarmTopicStatements(where: Where, topicArn: string, env: string) {
    return [
        {
            Sid: "AllowCloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                StringEquals: { "aws:SourceAccount": where.accountId },
                ArnLike: { "aws:SourceArn": `arn:${where.partition}:cloudwatch:${where.region}:${where.accountId}:alarm:stark-ballot-simulator-*-${env}` },
            },
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Resource: [topicArn],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
}

/**
 * The trail key's statements, after AWS's CloudTrail key-policy page: the account administers the key without
 * grants, CloudTrail encrypts and describes for this trail only, the account decrypts trail logs only.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export function expectedCloudTrailKeyStatements(where: Where, trailArn: string) {
    const root = `arn:${where.partition}:iam::${where.accountId}:root`;
    return [
        { Sid: "AllowAccountKeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" },
        {
            Sid: "AllowCloudTrailEncryptLogs",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
                StringEquals: { "aws:SourceArn": trailArn },
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${where.partition}:cloudtrail:*:${where.accountId}:trail/*` },
            },
        },
        {
            Sid: "AllowCloudTrailDescribeKey",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:DescribeKey",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "AllowAccountDecryptTrailLogs",
            Effect: "Allow",
            Principal: { AWS: root },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { Null: { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } },
        },
    ];
}
