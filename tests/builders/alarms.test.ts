import * as assert from "node:assert/strict";
import {
    AlarmTargets,
    DashboardInput,
    MAX_ALARM_DESCRIPTION_LENGTH,
    WATCHED_FUNCTION_ROLES,
    alarmNamePattern,
    buildAlarmDefinitions,
    buildDashboardBody,
    customMetricNamespace,
    proverErrorLogMetric,
} from "../../builders/alarms";
import { KEY_ADMINISTRATION_ACTIONS, alarmTopicKeyPolicy, alarmTopicPolicy } from "../../builders/policies/alarmTopic";
import { expectedAlarmTopicStatements } from "../support/expectedPolicies";

const ctx = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" };
const SM_ARN = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-develop";

const targets: AlarmTargets<string> = {
    environment: "develop",
    workQueueName: "work-q",
    deadLetterQueueName: "dlq-q",
    stateMachineArn: SM_ARN,
    functionNames: { "check-image-signature": "fn-sig", "prover-dispatch": "fn-dispatch", "finalize-callback": "fn-finalize", api: "fn-api" },
    httpApiId: "a1b2c3",
    httpApiStage: "$default",
};

const DASHBOARD: DashboardInput = {
    region: "eu-west-1",
    environment: "develop",
    workQueueName: "work-q",
    deadLetterQueueName: "dlq-q",
    stateMachineArn: SM_ARN,
    functionNames: targets.functionNames,
    httpApiId: "a1b2c3",
    httpApiStage: "$default",
    proverLogGroupName: "/ecs/prover",
    alarmArns: ["arn:alarm:1", "arn:alarm:2"],
};

