import * as assert from "node:assert/strict";
import { ObservabilityArgs, validateObservabilityArgs } from "../../components/observability";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, findAll, json, statementsBySid, synth } from "../support/synth";
import { ACCOUNT, at, created, n, REGION } from "../support/mockAccount";
import { KEY_ADMINISTRATION_ACTIONS } from "../../builders/policies/alarmTopic";
import { expectedAlarmTopicStatements, expectedCloudTrailKeyStatements } from "../support/expectedPolicies";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const EMAILS_KEY = "stark-ballot-simulator:alarmEmails";



describe("Observability argument validation", () => {
    const base: ObservabilityArgs = {
        environment: "develop",
        awsContext: { partition: "aws", region: REGION, accountId: ACCOUNT },
        workQueueName: "q",
        deadLetterQueueName: "dlq",
        stateMachineArn: "sm",
        functionNames: { "check-image-signature": "a", "prover-dispatch": "b", "finalize-callback": "c", api: "d" },
        httpApiId: "api",
        proverLogGroupName: "/ecs/p",
    };

    it("accepts the committed profiles and distinct addresses", () => {
        assert.deepEqual(validateObservabilityArgs({ ...base, cloudTrail: { enabled: true, retentionDays: 90 }, alarmEmails: ["a@example.com", "b@example.com"] }), []);
        assert.deepEqual(validateObservabilityArgs(base), []);
    });

    it("reports every problem at once: retention CloudWatch Logs rejects, malformed and repeated addresses", () => {
        assert.deepEqual(validateObservabilityArgs({ ...base, cloudTrail: { enabled: true, retentionDays: 100 }, alarmEmails: ["a@example.com", "nope", "a@example.com"] }), [
            "cloudTrail.retentionDays: 100 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
            'alarmEmails[1]: "nope" is not an e-mail address',
            'alarmEmails[2]: "a@example.com" is listed twice',
        ]);
    });

    it("ignores the trail retention while CloudTrail is disabled", () => {
        assert.deepEqual(validateObservabilityArgs({ ...base, cloudTrail: { enabled: false, retentionDays: 100 } }), []);
    });
});

