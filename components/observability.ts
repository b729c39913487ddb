import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WatchedFunctionNames, alarmNamePattern, buildAlarmDefinitions, buildDashboardBody, proverErrorLogMetric } from "../builders/alarms";
import { PROJECT_NAME, bucketName, logGroupNames, physicalName } from "../builders/names";
import { alarmTopicKeyPolicy, alarmTopicPolicy } from "../builders/policies/alarmTopic";
import { cloudTrailBucketPolicy, cloudTrailKeyPolicy, cloudTrailLogsRolePolicy, cloudTrailLogsRoleTrustPolicy, trailArn } from "../builders/policies/cloudTrail";
import { AwsContext } from "../builders/policies/document";
import { EMAIL } from "../stacks/rules";
import { retainedLogGroup } from "./retainedLogGroup";

export interface ObservabilityArgs {
    /** Environment name, used in physical names and the custom metric namespace. Required. */
    environment: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack's name scope, so a second stack
     * in the same account collides with nothing. Default: the environment name.
     */
    nameScope?: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /**
     * A multi-region CloudTrail trail with its own bucket and CloudWatch Logs group, whose events
     * (and log files) are kept `retentionDays`. Default: `{ enabled: false, retentionDays: 90 }`.
     */
    cloudTrail?: { enabled: boolean; retentionDays?: number };
    /** `protect` the trail, its bucket and its log group. Default: false. */
    protectStatefulResources?: boolean;
    /** Addresses subscribed to the alarm topic (each confirms by e-mail). Default: none. */
    alarmEmails?: readonly string[];
    /** Name of the prover work queue. Required. */
    workQueueName: pulumi.Input<string>;
    /** Name of the prover dead-letter queue. Required. */
    deadLetterQueueName: pulumi.Input<string>;
    /** ARN of the prover state machine. Required. */
    stateMachineArn: pulumi.Input<string>;
    /** Name of every Lambda function of the stack, by role. Required. */
    functionNames: WatchedFunctionNames<pulumi.Input<string>>;
    /** Id of the HTTP API. Required. */
    httpApiId: pulumi.Input<string>;
    /** Stage of the HTTP API whose metrics are watched. Default: `$default`. */
    httpApiStage?: pulumi.Input<string>;
    /** Log group of the prover task, where ERROR lines are counted. Required. */
    proverLogGroupName: pulumi.Input<string>;
}

