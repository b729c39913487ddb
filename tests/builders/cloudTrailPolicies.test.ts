import * as assert from "node:assert/strict";
import { expectedCloudTrailKeyStatements } from "../support/expectedPolicies";
import { cloudTrailBucketPolicy, cloudTrailKeyPolicy, cloudTrailLogsRolePolicy, cloudTrailLogsRoleTrustPolicy, trailArn } from "../../builders/policies/cloudTrail";

const ctx = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" };
const TRAIL_ARN = "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/stark-ballot-simulator-trail-main";
const BUCKET = "stark-ballot-simulator-cloudtrail-main-123456789012";

describe("CloudTrail policies", () => {
    it("trail ARN: home region, account and deterministic name, partition-aware", () => {
        assert.equal(trailArn(ctx, "stark-ballot-simulator-trail-main"), TRAIL_ARN);
        assert.equal(
            trailArn({ partition: "aws-us-gov", region: "us-gov-west-1", accountId: "210987654321" }, "t"),
            "arn:aws-us-gov:cloudtrail:us-gov-west-1:210987654321:trail/t",
        );
    });

    it("bucket policy: CloudTrail of this trail only may check the ACL and write under AWSLogs/<account>/, TLS only", () => {
        assert.deepEqual(cloudTrailBucketPolicy(ctx, BUCKET, TRAIL_ARN), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AllowCloudTrailAclCheck",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "s3:GetBucketAcl",
                    Resource: `arn:aws:s3:::${BUCKET}`,
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012", "aws:SourceArn": TRAIL_ARN } },
                },
                {
                    Sid: "AllowCloudTrailWrite",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/123456789012/*`,
                    Condition: {
                        StringEquals: {
                            "s3:x-amz-acl": "bucket-owner-full-control",
                            "aws:SourceAccount": "123456789012",
                            "aws:SourceArn": TRAIL_ARN,
                        },
                    },
                },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    });

    it("bucket policy follows the partition", () => {
        const policy = cloudTrailBucketPolicy({ ...ctx, partition: "aws-cn" }, BUCKET, TRAIL_ARN);
        assert.deepEqual(
            policy.Statement.map((s) => s.Resource),
            [`arn:aws-cn:s3:::${BUCKET}`, `arn:aws-cn:s3:::${BUCKET}/AWSLogs/123456789012/*`, [`arn:aws-cn:s3:::${BUCKET}`, `arn:aws-cn:s3:::${BUCKET}/*`]],
        );
    });

    it("delivery role: only CreateLogStream/PutLogEvents on the trail's streams of its own log group", () => {
        const logGroupArn = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/cloudtrail/stark-ballot-simulator-trail-main";
        assert.deepEqual(cloudTrailLogsRolePolicy(ctx, logGroupArn), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DeliverTrailEventsToLogGroup",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `${logGroupArn}:log-stream:123456789012_CloudTrail_*`,
                },
            ],
        });
    });

    it("delivery role trust: CloudTrail without aws:SourceAccount/aws:SourceArn (not supported for this role; the assume would fail)", () => {
        // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
        assert.deepEqual(cloudTrailLogsRoleTrustPolicy(), {
            Version: "2012-10-17",
            Statement: [{ Sid: "AllowServiceAssumeRole", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("trail key: administration without grants, CloudTrail encrypts and describes for this trail only, the account decrypts trail logs only; partition-aware", () => {
        const cn = { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" };
        const arnOfTrail = "arn:aws-cn:cloudtrail:cn-north-1:210987654321:trail/t";
        assert.deepEqual(cloudTrailKeyPolicy(cn, arnOfTrail), { Version: "2012-10-17", Statement: expectedCloudTrailKeyStatements(cn, arnOfTrail) });
    });
});