for (const env of ["develop", "main"] as const) {
    describe(`Observability in ${env} (synthesized)`, function () {
        const topicArn = `arn:aws:sns:${at}:${n("alarms", env)}`;
        const stateMachineArn = `arn:aws:states:${at}:stateMachine:${n("prover-dispatcher", env)}`;
        let r: SynthResult;
        let apiId: string;
        before(async () => {
            r = await synth(env);
            const apis = findAll(r, "aws:apigatewayv2/api:Api");
            assert.equal(apis.length, 1, "one HTTP API");
            apiId = created(apis[0]).id;
        });

        it("alarm topic: named per environment, encrypted with its own rotating key, exported as alarmTopicArn", () => {
            const topic = find(r, "aws:sns/topic:Topic", "observability-alarms");
            assert.equal(topic.inputs.name, n("alarms", env));
            const key = find(r, "aws:kms/key:Key", "observability-alarms-key");
            assert.equal(topic.inputs.kmsMasterKeyId, created(key).state.arn);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.inputs.deletionWindowInDays, env === "main" ? 30 : 7);
            const keyPolicy = statementsBySid(key);
            assert.deepEqual(Object.keys(keyPolicy), ["AllowAccountKeyAdministration", "AllowCloudWatchAlarmsUseOfKey"]);
            assert.deepEqual(keyPolicy.AllowCloudWatchAlarmsUseOfKey.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
            assert.equal(find(r, "aws:kms/alias:Alias", "observability-alarms-key-alias").inputs.name, `alias/${n("alarms", env)}`);
            assert.equal(r.outputs.alarmTopicArn, topicArn);
        });

        it("topic policy: only this environment's CloudWatch alarms publish, TLS only", () => {
            const policy = find(r, "aws:sns/topicPolicy:TopicPolicy", "observability-alarms-policy");
            assert.equal(policy.inputs.arn, topicArn);
            assert.deepEqual(json(policy, "policy").Statement, expectedAlarmTopicStatements({ partition: "aws", region: REGION, accountId: ACCOUNT }, topicArn, env));
        });

        it("no e-mail subscription unless addresses are configured", () => {
            assert.deepEqual(findAll(r, "aws:sns/topicSubscription:TopicSubscription"), []);
        });

        describe("alarms", () => {
            // key -> [namespace, metric, dimensions, statistic, threshold, evaluationPeriods]
            const expected = (): Record<string, [string, string, Record<string, string> | undefined, string, number, number]> => ({
                "prover-dlq-messages": ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: n("prover-work-dlq", env) }, "Maximum", 0, 1],
                "prover-work-queue-age": ["AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: n("prover-work", env) }, "Maximum", 900, 1],
                "prover-executions-failed": ["AWS/States", "ExecutionsFailed", { StateMachineArn: stateMachineArn }, "Sum", 0, 1],
                "prover-executions-timed-out": ["AWS/States", "ExecutionsTimedOut", { StateMachineArn: stateMachineArn }, "Sum", 0, 1],
                "prover-executions-aborted": ["AWS/States", "ExecutionsAborted", { StateMachineArn: stateMachineArn }, "Sum", 0, 1],
                "check-image-signature-errors": ["AWS/Lambda", "Errors", { FunctionName: n("check-image-signature", env) }, "Sum", 0, 1],
                "prover-dispatch-errors": ["AWS/Lambda", "Errors", { FunctionName: n("prover-dispatch", env) }, "Sum", 0, 1],
                "finalize-callback-errors": ["AWS/Lambda", "Errors", { FunctionName: n("finalize-callback", env) }, "Sum", 0, 1],
                "api-errors": ["AWS/Lambda", "Errors", { FunctionName: n("api", env) }, "Sum", 0, 1],
                "prover-dispatch-throttles": ["AWS/Lambda", "Throttles", { FunctionName: n("prover-dispatch", env) }, "Sum", 0, 3],
                "api-5xx": ["AWS/ApiGateway", "5xx", { ApiId: apiId, Stage: "$default" }, "Sum", 0, 1],
                "prover-error-logs": [`StarkBallotSimulator/${env}`, "ProverErrorLogLines", undefined, "Sum", 0, 1],
            });

            it("exactly the expected alarms exist", () => {
                assert.deepEqual(
                    findAll(r, ALARM).map((a) => a.name).sort(),
                    Object.keys(expected()).map((k) => `observability-${k}`).sort(),
                );
            });

            it("each alarm watches the exact metric and dimensions with its threshold, and notifies the topic both ways", () => {
                for (const [key, [namespace, metricName, dimensions, statistic, threshold, evaluationPeriods]] of Object.entries(expected())) {
                    const a = find(r, ALARM, `observability-${key}`).inputs;
                    const actual = {
                        name: a.name,
                        namespace: a.namespace,
                        metricName: a.metricName,
                        dimensions: a.dimensions,
                        statistic: a.statistic,
                        period: a.period,
                        threshold: a.threshold,
                        comparisonOperator: a.comparisonOperator,
                        evaluationPeriods: a.evaluationPeriods,
                        datapointsToAlarm: a.datapointsToAlarm,
                        treatMissingData: a.treatMissingData,
                        alarmActions: a.alarmActions,
                        okActions: a.okActions,
                    };
                    assert.deepEqual(
                        actual,
                        {
                            name: n(key, env),
                            namespace,
                            metricName,
                            dimensions,
                            statistic,
                            period: 300,
                            threshold,
                            comparisonOperator: "GreaterThanThreshold",
                            evaluationPeriods,
                            datapointsToAlarm: evaluationPeriods,
                            treatMissingData: "notBreaching",
                            alarmActions: [topicArn],
                            okActions: [topicArn],
                        },
                        key,
                    );
                    assert.match(a.alarmDescription, /Check first: /, key);
                }
            });

            it("prover ERROR lines are counted from the prover log group", () => {
                const filter = find(r, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "observability-prover-error-logs").inputs;
                assert.deepEqual(filter, {
                    name: n("prover-error-logs", env),
                    logGroupName: `/ecs/${n("prover", env)}`,
                    pattern: '{ $.level = "ERROR" }',
                    metricTransformation: { name: "ProverErrorLogLines", namespace: `StarkBallotSimulator/${env}`, value: "1", unit: "Count" },
                });
            });
        });

        it(`dashboard stark-ballot-simulator-${env}: every alarm, the queues, the state machine and the API, in ${REGION}`, () => {
            const dashboard = find(r, "aws:cloudwatch/dashboard:Dashboard", "observability-dashboard");
            assert.equal(dashboard.inputs.dashboardName, `stark-ballot-simulator-${env}`);
            const body = json<{ widgets: Array<{ type: string; properties: Record<string, any> }> }>(dashboard, "dashboardBody");
            const alarmArns = findAll(r, ALARM).map((a) => `arn:aws:cloudwatch:${at}:alarm:${a.inputs.name}`);
            assert.deepEqual([...body.widgets[0].properties.alarms].sort(), alarmArns.sort());
            for (const w of body.widgets.filter((x) => x.type !== "alarm")) assert.equal(w.properties.region, REGION);
            const referenced = JSON.stringify(body);
            for (const value of [n("prover-work", env), n("prover-work-dlq", env), stateMachineArn, apiId, n("api", env), n("prover-dispatch", env)]) {
                assert.ok(referenced.includes(JSON.stringify(value)), `dashboard shows ${value}`);
            }
            const logs = body.widgets.filter((w) => w.type === "log");
            assert.equal(logs.length, 1);
            assert.equal(
                logs[0].properties.query,
                `SOURCE '/ecs/${n("prover", env)}' | fields @timestamp, failure, exitCode, msg, @logStream | filter level = "ERROR" | sort @timestamp desc | limit 20`,
            );
        });
    });
}

