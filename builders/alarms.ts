/**
 * What the stack watches (SPEC §4 Observability): alarm definitions with their thresholds and the
 * dashboard body. Pure: the component turns each definition into a MetricAlarm.
 *
 * Definitions are generic in the type of the watched names, so the component can pass Pulumi Inputs
 * (and create one alarm per definition without waiting for them) while tests pass plain strings.
 */
import { PROJECT_NAME, physicalName } from "./names";

/** The Lambda functions of the stack, by role. Each gets an Errors alarm. */
export const WATCHED_FUNCTION_ROLES = ["check-image-signature", "prover-dispatch", "finalize-callback", "api"] as const;
export type WatchedFunctionRole = (typeof WATCHED_FUNCTION_ROLES)[number];
/** Functions only some stacks have (the verifier, with config `verifier`); watched the same way when present. */
export const OPTIONAL_WATCHED_FUNCTION_ROLES = ["verifier-service-runner"] as const;
export type OptionalWatchedFunctionRole = (typeof OPTIONAL_WATCHED_FUNCTION_ROLES)[number];
export type WatchedFunctionNames<V> = Record<WatchedFunctionRole, V> & Partial<Record<OptionalWatchedFunctionRole, V>>;

/** The roles present in `names`, always in the same order: the stack's four, then the optional ones it has. */
export function watchedFunctionRoles<V>(names: WatchedFunctionNames<V>): (WatchedFunctionRole | OptionalWatchedFunctionRole)[] {
    return [...WATCHED_FUNCTION_ROLES, ...OPTIONAL_WATCHED_FUNCTION_ROLES.filter((role) => names[role] !== undefined)];
}

export type TreatMissingData = "notBreaching" | "breaching" | "ignore" | "missing";
export type ComparisonOperator = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

export interface AlarmDefinition<V> {
    /** Stable identity of the alarm within the stack (child resource names derive from it). */
    key: string;
    /** Physical name: `stark-ballot-simulator-<key>-<env>`. */
    name: string;
    /** What the alarm watches and what to check first (shown in the notification). */
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, V>;
    statistic: "Sum" | "Maximum" | "Average";
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    threshold: number;
    comparisonOperator: ComparisonOperator;
    treatMissingData: TreatMissingData;
}

/** The names and ids the alarms watch. */
export interface AlarmTargets<V> {
    environment: string;
    workQueueName: V;
    deadLetterQueueName: V;
    stateMachineArn: V;
    functionNames: WatchedFunctionNames<V>;
    httpApiId: V;
    /** HTTP API stage, `$default` for the stack's API. */
    httpApiStage: V;
}

/** Alarm descriptions are capped by CloudWatch. */
export const MAX_ALARM_DESCRIPTION_LENGTH = 1024;

/** Alarms of one environment match this name pattern (the topic admits only them). */
export function alarmNamePattern(environment: string): string {
    return `${PROJECT_NAME}-*-${environment}`;
}

/**
 * Seconds the oldest work message may wait. The dispatcher only starts an execution (seconds, with a
 * 30 s timeout), so a message this old means dispatch is failing or not polling; it is still below
 * the 1000 s visibility timeout, so the alarm fires before a failed message is even retried.
 */
export const WORK_QUEUE_MAX_AGE_SECONDS = 900;

/** Ordinary evaluation: one 5-minute period. */
const FIVE_MINUTES = 300;

/**
 * The prover's ERROR log lines, counted by a metric filter on its log group. The runner writes one
 * JSON object per line and exactly one ERROR line per failed run.
 */
export function proverErrorLogMetric(environment: string) {
    return {
        filterName: physicalName("prover-error-logs", environment),
        pattern: '{ $.level = "ERROR" }',
        namespace: customMetricNamespace(environment),
        metricName: "ProverErrorLogLines",
        value: "1",
        unit: "Count",
    } as const;
}

/** Namespace of the stack's own metrics, one per environment so develop never trips main's alarms. */
export function customMetricNamespace(environment: string): string {
    return `StarkBallotSimulator/${environment}`;
}

const FUNCTION_CHECKS: Record<WatchedFunctionRole | OptionalWatchedFunctionRole, string> = {
    "check-image-signature":
        "the signature gate of every proof. Check first: its log group for the ECR error (AccessDenied on DescribeImageSigningStatus, repository or digest not found), then whether the image digest in the state machine definition still exists.",
    "prover-dispatch":
        "the SQS-to-Step-Functions dispatcher; failed messages are retried and reach the DLQ after 3 receives. Check first: its log group for the message id and error (malformed message, S3 PutObject or StartExecution denied), then the DLQ.",
    "finalize-callback":
        "the function that writes every session's terminal state; an error leaves a session stuck in running. Check first: its log group for the session id and the DynamoDB error, then the failed execution in the state machine.",
    api: "the public API handler. Check first: its log group for the request id and stack trace (secrets from SSM, DynamoDB or SQS errors), then the API access log for the failing route.",
    // The reference handler throws when it gets no verdict; the application's build answers its
    // failures instead, which end the execution FAILED (VerifierRunnerFailed): the executions-failed alarm.
    "verifier-service-runner":
        "VerifyProof, the server-side check of every published proof; an error means no verdict (the verifier binary crashed or hung, an unsafe or missing bundle, or the function timed out), and after the retries the session fails. Check first: its log group for the session id and the error name (VerifierCrashed, UnsafeBundle, BundleNotFound), then that execution's VerifyProof step.",
};