export const OBSERVABILITY_DEFAULTS = {
    cloudTrailRetentionDays: 90,
    httpApiStage: "$default",
    /** KMS waits this long before deleting the alarm key: the maximum where the stack is protected. */
    protectedKeyDeletionWindowDays: 30,
    keyDeletionWindowDays: 7,
} as const;

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Every problem with the arguments, so a caller sees them all at once. */
export function validateObservabilityArgs(args: ObservabilityArgs): string[] {
    const problems: string[] = [];
    const retention = args.cloudTrail?.retentionDays ?? OBSERVABILITY_DEFAULTS.cloudTrailRetentionDays;
    if (args.cloudTrail?.enabled && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
        problems.push(`cloudTrail.retentionDays: ${retention} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    const emails = args.alarmEmails ?? [];
    emails.forEach((email, i) => {
        if (!EMAIL.test(email)) problems.push(`alarmEmails[${i}]: "${email}" is not an e-mail address`);
        if (emails.indexOf(email) !== i) problems.push(`alarmEmails[${i}]: "${email}" is listed twice`);
    });
    return problems;
}

/**
 * What operators see and hear: the alarm topic (encrypted, CloudWatch-only, e-mail subscriptions),
 * one alarm per failure mode of the pipeline and the API, a dashboard, and, where enabled, the
 * account's CloudTrail trail delivered to S3 and CloudWatch Logs.
 */
export class Observability extends pulumi.ComponentResource {
    readonly alarmTopicArn: pulumi.Output<string>;
    readonly alarmKeyArn: pulumi.Output<string>;
    /** Physical alarm names by alarm key (e.g. `prover-dlq-messages`). */
    readonly alarmNames: Record<string, pulumi.Output<string>>;
    readonly dashboardName: pulumi.Output<string>;
    /** Set only where CloudTrail is enabled. */
    readonly trailArn?: pulumi.Output<string>;
    readonly trailBucketName?: pulumi.Output<string>;
    readonly trailLogGroupName?: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        const problems = validateObservabilityArgs(args);
        if (problems.length > 0) throw new Error(`Observability ${name}: ${problems.join("; ")}`);
        super("stark:observability:Observability", name, {}, opts);
        const child = { parent: this };
        // Every name, label and metric namespace here is per stack: the name scope (the environment
        // for the committed stacks).
        const env = args.nameScope ?? args.environment;
        const ctx = pulumi.output(args.awsContext);
        const protect = args.protectStatefulResources ?? false;
        const httpApiStage = args.httpApiStage ?? OBSERVABILITY_DEFAULTS.httpApiStage;

        // ---- Alarm topic ---------------------------------------------------------------------------
        // Encrypted with a customer-managed key: CloudWatch cannot publish to a topic encrypted with
        // the AWS-managed alias/aws/sns key (its policy does not admit cloudwatch.amazonaws.com, and
        // every notification would be dropped silently). Notifications carry only alarm metadata; a
        // key of our own ($1/month) still encrypts them at rest and its policy names who may use it.
        const key = new aws.kms.Key(
            `${name}-alarms-key`,
            {
                description: `Encrypts the ${physicalName("alarms", env)} topic`,
                enableKeyRotation: true,
                deletionWindowInDays: protect ? OBSERVABILITY_DEFAULTS.protectedKeyDeletionWindowDays : OBSERVABILITY_DEFAULTS.keyDeletionWindowDays,
                policy: ctx.apply((c) => JSON.stringify(alarmTopicKeyPolicy(c))),
            },
            child,
        );
        new aws.kms.Alias(`${name}-alarms-key-alias`, { name: `alias/${physicalName("alarms", env)}`, targetKeyId: key.arn }, child);
        const topic = new aws.sns.Topic(
            `${name}-alarms`,
            { name: physicalName("alarms", env), displayName: `STARK Ballot Simulator alarms (${env})`, kmsMasterKeyId: key.arn },
            child,
        );
        const topicPolicy = new aws.sns.TopicPolicy(
            `${name}-alarms-policy`,
            { arn: topic.arn, policy: pulumi.all([ctx, topic.arn]).apply(([c, t]) => JSON.stringify(alarmTopicPolicy(c, t, alarmNamePattern(env)))) },
            child,
        );
        // Keyed by address, so reordering the configured list replaces no subscription.
        for (const email of args.alarmEmails ?? []) {
            new aws.sns.TopicSubscription(`${name}-alarm-email-${email}`, { topic: topic.arn, protocol: "email", endpoint: email }, child);
        }

        // ---- Alarms ----------------------------------------------------------------------------------
        const proverErrors = proverErrorLogMetric(env);
        const proverErrorFilter = new aws.cloudwatch.LogMetricFilter(
            `${name}-prover-error-logs`,
            {
                name: proverErrors.filterName,
                logGroupName: args.proverLogGroupName,
                pattern: proverErrors.pattern,
                metricTransformation: {
                    name: proverErrors.metricName,
                    namespace: proverErrors.namespace,
                    value: proverErrors.value,
                    unit: proverErrors.unit,
                },
            },
            child,
        );
        const definitions = buildAlarmDefinitions<pulumi.Input<string>>({
            environment: env,
            workQueueName: args.workQueueName,
            deadLetterQueueName: args.deadLetterQueueName,
            stateMachineArn: args.stateMachineArn,
            functionNames: args.functionNames,
            httpApiId: args.httpApiId,
            httpApiStage,
        });
        const alarms = definitions.map(
            (d) =>
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${d.key}`,
                    {
                        name: d.name,
                        alarmDescription: d.description,
                        namespace: d.namespace,
                        metricName: d.metricName,
                        dimensions: Object.keys(d.dimensions).length > 0 ? d.dimensions : undefined,
                        statistic: d.statistic,
                        period: d.periodSeconds,
                        evaluationPeriods: d.evaluationPeriods,
                        datapointsToAlarm: d.datapointsToAlarm,
                        threshold: d.threshold,
                        comparisonOperator: d.comparisonOperator,
                        treatMissingData: d.treatMissingData,
                        alarmActions: [topic.arn],
                        okActions: [topic.arn],
                    },
                    // A notification sent before the topic admits CloudWatch would be lost; the log
                    // alarm also waits for the filter that feeds its metric.
                    { parent: this, dependsOn: d.namespace === proverErrors.namespace ? [topicPolicy, proverErrorFilter] : [topicPolicy] },
                ),
        );

        // ---- Dashboard -------------------------------------------------------------------------------
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: `${PROJECT_NAME}-${env}`,
                dashboardBody: pulumi
                    .output({
                        region: ctx.region,
                        workQueueName: args.workQueueName,
                        deadLetterQueueName: args.deadLetterQueueName,
                        stateMachineArn: args.stateMachineArn,
                        functionNames: args.functionNames,
                        httpApiId: args.httpApiId,
                        httpApiStage,
                        proverLogGroupName: args.proverLogGroupName,
                        alarmArns: alarms.map((a) => a.arn),
                    })
                    .apply((v) => JSON.stringify(buildDashboardBody({ ...v, environment: env }))),
            },
            child,
        );

        this.alarmTopicArn = topic.arn;
        this.alarmKeyArn = key.arn;
        this.alarmNames = Object.fromEntries(definitions.map((d, i) => [d.key, alarms[i].name]));
        this.dashboardName = dashboard.dashboardName;
        if (args.cloudTrail?.enabled) {
            const trail = createTrail(name, this, {
                environment: env,
                ctx,
                retentionDays: args.cloudTrail.retentionDays ?? OBSERVABILITY_DEFAULTS.cloudTrailRetentionDays,
                protect,
            });
            this.trailArn = trail.arn;
            this.trailBucketName = trail.bucketName;
            this.trailLogGroupName = trail.logGroupName;
        }
        this.registerOutputs({
            alarmTopicArn: this.alarmTopicArn,
            alarmKeyArn: this.alarmKeyArn,
            alarmNames: this.alarmNames,
            dashboardName: this.dashboardName,
            trailArn: this.trailArn,
            trailBucketName: this.trailBucketName,
            trailLogGroupName: this.trailLogGroupName,
        });
    }
}

