/**
 * Resources for the policy tests, shaped as the offline synthesizer reports them. `compliantStack`
 * is a small stack that passes every rule in both environments; tests break one thing at a time.
 */
import type { EvaluatedResource } from "../../../policy-pack/evaluate";
import type { StackResource } from "../../../policy-pack/lib/types";

export const ACCOUNT = "123456789012";
export const REGION = "ap-northeast-1";

export const urnOf = (type: string, name: string) => `urn:pulumi:test::stark-ballot-simulator::${type}::${name}`;

/** A resource as the stack rules see it. */
export function stackResource(type: string, name: string, props: Record<string, any>, extra: Partial<StackResource> = {}): StackResource {
    return { type, name, urn: urnOf(type, name), props, protect: false, ...extra };
}

export const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

export const tlsOnlyBucketPolicy = (bucket: string) =>
    document({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });

/** A bucket with all four companions, linked by value (the bucket name is its id). */
export function compliantBucket(name: string, bucket: string): StackResource[] {
    return [
        stackResource("aws:s3/bucket:Bucket", name, { bucket }),
        stackResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-public-access`, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }),
        stackResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-sse`, {
            bucket,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }),
        stackResource("aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`, { bucket, policy: tlsOnlyBucketPolicy(bucket) }),
        stackResource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${name}-lifecycle`, {
            bucket,
            rules: [{ id: "expire-bundles", status: "Enabled", expiration: { days: 7 } }],
        }),
    ];
}

export const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/** A work queue redriving (inline) to its DLQ, which keeps messages 14 days against the queue's 4. */
export function compliantQueues(prefix: string): StackResource[] {
    return [
        stackResource("aws:sqs/queue:Queue", `${prefix}-dlq`, { name: `${prefix}-dlq`, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true }),
        stackResource("aws:sqs/queue:Queue", `${prefix}-queue`, {
            name: `${prefix}-queue`,
            messageRetentionSeconds: 345600,
            sqsManagedSseEnabled: true,
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(`${prefix}-dlq`), maxReceiveCount: 3 }),
        }),
    ];
}

export const proverContainer = (overrides: Record<string, unknown> = {}) => ({
    name: "prover",
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/prover@sha256:${"a".repeat(64)}`,
    essential: true,
    user: "10001:10001",
    readonlyRootFilesystem: true,
    environment: [
        { name: "ENV_NAME", value: "develop" },
        { name: "S3_PROOF_BUCKET", value: "bundles" },
        { name: "INPUT_S3_KEY", value: "sessions/s/e/input.json" },
    ],
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/prover", "awslogs-region": REGION, "awslogs-stream-prefix": "prover" } },
    ...overrides,
});

export const taskDefinitionProps = (...containers: Record<string, unknown>[]) => ({
    family: "prover",
    requiresCompatibilities: ["FARGATE"],
    containerDefinitions: JSON.stringify(containers),
});

const trust = document({
    Sid: "AllowLambdaAssumeRole",
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
});

/** One resource of every other type a rule covers, each compliant. */
function compliantOthers(): StackResource[] {
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/api`;
    return [
        stackResource("aws:ecr/repository:Repository", "repository", { name: "prover", imageScanningConfiguration: { scanOnPush: true } }),
        stackResource("aws:ecr/lifecyclePolicy:LifecyclePolicy", "repository-lifecycle", {
            repository: "prover",
            policy: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } }] }),
        }),
        stackResource("aws:ecs/taskDefinition:TaskDefinition", "task", taskDefinitionProps(proverContainer())),
        stackResource("aws:sfn/stateMachine:StateMachine", "dispatcher", {
            loggingConfiguration: { level: "ALL", includeExecutionData: false, logDestination: `${logGroupArn}:*` },
        }),
        stackResource("aws:cloudwatch/logGroup:LogGroup", "api-logs", { name: "/aws/lambda/api", retentionInDays: 7 }),
        stackResource("aws:iam/role:Role", "api-role", { assumeRolePolicy: trust }),
        stackResource("aws:iam/rolePolicy:RolePolicy", "api-policy", {
            role: "api-role",
            policy: document(
                { Sid: "SendWork", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn("work-queue") },
                { Sid: "PullImages", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            ),
        }),
        stackResource("aws:lambda/function:Function", "api", {
            runtime: "nodejs22.x",
            environment: { variables: { SECRET_PARAMETER_CAPTCHA: "/stark/captcha", PROVER_WORK_QUEUE_URL: "https://sqs/work-queue" } },
        }),
        stackResource("aws:apigatewayv2/stage:Stage", "api-stage", {
            name: "$default",
            accessLogSettings: { destinationArn: logGroupArn, format: '{"requestId":"$context.requestId"}' },
            defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 25 },
        }),
        stackResource("aws:dynamodb/table:Table", "sessions", { name: "sessions", pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true }),
        stackResource("aws:cloudtrail/trail:Trail", "trail", { enableLogFileValidation: true, isMultiRegionTrail: true }),
    ];
}

/** Every resource of a compliant stack, protected so it also passes in main. */
export function compliantStackResources(): StackResource[] {
    return [...compliantBucket("bundles", `bundles-${ACCOUNT}`), ...compliantQueues("work"), ...compliantOthers()].map((r) => ({
        ...r,
        protect: true,
    }));
}

/** The same stack in the synthesizer's shape (what evaluatePolicies takes). */
export function asEvaluated(resources: readonly StackResource[]): EvaluatedResource[] {
    return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: r.props, protect: r.protect }));
}