/** Every alarm of the stack, in a stable order. */
export function buildAlarmDefinitions<V>(t: AlarmTargets<V>): AlarmDefinition<V>[] {
    const env = t.environment;
    const countAboveZero = (
        key: string,
        namespace: string,
        metricName: string,
        dimensions: Record<string, V>,
        description: string,
    ): AlarmDefinition<V> => ({
        key,
        name: physicalName(key, env),
        description,
        namespace,
        metricName,
        dimensions,
        statistic: "Sum",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        // These metrics are only published when something happens: no data means nothing went wrong.
        treatMissingData: "notBreaching",
    });
    const stateMachine = { StateMachineArn: t.stateMachineArn };
    const proverErrors = proverErrorLogMetric(env);
    const execution = (key: string, metricName: string, description: string) =>
        countAboveZero(key, "AWS/States", metricName, stateMachine, `Prover state machine (${env}): ${description}`);

    return [
        {
            ...countAboveZero(
                "prover-dlq-messages",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                { QueueName: t.deadLetterQueueName },
                `Prover work DLQ (${env}) holds messages: work the dispatcher failed to start after 3 receives. Check first: the prover-dispatch log group for those message ids, then the message bodies; after fixing the cause, redrive them to the work queue (SQS StartMessageMoveTask).`,
            ),
            // A gauge, not a count: the highest depth in the period is what matters.
            statistic: "Maximum",
        },
        {
            ...countAboveZero(
                "prover-work-queue-age",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                { QueueName: t.workQueueName },
                `Prover work queue (${env}): the oldest message has waited more than ${WORK_QUEUE_MAX_AGE_SECONDS} s, so proofs are not being dispatched. Check first: prover-dispatch errors and throttles, its SQS event source mapping (enabled?, maximum concurrency) and any reserved concurrency.`,
            ),
            statistic: "Maximum",
            threshold: WORK_QUEUE_MAX_AGE_SECONDS,
        },
        execution(
            "prover-executions-failed",
            "ExecutionsFailed",
            "an execution failed. Every Task error is caught and finalized as FAILED, so a failed execution means either finalizing itself failed (the session's terminal state was not written) or, with a verifier, a proof was not verified and ended at ProofNotVerified (error ProofVerificationFailed: the verdict was failed or dev_mode, so the prover image is not the one the stack expects; or VerifierRunnerFailed: no verdict). Check first: the execution's error and event history in the Step Functions console, then the finalize-callback or verifier-service-runner log group.",
        ),
        execution(
            "prover-executions-timed-out",
            "ExecutionsTimedOut",
            "an execution exceeded its time limit and was not finalized. Check first: the execution's event history (which state was running), then the prover log group and the ECS task's stopped reason.",
        ),
        execution(
            "prover-executions-aborted",
            "ExecutionsAborted",
            "an execution was stopped (StopExecution by the api Lambda or by a person); a stopped execution skips its finalize step. Check first: who stopped it (execution history, CloudTrail StopExecution), then the session's status in the sessions table.",
        ),
        ...watchedFunctionRoles(t.functionNames).map((role) =>
            countAboveZero(
                `${role}-errors`,
                "AWS/Lambda",
                "Errors",
                { FunctionName: t.functionNames[role] as V },
                `Lambda ${physicalName(role, env)} reported invocation errors: ${FUNCTION_CHECKS[role]}`,
            ),
        ),
        {
            ...countAboveZero(
                "prover-dispatch-throttles",
                "AWS/Lambda",
                "Throttles",
                { FunctionName: t.functionNames["prover-dispatch"] },
                `Lambda ${physicalName("prover-dispatch", env)} is throttled in three consecutive 5-minute periods: its reserved concurrency (dispatchReservedConcurrency, if set) or the account's unreserved concurrency is exhausted, so work waits in the queue and throttled messages count toward the DLQ's 3 receives. Check first: the work queue depth, then the account's concurrent executions, dispatchReservedConcurrency and dispatchConcurrency (the event source mapping's maximum concurrency).`,
            ),
            // A single throttle is absorbed by SQS retries; only sustained throttling needs a person.
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
        },
        countAboveZero(
            "api-5xx",
            "AWS/ApiGateway",
            // HTTP APIs publish `5xx` with ApiId and Stage (REST APIs use 5XXError and ApiName).
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
            "5xx",
            { ApiId: t.httpApiId, Stage: t.httpApiStage },
            `HTTP API (${env}) answered with server errors (5xx). Check first: the API access log group for the route, status and integrationError, then the api Lambda's errors and throttles.`,
        ),
        countAboveZero(
            "prover-error-logs",
            proverErrors.namespace,
            proverErrors.metricName,
            {},
            `Prover task (${env}) logged an ERROR line: a proof run failed (zkVM host exit, timeout, or S3 input/output error). Check first: the ERROR line in the prover log group (its failure name, exit code and message; the log stream names the task), then that execution's RunProver step.`,
        ),
    ];
}