describe("alarm definitions", () => {
    const alarms = buildAlarmDefinitions(targets);
    const byKey = Object.fromEntries(alarms.map((a) => [a.key, a]));

    // key -> [namespace, metric, dimensions, statistic, evaluationPeriods, datapointsToAlarm, threshold]
    const expected: Record<string, [string, string, Record<string, string>, string, number, number, number]> = {
        "prover-dlq-messages": ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "dlq-q" }, "Maximum", 1, 1, 0],
        "prover-work-queue-age": ["AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: "work-q" }, "Maximum", 1, 1, 900],
        "prover-executions-failed": ["AWS/States", "ExecutionsFailed", { StateMachineArn: SM_ARN }, "Sum", 1, 1, 0],
        "prover-executions-timed-out": ["AWS/States", "ExecutionsTimedOut", { StateMachineArn: SM_ARN }, "Sum", 1, 1, 0],
        "prover-executions-aborted": ["AWS/States", "ExecutionsAborted", { StateMachineArn: SM_ARN }, "Sum", 1, 1, 0],
        "check-image-signature-errors": ["AWS/Lambda", "Errors", { FunctionName: "fn-sig" }, "Sum", 1, 1, 0],
        "prover-dispatch-errors": ["AWS/Lambda", "Errors", { FunctionName: "fn-dispatch" }, "Sum", 1, 1, 0],
        "finalize-callback-errors": ["AWS/Lambda", "Errors", { FunctionName: "fn-finalize" }, "Sum", 1, 1, 0],
        "api-errors": ["AWS/Lambda", "Errors", { FunctionName: "fn-api" }, "Sum", 1, 1, 0],
        "prover-dispatch-throttles": ["AWS/Lambda", "Throttles", { FunctionName: "fn-dispatch" }, "Sum", 3, 3, 0],
        "api-5xx": ["AWS/ApiGateway", "5xx", { ApiId: "a1b2c3", Stage: "$default" }, "Sum", 1, 1, 0],
        "prover-error-logs": ["StarkBallotSimulator/develop", "ProverErrorLogLines", {}, "Sum", 1, 1, 0],
    };

    it("defines exactly the expected alarms, in a stable order", () => {
        assert.deepEqual(
            alarms.map((a) => a.key),
            Object.keys(expected),
        );
    });

    for (const [key, [namespace, metricName, dimensions, statistic, evaluationPeriods, datapointsToAlarm, threshold]] of Object.entries(expected)) {
        it(`${key}: ${namespace} ${metricName} ${statistic} > ${threshold} over ${datapointsToAlarm} of ${evaluationPeriods} x 5 min, missing data is not breaching`, () => {
            const a = byKey[key];
            assert.equal(a.name, `stark-ballot-simulator-${key}-develop`);
            assert.equal(a.namespace, namespace);
            assert.equal(a.metricName, metricName);
            assert.deepEqual(a.dimensions, dimensions);
            assert.equal(a.statistic, statistic);
            assert.equal(a.periodSeconds, 300);
            assert.equal(a.evaluationPeriods, evaluationPeriods);
            assert.equal(a.datapointsToAlarm, datapointsToAlarm);
            assert.equal(a.threshold, threshold);
            assert.equal(a.comparisonOperator, "GreaterThanThreshold");
            assert.equal(a.treatMissingData, "notBreaching");
        });
    }

    it("every Lambda role has an Errors alarm", () => {
        for (const role of WATCHED_FUNCTION_ROLES) assert.equal(byKey[`${role}-errors`].metricName, "Errors");
    });

    it("descriptions say what is watched and what to check first, within CloudWatch's limit", () => {
        for (const a of alarms) {
            assert.ok(a.description.length <= MAX_ALARM_DESCRIPTION_LENGTH, `${a.key}: ${a.description.length} characters`);
            assert.match(a.description, /Check first: \S/, a.key);
            assert.match(a.description, /develop/, `${a.key} names its environment`);
        }
        assert.match(byKey["prover-dlq-messages"].description, /StartMessageMoveTask/);
        assert.match(byKey["prover-dispatch-errors"].description, /stark-ballot-simulator-prover-dispatch-develop/);
    });

    it("every alarm name matches the environment's alarm name pattern (which the topic admits)", () => {
        const pattern = alarmNamePattern("develop");
        assert.equal(pattern, "stark-ballot-simulator-*-develop");
        const re = new RegExp(`^${pattern.replace("*", ".+")}$`);
        for (const a of alarms) assert.match(a.name, re);
        assert.doesNotMatch(buildAlarmDefinitions({ ...targets, environment: "main" })[0].name, re);
    });

    it("keeps the watched values as given (Inputs pass through untouched)", () => {
        const marker = { id: "queue" };
        const generic = buildAlarmDefinitions<unknown>({ ...targets, deadLetterQueueName: marker });
        assert.equal(generic[0].dimensions.QueueName, marker);
    });
});