describe("CloudTrail in main (synthesized)", function () {
    const trailName = "stark-ballot-simulator-trail-main";
    const trailArn = `arn:aws:cloudtrail:${at}:trail/${trailName}`;
    const bucket = `stark-ballot-simulator-cloudtrail-main-${ACCOUNT}`;
    const bucketArn = `arn:aws:s3:::${bucket}`;
    const logGroup = `/aws/cloudtrail/${trailName}`;
    const logGroupArn = `arn:aws:logs:${at}:log-group:${logGroup}`;
    let r: SynthResult;
    before(async () => {
        r = await synth("main");
    });

    it("one multi-region trail with global service events, log file validation and CloudWatch Logs delivery", () => {
        const trails = findAll(r, "aws:cloudtrail/trail:Trail");
        assert.deepEqual(trails.map((t) => t.name), ["observability-trail"]);
        const trail = trails[0];
        assert.deepEqual(trail.inputs, {
            name: trailName,
            s3BucketName: bucket,
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            enableLogging: true,
            kmsKeyId: created(find(r, "aws:kms/key:Key", "observability-trail-key")).state.arn,
            cloudWatchLogsGroupArn: `${logGroupArn}:*`,
            cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/stark-ballot-simulator-cloudtrail-logs-main`,
        });
    });

    it("log files encrypted with a customer-managed, rotating, protected key whose policy follows AWS's CloudTrail key-policy page", () => {
        const key = find(r, "aws:kms/key:Key", "observability-trail-key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.inputs.deletionWindowInDays, 30);
        assert.equal(key.protect, true);
        assert.equal(find(r, "aws:kms/alias:Alias", "observability-trail-key-alias").inputs.name, `alias/${trailName}`);
        assert.deepEqual(json(key, "policy").Statement, expectedCloudTrailKeyStatements({ partition: "aws", region: REGION, accountId: ACCOUNT }, trailArn));
        assert.ok(!KEY_ADMINISTRATION_ACTIONS.includes("kms:CreateGrant"), "administration grants nothing");
    });

    it("bucket: account-scoped name, versioned, SSE-S3, public access blocked, owner-enforced, 90-day lifecycle incl. noncurrent versions", () => {
        assert.deepEqual(find(r, "aws:s3/bucket:Bucket", "observability-trail-bucket").inputs, { bucket, forceDestroy: false });
        assert.deepEqual(find(r, "aws:s3/bucketVersioning:BucketVersioning", "observability-trail-bucket-versioning").inputs.versioningConfiguration, { status: "Enabled" });
        assert.deepEqual(
            find(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "observability-trail-bucket-sse").inputs.rules,
            [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        );
        const pab = find(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "observability-trail-bucket-public-access").inputs;
        assert.deepEqual([pab.bucket, pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [bucket, true, true, true, true]);
        assert.deepEqual(find(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "observability-trail-bucket-ownership").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
        assert.deepEqual(find(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "observability-trail-bucket-lifecycle").inputs.rules, [
            {
                id: "expire-trail-logs",
                status: "Enabled",
                filter: {},
                expiration: { days: 90 },
                noncurrentVersionExpiration: { noncurrentDays: 90 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
        ]);
    });

    it("bucket policy: CloudTrail of this trail and account only, TLS only", () => {
        const policy = find(r, "aws:s3/bucketPolicy:BucketPolicy", "observability-trail-bucket-policy");
        assert.equal(policy.inputs.bucket, bucket);
        const fromTrail = { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": trailArn };
        assert.deepEqual(json(policy, "policy").Statement, [
            { Sid: "AllowCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: { StringEquals: fromTrail } },
            {
                Sid: "AllowCloudTrailWrite",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/${ACCOUNT}/*`,
                Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...fromTrail } },
            },
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ]);
    });

    it("CloudWatch Logs delivery: 90-day group, a role CloudTrail assumes without confused-deputy keys (AWS does not support them there), allowed only to write the trail's streams", () => {
        assert.deepEqual(find(r, "aws:cloudwatch/logGroup:LogGroup", "observability-trail-logs").inputs, { name: logGroup, retentionInDays: 90 });
        const role = find(r, "aws:iam/role:Role", "observability-trail-logs-role");
        assert.equal(role.inputs.name, "stark-ballot-simulator-cloudtrail-logs-main");
        assert.deepEqual(json(role, "assumeRolePolicy").Statement, [
            {
                Sid: "AllowServiceAssumeRole",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "sts:AssumeRole",
            },
        ]);
        const policy = find(r, "aws:iam/rolePolicy:RolePolicy", "observability-trail-logs-policy");
        assert.equal(policy.inputs.role, "stark-ballot-simulator-cloudtrail-logs-main");
        assert.deepEqual(json(policy, "policy").Statement, [
            {
                Sid: "DeliverTrailEventsToLogGroup",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${logGroupArn}:log-stream:${ACCOUNT}_CloudTrail_*`,
            },
        ]);
    });

    it("the trail, its bucket, its log group and its key are protected", () => {
        for (const [type, name] of [
            ["aws:cloudtrail/trail:Trail", "observability-trail"],
            ["aws:s3/bucket:Bucket", "observability-trail-bucket"],
            ["aws:cloudwatch/logGroup:LogGroup", "observability-trail-logs"],
            ["aws:kms/key:Key", "observability-trail-key"],
        ]) {
            assert.equal(find(r, type, name).protect, true, `${type} ${name}`);
        }
    });
});

describe("CloudTrail in develop (synthesized)", function () {
    let r: SynthResult;
    before(async () => {
        r = await synth("develop");
    });

    it("creates no trail, trail bucket, trail log group or delivery role", () => {
        assert.deepEqual(findAll(r, "aws:cloudtrail/trail:Trail"), []);
        const trailResources = r.resources.filter((x) => x.name.startsWith("observability-trail"));
        assert.deepEqual(trailResources.map((x) => x.urn), []);
        assert.ok(!findAll(r, "aws:s3/bucket:Bucket").some((b) => String(b.inputs.bucket).includes("cloudtrail")));
        assert.ok(!findAll(r, "aws:cloudwatch/logGroup:LogGroup").some((g) => String(g.inputs.name).startsWith("/aws/cloudtrail/")));
        assert.ok(!findAll(r, "aws:iam/role:Role").some((role) => JSON.stringify(role.inputs.assumeRolePolicy).includes("cloudtrail.amazonaws.com")));
    });

    it("stateful resources are not protected", () => {
        assert.deepEqual(r.resources.filter((x) => x.name.startsWith("observability") && x.protect).map((x) => x.urn), []);
    });
});

describe("alarm e-mail subscriptions (synthesized)", function () {
    const emails = ["oncall@example.com", "lead@example.org"];
    let forward: SynthResult;
    let reversed: SynthResult;
    before(async () => {
        forward = await synth("develop", { configOverrides: { [EMAILS_KEY]: emails } });
        reversed = await synth("develop", { configOverrides: { [EMAILS_KEY]: [...emails].reverse() } });
    });

    it("one e-mail subscription to the alarm topic per configured address", () => {
        const subscriptions = findAll(forward, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(
            subscriptions.map((s) => [s.name, s.inputs]),
            emails.map((email) => [
                `observability-alarm-email-${email}`,
                { topic: `arn:aws:sns:${at}:stark-ballot-simulator-alarms-develop`, protocol: "email", endpoint: email },
            ]),
        );
    });

    it("reordering the addresses keeps every subscription's identity (no replacement)", () => {
        const urns = (x: SynthResult) => findAll(x, "aws:sns/topicSubscription:TopicSubscription").map((s) => `${s.urn}=${s.inputs.endpoint}`).sort();
        assert.deepEqual(urns(reversed), urns(forward));
    });
});