/** What the dashboard shows. */
export interface DashboardInput {
    region: string;
    environment: string;
    workQueueName: string;
    deadLetterQueueName: string;
    stateMachineArn: string;
    functionNames: WatchedFunctionNames<string>;
    httpApiId: string;
    httpApiStage: string;
    proverLogGroupName: string;
    alarmArns: string[];
}

type MetricLine = [string, string, ...Array<string | Record<string, unknown>>];

interface Widget {
    type: "metric" | "alarm" | "log";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: Record<string, unknown>;
}

const WIDGET_WIDTH = 12;
const WIDGET_HEIGHT = 6;

/**
 * The operations dashboard: alarm states on top, then the pipeline from the queue to the proof, then
 * the functions and the API. Two widgets per row.
 */
export function buildDashboardBody(d: DashboardInput): { widgets: Widget[] } {
    const metricWidget = (title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}) => ({
        type: "metric" as const,
        properties: { title, region: d.region, view: "timeSeries", period: FIVE_MINUTES, stat: "Sum", metrics, ...extra },
    });
    const sm = ["StateMachineArn", d.stateMachineArn] as const;
    const panels: Array<Omit<Widget, "x" | "y" | "width" | "height"> & { fullWidth?: boolean }> = [
        { type: "alarm", fullWidth: true, properties: { title: `Alarms (${d.environment})`, alarms: d.alarmArns } },
        metricWidget(
            "Work queue: depth and age of the oldest message",
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", d.workQueueName, { label: "waiting" }],
                ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", d.workQueueName, { label: "in flight" }],
                ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", d.workQueueName, { label: "oldest (s)", yAxis: "right" }],
            ],
            { stat: "Maximum" },
        ),
        metricWidget(
            "Dead-letter queue depth",
            [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", d.deadLetterQueueName, { label: "dead letters" }]],
            { stat: "Maximum" },
        ),
        metricWidget("Prover executions", [
            ["AWS/States", "ExecutionsStarted", ...sm, { label: "started" }],
            ["AWS/States", "ExecutionsSucceeded", ...sm, { label: "succeeded" }],
            ["AWS/States", "ExecutionsFailed", ...sm, { label: "failed" }],
            ["AWS/States", "ExecutionsTimedOut", ...sm, { label: "timed out" }],
            ["AWS/States", "ExecutionsAborted", ...sm, { label: "aborted" }],
        ]),
        metricWidget("Proof duration (execution time, ms)", [
            ["AWS/States", "ExecutionTime", ...sm, { stat: "p50", label: "p50" }],
            ["AWS/States", "ExecutionTime", ...sm, { stat: "p99", label: "p99" }],
            ["AWS/States", "ExecutionTime", ...sm, { stat: "Maximum", label: "max" }],
        ]),
        metricWidget(
            "Lambda errors",
            watchedFunctionRoles(d.functionNames).map((role): MetricLine => ["AWS/Lambda", "Errors", "FunctionName", d.functionNames[role] as string, { label: role }]),
        ),
        metricWidget("API latency (ms) and server errors", [
            ["AWS/ApiGateway", "Latency", "ApiId", d.httpApiId, "Stage", d.httpApiStage, { stat: "p50", label: "latency p50" }],
            ["AWS/ApiGateway", "Latency", "ApiId", d.httpApiId, "Stage", d.httpApiStage, { stat: "p99", label: "latency p99" }],
            ["AWS/ApiGateway", "5xx", "ApiId", d.httpApiId, "Stage", d.httpApiStage, { stat: "Sum", label: "5xx", yAxis: "right" }],
        ]),
        {
            type: "log",
            fullWidth: true,
            properties: {
                title: "Prover ERROR lines (latest 20)",
                region: d.region,
                view: "table",
                query: `SOURCE '${d.proverLogGroupName}' | fields @timestamp, failure, exitCode, msg, @logStream | filter level = "ERROR" | sort @timestamp desc | limit 20`,
            },
        },
    ];

    const widgets: Widget[] = [];
    let x = 0;
    let y = 0;
    for (const { fullWidth, ...panel } of panels) {
        const width = fullWidth ? 2 * WIDGET_WIDTH : WIDGET_WIDTH;
        if (x + width > 2 * WIDGET_WIDTH) {
            x = 0;
            y += WIDGET_HEIGHT;
        }
        widgets.push({ ...panel, x, y, width, height: WIDGET_HEIGHT });
        x += width;
    }
    return { widgets };
}