describe("alarm definitions with a verifier (config verifier)", () => {
    const withVerifier: AlarmTargets<string> = { ...targets, functionNames: { ...targets.functionNames, "verifier-service-runner": "fn-verifier" } };
    const alarms = buildAlarmDefinitions(withVerifier);

    it("the verifier gets an Errors alarm like the other functions, after them; no throttles alarm (only dispatch has reserved concurrency)", () => {
        assert.deepEqual(
            alarms.filter((a) => a.namespace === "AWS/Lambda").map((a) => [a.key, a.metricName, a.dimensions.FunctionName, a.threshold, a.evaluationPeriods]),
            [
                ["check-image-signature-errors", "Errors", "fn-sig", 0, 1],
                ["prover-dispatch-errors", "Errors", "fn-dispatch", 0, 1],
                ["finalize-callback-errors", "Errors", "fn-finalize", 0, 1],
                ["api-errors", "Errors", "fn-api", 0, 1],
                ["verifier-service-runner-errors", "Errors", "fn-verifier", 0, 1],
                ["prover-dispatch-throttles", "Throttles", "fn-dispatch", 0, 3],
            ],
        );
        const verifier = alarms.find((a) => a.key === "verifier-service-runner-errors")!;
        assert.equal(verifier.name, "stark-ballot-simulator-verifier-service-runner-errors-develop");
        assert.deepEqual([verifier.statistic, verifier.comparisonOperator, verifier.treatMissingData], ["Sum", "GreaterThanThreshold", "notBreaching"]);
        assert.match(verifier.description, /^Lambda stark-ballot-simulator-verifier-service-runner-develop reported invocation errors: VerifyProof/);
        assert.match(verifier.description, /Check first: its log group for the session id and the error name \(VerifierCrashed, UnsafeBundle, BundleNotFound\)/);
        for (const a of alarms) assert.ok(a.description.length <= MAX_ALARM_DESCRIPTION_LENGTH, `${a.key}: ${a.description.length} characters`);
    });

    it("without a verifier there is no verifier alarm", () => {
        assert.equal(buildAlarmDefinitions(targets).some((a) => a.key.startsWith("verifier")), false);
    });

    it("the executions-failed alarm names a proof that was not verified, the errors it carries", () => {
        const failed = alarms.find((a) => a.key === "prover-executions-failed")!;
        assert.match(failed.description, /ended at ProofNotVerified \(error ProofVerificationFailed: the verdict was failed or dev_mode/);
        assert.match(failed.description, /VerifierRunnerFailed: no verdict/);
    });

    it("the dashboard's Lambda errors include the verifier", () => {
        const body = buildDashboardBody({ ...DASHBOARD, functionNames: withVerifier.functionNames });
        const errors = body.widgets.find((w) => w.properties.title === "Lambda errors")!;
        assert.deepEqual((errors.properties.metrics as unknown[]).at(-1), ["AWS/Lambda", "Errors", "FunctionName", "fn-verifier", { label: "verifier-service-runner" }]);
    });
});

describe("prover ERROR log metric", () => {
    it("counts JSON lines with level ERROR into the environment's own namespace", () => {
        assert.deepEqual(proverErrorLogMetric("main"), {
            filterName: "stark-ballot-simulator-prover-error-logs-main",
            pattern: '{ $.level = "ERROR" }',
            namespace: "StarkBallotSimulator/main",
            metricName: "ProverErrorLogLines",
            value: "1",
            unit: "Count",
        });
        assert.equal(customMetricNamespace("develop"), "StarkBallotSimulator/develop");
    });
});

describe("dashboard body", () => {
    const body = buildDashboardBody(DASHBOARD);
    const titled = (title: string) => {
        const w = body.widgets.find((x) => x.properties.title === title);
        assert.ok(w, `no widget titled ${title}: ${body.widgets.map((x) => x.properties.title).join(", ")}`);
        return w;
    };

    it("lays widgets out on the 24-column grid without overlap", () => {
        const cells = new Set<string>();
        for (const w of body.widgets) {
            assert.ok(w.x >= 0 && w.x + w.width <= 24, `${w.properties.title} fits the grid`);
            for (let x = w.x; x < w.x + w.width; x++) {
                for (let y = w.y; y < w.y + w.height; y++) {
                    assert.ok(!cells.has(`${x},${y}`), `${w.properties.title} overlaps at ${x},${y}`);
                    cells.add(`${x},${y}`);
                }
            }
        }
        assert.equal(body.widgets.length, 8);
    });

    it("every metric and log widget uses the stack's region", () => {
        for (const w of body.widgets.filter((x) => x.type !== "alarm")) assert.equal(w.properties.region, "eu-west-1");
    });

    it("shows the alarm states first", () => {
        assert.deepEqual(body.widgets[0], { type: "alarm", x: 0, y: 0, width: 24, height: 6, properties: { title: "Alarms (develop)", alarms: ["arn:alarm:1", "arn:alarm:2"] } });
    });

    it("work queue depth and age, DLQ depth", () => {
        assert.deepEqual(titled("Work queue: depth and age of the oldest message").properties.metrics, [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "work-q", { label: "waiting" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", "work-q", { label: "in flight" }],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "work-q", { label: "oldest (s)", yAxis: "right" }],
        ]);
        const dlq = titled("Dead-letter queue depth").properties;
        assert.deepEqual(dlq.metrics, [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dlq-q", { label: "dead letters" }]]);
        assert.equal(dlq.stat, "Maximum");
    });

    it("executions started/succeeded/failed and proof duration from the state machine", () => {
        const executions = titled("Prover executions").properties.metrics as unknown[][];
        assert.deepEqual(
            executions.map((m) => m.slice(0, 4)),
            ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"].map((n) => ["AWS/States", n, "StateMachineArn", SM_ARN]),
        );
        const duration = titled("Proof duration (execution time, ms)").properties.metrics as unknown[][];
        assert.deepEqual(
            duration.map((m) => [m[1], m[3], (m[4] as { stat: string }).stat]),
            [["ExecutionTime", SM_ARN, "p50"], ["ExecutionTime", SM_ARN, "p99"], ["ExecutionTime", SM_ARN, "Maximum"]],
        );
    });

    it("Lambda errors of every function and API latency p50/p99 on the $default stage", () => {
        assert.deepEqual(titled("Lambda errors").properties.metrics, [
            ["AWS/Lambda", "Errors", "FunctionName", "fn-sig", { label: "check-image-signature" }],
            ["AWS/Lambda", "Errors", "FunctionName", "fn-dispatch", { label: "prover-dispatch" }],
            ["AWS/Lambda", "Errors", "FunctionName", "fn-finalize", { label: "finalize-callback" }],
            ["AWS/Lambda", "Errors", "FunctionName", "fn-api", { label: "api" }],
        ]);
        assert.deepEqual(titled("API latency (ms) and server errors").properties.metrics, [
            ["AWS/ApiGateway", "Latency", "ApiId", "a1b2c3", "Stage", "$default", { stat: "p50", label: "latency p50" }],
            ["AWS/ApiGateway", "Latency", "ApiId", "a1b2c3", "Stage", "$default", { stat: "p99", label: "latency p99" }],
            ["AWS/ApiGateway", "5xx", "ApiId", "a1b2c3", "Stage", "$default", { stat: "Sum", label: "5xx", yAxis: "right" }],
        ]);
    });

    it("lists the prover's latest ERROR lines from its log group", () => {
        const w = titled("Prover ERROR lines (latest 20)");
        assert.equal(w.type, "log");
        assert.equal(
            w.properties.query,
            `SOURCE '/ecs/prover' | fields @timestamp, failure, exitCode, msg, @logStream | filter level = "ERROR" | sort @timestamp desc | limit 20`,
        );
    });
});

describe("alarm topic policies", () => {
    const topicArn = "arn:aws:sns:ap-northeast-1:123456789012:stark-ballot-simulator-alarms-develop";

    it("topic: only this environment's CloudWatch alarms may publish, and only over TLS", () => {
        assert.deepEqual(alarmTopicPolicy(ctx, topicArn, "stark-ballot-simulator-*-develop"), {
            Version: "2012-10-17",
            Statement: expectedAlarmTopicStatements(ctx, topicArn, "develop"),
        });
    });

    it("key: the account administers it without being able to decrypt; CloudWatch of this account encrypts with it", () => {
        const policy = alarmTopicKeyPolicy({ ...ctx, partition: "aws-cn" });
        assert.deepEqual(policy.Statement, [
            {
                Sid: "AllowAccountKeyAdministration",
                Effect: "Allow",
                Principal: { AWS: "arn:aws-cn:iam::123456789012:root" },
                Action: KEY_ADMINISTRATION_ACTIONS,
                Resource: "*",
            },
            {
                Sid: "AllowCloudWatchAlarmsUseOfKey",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        ]);
        assert.ok(!KEY_ADMINISTRATION_ACTIONS.includes("kms:*"));
        // Explicit actions only: a wildcard such as kms:Create* would also match kms:CreateGrant.
        assert.ok(KEY_ADMINISTRATION_ACTIONS.every((a) => /^kms:[A-Za-z]+$/.test(a)), KEY_ADMINISTRATION_ACTIONS.join());
        assert.ok(!KEY_ADMINISTRATION_ACTIONS.includes("kms:CreateGrant"));
        for (const usage of ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]) {
            assert.ok(!KEY_ADMINISTRATION_ACTIONS.some((a) => a === usage || usage.startsWith(a.replace("*", ""))), `administration excludes ${usage}`);
        }
    });
});