/**
 * The account's audit trail (SPEC §4, parity): multi-region with global service events and signed
 * log files, delivered to a versioned, private, TLS-only bucket and to a CloudWatch Logs group.
 */
function createTrail(
    name: string,
    parent: pulumi.Resource,
    s: { environment: string; ctx: pulumi.Output<AwsContext>; retentionDays: number; protect: boolean },
) {
    const child = { parent };
    // The audit record must survive a refactor that renames these resources, or a stray destroy.
    const stateful = { parent, protect: s.protect };
    const trailName = physicalName("trail", s.environment);
    const arnOfTrail = s.ctx.apply((c) => trailArn(c, trailName));

    const bucket = new aws.s3.Bucket(
        `${name}-trail-bucket`,
        { bucket: s.ctx.apply((c) => bucketName("cloudtrail", s.environment, c.accountId)), forceDestroy: !s.protect },
        stateful,
    );
    new aws.s3.BucketOwnershipControls(`${name}-trail-bucket-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-trail-bucket-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    new aws.s3.BucketVersioning(`${name}-trail-bucket-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-trail-bucket-sse`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        child,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-trail-bucket-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-trail-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: s.retentionDays },
                    // Versioning keeps an expired log file as a noncurrent version: remove it as well.
                    noncurrentVersionExpiration: { noncurrentDays: s.retentionDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
        },
        child,
    );
    const bucketPolicy = new aws.s3.BucketPolicy(
        `${name}-trail-bucket-policy`,
        { bucket: bucket.id, policy: pulumi.all([s.ctx, bucket.bucket, arnOfTrail]).apply(([c, b, t]) => JSON.stringify(cloudTrailBucketPolicy(c, b, t))) },
        // S3 rejects a bucket policy while the public access block is still being applied.
        { parent, dependsOn: [publicAccessBlock] },
    );

    const logGroup = retainedLogGroup(`${name}-trail-logs`, logGroupNames.cloudTrail(trailName), s.retentionDays, stateful);
    const role = new aws.iam.Role(
        `${name}-trail-logs-role`,
        {
            name: physicalName("cloudtrail-logs", s.environment),
            description: "CloudTrail delivers the trail's events to its CloudWatch Logs group",
            // No confused-deputy keys here: CloudTrail does not send them for this role (see the builder).
            assumeRolePolicy: JSON.stringify(cloudTrailLogsRoleTrustPolicy()),
        },
        child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-trail-logs-policy`,
        { role: role.id, name: "deliver-trail-events", policy: pulumi.all([s.ctx, logGroup.arn]).apply(([c, a]) => JSON.stringify(cloudTrailLogsRolePolicy(c, a))) },
        child,
    );

    // Log and digest files encrypted with a key of our own (SSE-KMS), whose policy names who may
    // encrypt (this trail) and decrypt (the account's principals its IAM policies allow) them.
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
    const key = new aws.kms.Key(
        `${name}-trail-key`,
        {
            description: `Encrypts the log files of the ${trailName} trail`,
            enableKeyRotation: true,
            deletionWindowInDays: s.protect ? OBSERVABILITY_DEFAULTS.protectedKeyDeletionWindowDays : OBSERVABILITY_DEFAULTS.keyDeletionWindowDays,
            policy: pulumi.all([s.ctx, arnOfTrail]).apply(([c, t]) => JSON.stringify(cloudTrailKeyPolicy(c, t))),
        },
        // Deleting the key makes every encrypted log file unreadable.
        stateful,
    );
    new aws.kms.Alias(`${name}-trail-key-alias`, { name: `alias/${trailName}`, targetKeyId: key.arn }, child);

    const trail = new aws.cloudtrail.Trail(
        `${name}-trail`,
        {
            name: trailName,
            s3BucketName: bucket.bucket,
            kmsKeyId: key.arn,
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            enableLogging: true,
            // CloudTrail wants the log group ARN with its stream wildcard.
            cloudWatchLogsGroupArn: pulumi.interpolate`${logGroup.arn}:*`,
            cloudWatchLogsRoleArn: role.arn,
        },
        // CloudTrail validates on creation that it may write to the bucket and the log group.
        { parent, protect: s.protect, dependsOn: [bucketPolicy, rolePolicy] },
    );
    return { arn: trail.arn, bucketName: bucket.bucket, logGroupName: logGroup.name };
}
