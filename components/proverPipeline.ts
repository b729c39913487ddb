import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keyedProblem, listLengthProblem, logRetentionProblem, nonEmptyProblem, positiveIntegerProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { logGroupNames, physicalName } from "../builders/names";
import { AwsContext, arn, serviceTrustPolicy } from "../builders/policies/document";
import {
    checkImageSignaturePolicy,
    proofBucketPolicy,
    proverExecutionRolePolicy,
    proverExecutionRoleTrustPolicy,
    proverTaskRolePolicy,
    proverTaskRoleTrustPolicy,
    queueTlsOnlyPolicy,
    workQueuePolicy,
    stateMachineRolePolicy,
} from "../builders/policies/proverPipeline";
import { buildProverStateMachineDefinition } from "../builders/proverStateMachine";
import { type VerifierContractChoice, stateMachinePublishesReports, stateMachineReadsImageRecord } from "../builders/verifierContract";
import { executionEndedPattern, proofSlotCleanupPolicy, proofSlotsStateMachinePolicy } from "../builders/policies/proofSlots";
import { proofSlotStatesProblems } from "../builders/proofSlots";
import { bucketNameProblem, proofPrefixProblem } from "../lambdas/shared/rules";
import { tableKeyArgs } from "../builders/appApiSettings";
import { PROOF_SLOTS_TABLE_SCHEMA } from "../lambdas/shared/proofSlots";
import { proverContainerDefinitions } from "../builders/proverTask";
import { ProverImageSource } from "../builders/proverImageSource";
import { hardenedBucket } from "./hardenedBucket";
import { NodeFunction } from "./nodeFunction";
import { PinnedImage, proverImage } from "./proverImage";
import { retainedLogGroup } from "./retainedLogGroup";
import { PIPELINE_DEFAULTS, bundleCorsRule, bundleLifecycleRules, ecrLifecyclePolicy } from "../builders/proverPipelineSettings";

export interface ProverPipelineArgs {
    /** Environment name: the container's ENV_NAME (and, by default, the suffix of physical names). Required. */
    environment: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack's name scope, so a second stack
     * in the same account collides with nothing. Default: the environment name.
     */
    nameScope?: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** Key prefix of proof inputs and bundles: empty or ending in `/` (lambdas/shared/rules.ts). Default: `PIPELINE_DEFAULTS.proofPrefix` (`sessions/`). */
    proofPrefix?: string;
    /** Physical bundle bucket name. Required (the caller decides between configured and derived). */
    bundleBucketName: string;
    /** Days after which objects under the prefix expire. Required (per environment). */
    bundleExpirationDays: number;
    /** Browser origins allowed to GET bundles; no CORS rule when empty. Default: none. */
    bundleCorsOrigins?: readonly string[];
    /** Retention of every log group the pipeline creates. Required (per environment). */
    logRetentionDays: number;
    /** `protect` stateful resources (bucket, queues, repository, log groups). Default: false. */
    protectStatefulResources?: boolean;
    /** Where the prover image comes from. Required. */
    image: ProverImageSource;
    /** Task CPU units. Default: `PIPELINE_DEFAULTS.cpu` (16384). */
    cpu?: number;
    /** Task memory in MiB. Default: `PIPELINE_DEFAULTS.memory` (32768). */
    memory?: number;
    /** Seconds the runner lets the zkVM host run. Default: `PIPELINE_DEFAULTS.hostTimeoutSeconds` (900). */
    hostTimeoutSeconds?: number;
    /**
     * Run the prover on Fargate Spot. Must stay false: the task is ARM64, and "Linux tasks with the
     * ARM64 architecture don't support the Fargate Spot capacity provider". Default: false.
     * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
     */
    useFargateSpot?: boolean;
    /** Let the image gate run images with HIGH scan findings (CRITICAL never run). Default: false. */
    allowHighScanFindings?: boolean;
    /** Subnets of the prover task. Required. */
    taskSubnetIds: pulumi.Input<string>[];
    /** Security groups of the prover task. Required. */
    taskSecurityGroupIds: pulumi.Input<string>[];
    /** Whether the task needs a public IP (public network mode). Required. */
    assignPublicIp: boolean;
    /**
     * ARN of the finalize-callback function the state machine invokes. The function belongs to the
     * AppApi, which in turn needs this pipeline's queue and state machine: the caller breaks that
     * cycle by passing the ARN derived from the function's deterministic name. Required.
     */
    finalizeCallbackFunctionArn: pulumi.Input<string>;
    /** At most this many prover tasks run at once; the rest wait for a slot (builders/proofSlots.ts). Default: `PIPELINE_DEFAULTS.maxConcurrentProofs` (2). */
    maxConcurrentProofs?: number;
    /**
     * Roles that may send to the work queue (the api's): the queue policy denies SendMessage to
     * every other principal. Derived from the roles' deterministic names for the same reason as
     * `finalizeCallbackFunctionArn`. Required (at least one).
     */
    workQueueSenderRoleArns: pulumi.Input<string>[];
    /**
     * ARN of the verifier-service-runner function (a ProofVerifier, which needs this pipeline's
     * bucket: the caller derives the ARN from its deterministic name, as for the finalize callback).
     * Set: the state machine verifies every proof (state VerifyProof). Default: no verification step.
     */
    verifyProofFunctionArn?: pulumi.Input<string>;
    /** Which build that function runs, hence VerifyProof's event and answer (builders/verifierContract.ts). Default: the reference handler. */
    verifierContract?: VerifierContractChoice;
}

/**
 * RunTask's awsvpcConfiguration takes 1-16 subnets and at most 5 security groups.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html
 */
const AWSVPC_LIMITS = { subnets: 16, securityGroups: 5 } as const;

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateProverPipelineArgs(args: ProverPipelineArgs): string[] {
    const scope = args.nameScope ?? args.environment;
    return [
        ...problemsOf(
            nonEmptyProblem("environment", args.environment),
            // Checked here too, not only inside the state-machine builder's apply (after ~30 children).
            keyedProblem("proofPrefix", proofPrefixProblem(args.proofPrefix ?? PIPELINE_DEFAULTS.proofPrefix)),
            keyedProblem("bundleBucketName", bucketNameProblem(args.bundleBucketName)),
            args.useFargateSpot ? "useFargateSpot: the prover task is ARM64, and Fargate Spot runs only X86_64 Linux tasks (every RunTask would fail)" : undefined,
            args.verifierContract !== undefined && args.verifyProofFunctionArn === undefined
                ? `verifierContract: "${args.verifierContract.kind}" needs verifyProofFunctionArn (the verification step)`
                : undefined,
            positiveIntegerProblem("bundleExpirationDays", args.bundleExpirationDays),
            logRetentionProblem("logRetentionDays", args.logRetentionDays),
            positiveIntegerProblem("hostTimeoutSeconds", args.hostTimeoutSeconds ?? PIPELINE_DEFAULTS.hostTimeoutSeconds),
            listLengthProblem("taskSubnetIds", args.taskSubnetIds.length, 1, AWSVPC_LIMITS.subnets),
            listLengthProblem("taskSecurityGroupIds", args.taskSecurityGroupIds.length, 1, AWSVPC_LIMITS.securityGroups),
            // The queue policy denies SendMessage to all but these; with none, no one could queue work.
            listLengthProblem("workQueueSenderRoleArns", args.workQueueSenderRoleArns.length, 1, Number.POSITIVE_INFINITY),
        ),
        ...proofSlotStatesProblems({ tableName: physicalName("proof-slots", scope), maxConcurrentProofs: args.maxConcurrentProofs ?? PIPELINE_DEFAULTS.maxConcurrentProofs }),
    ];
}

/**
 * The asynchronous prover: SQS work queue (with DLQ), proof bundle bucket, ECR repository and image,
 * ECS cluster and Fargate task, the image-signature gate and the Step Functions dispatcher.
 */
export class ProverPipeline extends pulumi.ComponentResource {
    readonly workQueueUrl: pulumi.Output<string>;
    readonly workQueueArn: pulumi.Output<string>;
    readonly workQueueName: pulumi.Output<string>;
    /** Plain number, so the consumer's timeout can be checked against it before deploying. */
    readonly workQueueVisibilityTimeoutSeconds: number;
    /** The work queue's MaximumMessageSize, as the queue reports it. */
    readonly workQueueMaxMessageBytes: pulumi.Output<number>;
    readonly deadLetterQueueArn: pulumi.Output<string>;
    readonly deadLetterQueueName: pulumi.Output<string>;
    readonly bundleBucketName: pulumi.Output<string>;
    readonly bundleBucketArn: pulumi.Output<string>;
    readonly proofPrefix: string;
    readonly repositoryUrl: pulumi.Output<string>;
    readonly repositoryName: pulumi.Output<string>;
    readonly imageUri: pulumi.Output<string>;
    /** `sha256:<64 hex>`, the digest the task definition pins. */
    readonly imageDigest: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly stateMachineArn: pulumi.Output<string>;
    readonly stateMachineName: pulumi.Output<string>;
    readonly checkImageSignatureFunctionName: pulumi.Output<string>;
    readonly checkImageSignatureFunctionArn: pulumi.Output<string>;
    readonly proverLogGroupName: pulumi.Output<string>;
    readonly stateMachineLogGroupName: pulumi.Output<string>;
    readonly proofSlotsTableName: pulumi.Output<string>;
    readonly proofSlotCleanupFunctionName: pulumi.Output<string>;
    /** Every log group this component creates (for observability checks). */
    readonly logGroupNames: pulumi.Output<string>[];

    constructor(name: string, args: ProverPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered
        // (the state-machine builder checks its inputs too, but inside an apply, after ~30 children).
        throwIfInvalidArgs("ProverPipeline", name, validateProverPipelineArgs(args));
        super("stark:prover:ProverPipeline", name, {}, opts);
        const env = args.environment;
        const protect = args.protectStatefulResources ?? false;
        const base: PipelineBase = {
            name,
            args,
            env,
            scope: args.nameScope ?? env,
            ctx: pulumi.output(args.awsContext),
            proofPrefix: args.proofPrefix ?? PIPELINE_DEFAULTS.proofPrefix,
            protect,
            parent: this,
            child: { parent: this },
            // Losing the bucket loses every proof bundle; losing a queue loses queued and dead-lettered
            // work; losing a log group loses the record of what happened to a proof.
            stateful: { parent: this, protect },
        };

        const { dlq, queue, maxMessageBytes } = createWorkQueues(base);
        const bucket = createBundleBucket(base);
        const { repository, image } = createImageRepository(base);
        const { proverLogs, stateMachineName, stateMachineLogs } = createLogGroups(base);
        const task = createProverTask(base, image, bucket, proverLogs);
        const signatureCheck = createSignatureCheck(base, image);
        const slots = createProofSlots(base, stateMachineName);
        const stateMachine = createDispatcher(base, { stateMachineName, stateMachineLogs, task, signatureCheck, image, bucket, slots });
        subscribeProofSlotCleanup(name, base.scope, slots.cleanup, stateMachine.arn, base.child);

        this.workQueueVisibilityTimeoutSeconds = PIPELINE_DEFAULTS.workQueueVisibilityTimeoutSeconds;
        this.workQueueMaxMessageBytes = maxMessageBytes;
        this.workQueueUrl = queue.url;
        this.workQueueArn = queue.arn;
        this.workQueueName = queue.name;
        this.deadLetterQueueArn = dlq.arn;
        this.deadLetterQueueName = dlq.name;
        this.bundleBucketName = bucket.bucket;
        this.bundleBucketArn = bucket.arn;
        this.proofPrefix = base.proofPrefix;
        this.repositoryUrl = repository.repositoryUrl;
        this.repositoryName = repository.name;
        this.imageUri = image.uri;
        this.imageDigest = image.digest;
        this.clusterName = task.cluster.name;
        this.clusterArn = task.cluster.arn;
        this.taskDefinitionArn = task.taskDefinition.arn;
        this.stateMachineArn = stateMachine.arn;
        this.stateMachineName = stateMachine.name;
        this.checkImageSignatureFunctionName = signatureCheck.functionName;
        this.checkImageSignatureFunctionArn = signatureCheck.functionArn;
        this.proverLogGroupName = proverLogs.name;
        this.stateMachineLogGroupName = stateMachineLogs.name;
        this.proofSlotsTableName = slots.table.name;
        this.proofSlotCleanupFunctionName = slots.cleanup.functionName;
        this.logGroupNames = [proverLogs.name, stateMachineLogs.name, signatureCheck.logGroupName, slots.cleanup.logGroupName];
        this.registerOutputs({
            workQueueUrl: this.workQueueUrl,
            workQueueArn: this.workQueueArn,
            workQueueName: this.workQueueName,
            workQueueVisibilityTimeoutSeconds: this.workQueueVisibilityTimeoutSeconds,
            workQueueMaxMessageBytes: this.workQueueMaxMessageBytes,
            deadLetterQueueArn: this.deadLetterQueueArn,
            deadLetterQueueName: this.deadLetterQueueName,
            bundleBucketName: this.bundleBucketName,
            bundleBucketArn: this.bundleBucketArn,
            proofPrefix: this.proofPrefix,
            repositoryUrl: this.repositoryUrl,
            repositoryName: this.repositoryName,
            imageUri: this.imageUri,
            imageDigest: this.imageDigest,
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            taskDefinitionArn: this.taskDefinitionArn,
            stateMachineArn: this.stateMachineArn,
            stateMachineName: this.stateMachineName,
            checkImageSignatureFunctionName: this.checkImageSignatureFunctionName,
            checkImageSignatureFunctionArn: this.checkImageSignatureFunctionArn,
            proverLogGroupName: this.proverLogGroupName,
            stateMachineLogGroupName: this.stateMachineLogGroupName,
            proofSlotsTableName: this.proofSlotsTableName,
            proofSlotCleanupFunctionName: this.proofSlotCleanupFunctionName,
            logGroupNames: this.logGroupNames,
        });
    }
}

/** What every part of the pipeline is built from: the component's name, args and resolved settings. */
interface PipelineBase {
    name: string;
    args: ProverPipelineArgs;
    env: string;
    /** The physical-name suffix (args.nameScope, by default the environment). */
    scope: string;
    ctx: pulumi.Output<AwsContext>;
    proofPrefix: string;
    protect: boolean;
    parent: pulumi.Resource;
    child: pulumi.CustomResourceOptions;
    /** For stateful children: `protect` where the stack protects them. */
    stateful: pulumi.CustomResourceOptions;
}

/** The work queue, its dead-letter queue, and the policies that keep both TLS-only and the DLQ the queue's own. */
function createWorkQueues(base: PipelineBase) {
    const { name, args, scope, child, stateful } = base;
    const dlq = new aws.sqs.Queue(
        `${name}-work-dlq`,
        {
            name: physicalName("prover-work-dlq", scope),
            messageRetentionSeconds: PIPELINE_DEFAULTS.deadLetterRetentionSeconds,
            sqsManagedSseEnabled: true,
        },
        stateful,
    );
    const queue = new aws.sqs.Queue(
        `${name}-work-queue`,
        {
            name: physicalName("prover-work", scope),
            visibilityTimeoutSeconds: PIPELINE_DEFAULTS.workQueueVisibilityTimeoutSeconds,
            maxMessageSize: PIPELINE_DEFAULTS.workQueueMaxMessageBytes,
            messageRetentionSeconds: PIPELINE_DEFAULTS.workQueueRetentionSeconds,
            receiveWaitTimeSeconds: PIPELINE_DEFAULTS.workQueueReceiveWaitSeconds,
            sqsManagedSseEnabled: true,
            redrivePolicy: dlq.arn.apply((deadLetterTargetArn) =>
                JSON.stringify({ deadLetterTargetArn, maxReceiveCount: PIPELINE_DEFAULTS.maxReceiveCount }),
            ),
        },
        stateful,
    );
    // Read back from the queue, so the api's limit is the one SQS enforces.
    const maxMessageBytes = queue.maxMessageSize.apply((bytes) => {
        if (bytes === undefined) throw new Error("prover work queue: maxMessageSize must be set (the api reads it)");
        return bytes;
    });
    // Only the work queue may move messages into the DLQ (and redrive them back).
    new aws.sqs.RedriveAllowPolicy(
        `${name}-work-dlq-redrive-allow`,
        {
            queueUrl: dlq.url,
            redriveAllowPolicy: queue.arn.apply((arnOfQueue) =>
                JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arnOfQueue] }),
            ),
        },
        child,
    );
    new aws.sqs.QueuePolicy(
        `${name}-work-queue-policy`,
        {
            queueUrl: queue.url,
            policy: pulumi
                .output({ queueArn: queue.arn, senders: args.workQueueSenderRoleArns })
                .apply(({ queueArn, senders }) => JSON.stringify(workQueuePolicy(queueArn, senders))),
        },
        child,
    );
    new aws.sqs.QueuePolicy(
        `${name}-work-dlq-policy`,
        { queueUrl: dlq.url, policy: dlq.arn.apply((a) => JSON.stringify(queueTlsOnlyPolicy(a))) },
        child,
    );
    return { dlq, queue, maxMessageBytes };
}

/** The proof bundle bucket: hardened (components/hardenedBucket.ts), expiring under the prefix, CORS where origins are set. */
function createBundleBucket(base: PipelineBase): aws.s3.Bucket {
    const { name, args, ctx, proofPrefix, protect, parent, child } = base;
    const { bucket, versioning } = hardenedBucket(
        `${name}-bundles`,
        {
            bucketName: args.bundleBucketName,
            protect,
            policy: (bucketName) => pulumi.output({ c: ctx, bucketName }).apply(({ c, bucketName }) => proofBucketPolicy(c, bucketName)),
            bucketKeyEnabled: true,
        },
        parent,
    );
    // The lifecycle expires noncurrent versions on the same schedule as the current ones.
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-bundles-lifecycle`,
        { bucket: bucket.id, rules: bundleLifecycleRules(proofPrefix, args.bundleExpirationDays) },
        // A noncurrent-version rule on a bucket whose versioning is not yet enabled would apply to nothing.
        { parent, dependsOn: [versioning] },
    );
    if ((args.bundleCorsOrigins ?? []).length > 0) {
        new aws.s3.BucketCorsConfiguration(
            `${name}-bundles-cors`,
            { bucket: bucket.id, corsRules: [bundleCorsRule(args.bundleCorsOrigins ?? [])] },
            child,
        );
    }
    return bucket;
}

/** The image repository (immutable tags, scan on push) and the pinned prover image. */
function createImageRepository(base: PipelineBase) {
    const { name, args, scope, ctx, protect, parent, child, stateful } = base;
    const repository = new aws.ecr.Repository(
        `${name}-repository`,
        {
            name: physicalName("prover", scope),
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            // A pushed tag never moves (ImageTagAlreadyExistsException): the program pushes a tag per
            // build (buildContextTag) and the task runs by digest.
            // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
            imageTagMutability: "IMMUTABLE",
            forceDelete: !protect,
        },
        stateful,
    );
    new aws.ecr.LifecyclePolicy(`${name}-repository-lifecycle`, { repository: repository.name, policy: JSON.stringify(ecrLifecyclePolicy()) }, child);
    const image = proverImage(name, args.image, repository, ctx, parent);
    return { repository, image };
}

/** The prover task's and the state machine's log groups, created ahead of both. */
function createLogGroups(base: PipelineBase) {
    const { name, args, scope, stateful } = base;
    const proverLogs = retainedLogGroup(`${name}-prover-logs`, logGroupNames.ecs("prover", scope), args.logRetentionDays, stateful);
    const stateMachineName = physicalName("prover-dispatcher", scope);
    const stateMachineLogs = retainedLogGroup(
        `${name}-dispatcher-logs`,
        logGroupNames.stateMachine(stateMachineName),
        args.logRetentionDays,
        stateful,
    );
    return { proverLogs, stateMachineName, stateMachineLogs };
}

/** The cluster (FARGATE only), the task's execution and task roles with their policies, and the task definition. */
function createProverTask(base: PipelineBase, image: PinnedImage, bucket: aws.s3.Bucket, proverLogs: aws.cloudwatch.LogGroup) {
    const { name, args, env, scope, ctx, proofPrefix, parent, child } = base;
    const cluster = new aws.ecs.Cluster(
        `${name}-cluster`,
        { name: physicalName("prover", scope), settings: [{ name: "containerInsights", value: "enabled" }] },
        child,
    );
    new aws.ecs.ClusterCapacityProviders(
        `${name}-cluster-capacity`,
        // FARGATE only: the ARM64 prover can never run on FARGATE_SPOT (see useFargateSpot).
        { clusterName: cluster.name, capacityProviders: ["FARGATE"] },
        child,
    );

    const executionRole = new aws.iam.Role(
        `${name}-task-execution-role`,
        {
            name: physicalName("prover-execution", scope),
            description: "ECS pulls the prover image and writes its logs",
            assumeRolePolicy: ctx.apply((c) => JSON.stringify(proverExecutionRoleTrustPolicy(c))),
        },
        child,
    );
    const executionPolicy = new aws.iam.RolePolicy(
        `${name}-task-execution-policy`,
        {
            role: executionRole.id,
            name: "pull-image-write-logs",
            policy: pulumi
                .output({ c: ctx, repositoryArn: image.repositoryArn, logGroupArn: proverLogs.arn })
                .apply(({ c, repositoryArn, logGroupArn }) => JSON.stringify(proverExecutionRolePolicy(c, repositoryArn, logGroupArn))),
        },
        child,
    );
    const taskRole = new aws.iam.Role(
        `${name}-task-role`,
        {
            name: physicalName("prover-task", scope),
            description: "The prover reads its input and writes its bundle",
            assumeRolePolicy: ctx.apply((c) => JSON.stringify(proverTaskRoleTrustPolicy(c))),
        },
        child,
    );
    const taskPolicy = new aws.iam.RolePolicy(
        `${name}-task-policy`,
        {
            role: taskRole.id,
            name: "proof-objects",
            policy: pulumi.output({ c: ctx, bucketName: bucket.bucket }).apply(({ c, bucketName }) => JSON.stringify(proverTaskRolePolicy(c, bucketName, proofPrefix))),
        },
        child,
    );

    const cpu = args.cpu ?? PIPELINE_DEFAULTS.cpu;
    const memory = args.memory ?? PIPELINE_DEFAULTS.memory;
    const hostTimeoutSeconds = args.hostTimeoutSeconds ?? PIPELINE_DEFAULTS.hostTimeoutSeconds;
    const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
            family: physicalName("prover", scope),
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: String(cpu),
            memory: String(memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            volumes: [{ name: PIPELINE_DEFAULTS.scratchVolumeName }],
            // A replaced revision stays ACTIVE, so an execution that started before a deploy can
            // still run it ("You can't use an INACTIVE task definition revision to run new
            // tasks"); the state machine role admits the family (taskDefinitionRevisionsPattern).
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister-task-definition-v2.html
            skipDestroy: true,
            containerDefinitions: pulumi
                .output({ imageUri: image.uri, bucketName: bucket.bucket, logGroupName: proverLogs.name, c: ctx })
                .apply(({ imageUri, bucketName, logGroupName, c }) =>
                    JSON.stringify(
                        proverContainerDefinitions({
                            imageUri,
                            environment: env,
                            bucketName,
                            proofPrefix,
                            hostTimeoutSeconds,
                            logGroupName,
                            region: c.region,
                        }),
                    ),
                ),
        },
        // The task must not start before it may pull, log and reach its objects.
        { parent, dependsOn: [executionPolicy, taskPolicy] },
    );
    return { cluster, executionRole, taskRole, taskDefinition, hostTimeoutSeconds };
}

/** The image gate's function: signing status and scan findings of the pinned digest. */
function createSignatureCheck(base: PipelineBase, image: PinnedImage): NodeFunction {
    const { name, args, scope, ctx, protect, child } = base;
    const signatureCheck = new NodeFunction(
        `${name}-check-image-signature`,
        {
            functionName: physicalName("check-image-signature", scope),
            entry: "lambdas/check-image-signature/index.ts",
            description: "Image gate: ECR signing status and scan findings of the prover image digest",
            timeoutSeconds: PIPELINE_DEFAULTS.signatureCheckTimeoutSeconds,
            memorySize: PIPELINE_DEFAULTS.signatureCheckMemoryMb,
            logRetentionDays: args.logRetentionDays,
            protectLogGroup: protect,
            awsContext: ctx,
            policy: image.repositoryArn.apply(checkImageSignaturePolicy),
        },
        child,
    );
    return signatureCheck;
}

/** The dispatcher: its role (run the task, invoke the functions, hold a slot) and the state machine. */
function createDispatcher(
    base: PipelineBase,
    d: {
        stateMachineName: string;
        stateMachineLogs: aws.cloudwatch.LogGroup;
        task: ReturnType<typeof createProverTask>;
        signatureCheck: NodeFunction;
        image: PinnedImage;
        bucket: aws.s3.Bucket;
        slots: ReturnType<typeof createProofSlots>;
    },
): aws.sfn.StateMachine {
    const { name, args, env, scope, ctx, proofPrefix, parent, child } = base;
    const { stateMachineName, stateMachineLogs, signatureCheck, image, bucket, slots } = d;
    const { cluster, executionRole, taskRole, taskDefinition, hostTimeoutSeconds } = d.task;
    const maxConcurrentProofs = args.maxConcurrentProofs ?? PIPELINE_DEFAULTS.maxConcurrentProofs;
    const stateMachineRole = new aws.iam.Role(
        `${name}-dispatcher-role`,
        {
            name: physicalName("prover-dispatcher", scope),
            description: "Step Functions runs the prover task and invokes the pipeline functions",
            assumeRolePolicy: ctx.apply((c) =>
                JSON.stringify(serviceTrustPolicy("states.amazonaws.com", c, arn.stateMachine(c, stateMachineName))),
            ),
        },
        child,
    );
    const stateMachinePolicy = new aws.iam.RolePolicy(
        `${name}-dispatcher-policy`,
        {
            role: stateMachineRole.id,
            name: "run-prover",
            policy: pulumi
                .output({
                    c: ctx,
                    taskDefinitionArn: taskDefinition.arn,
                    clusterArn: cluster.arn,
                    clusterName: cluster.name,
                    taskRoleArn: taskRole.arn,
                    executionRoleArn: executionRole.arn,
                    signatureArn: signatureCheck.functionArn,
                    finalizeArn: args.finalizeCallbackFunctionArn,
                    verifierArn: args.verifyProofFunctionArn,
                    bucketName: bucket.bucket,
                })
                .apply(({ c, taskDefinitionArn, clusterArn, clusterName, taskRoleArn, executionRoleArn, signatureArn, finalizeArn, verifierArn, bucketName }) =>
                    JSON.stringify(
                        stateMachineRolePolicy({
                            ctx: c,
                            taskDefinitionArn,
                            clusterArn,
                            clusterName,
                            taskRoleArn,
                            executionRoleArn,
                            invokedFunctionArns: [signatureArn, finalizeArn, ...(verifierArn === undefined ? [] : [verifierArn])],
                            ...(stateMachinePublishesReports(args.verifierContract) ? { verificationReports: { bucketName, proofPrefix } } : {}),
                            imageRecordName: stateMachineReadsImageRecord(args.verifierContract),
                        }),
                    ),
                ),
        },
        child,
    );
    const slotsPolicy = new aws.iam.RolePolicy(
        `${name}-dispatcher-slots-policy`,
        { role: stateMachineRole.id, name: "proof-slots", policy: slots.table.arn.apply((t) => JSON.stringify(proofSlotsStateMachinePolicy(t))) },
        child,
    );

    // Named, not positional: two swapped ARNs cannot type-check.
    const definition = pulumi
        .output({
            partition: ctx.partition,
            checkImageSignatureFunctionArn: signatureCheck.functionArn,
            finalizeCallbackFunctionArn: args.finalizeCallbackFunctionArn,
            clusterArn: cluster.arn,
            taskDefinitionArn: taskDefinition.arn,
            subnetIds: args.taskSubnetIds,
            securityGroupIds: args.taskSecurityGroupIds,
            registryId: image.registryId,
            repositoryName: image.repositoryName,
            imageDigest: image.digest,
            proofBucketName: bucket.bucket,
            proofSlotsTableName: slots.table.name,
            verifyProofFunctionArn: args.verifyProofFunctionArn,
        })
        .apply(({ verifyProofFunctionArn, ...resolved }) =>
            JSON.stringify(
                buildProverStateMachineDefinition({
                    ...resolved,
                    assignPublicIp: args.assignPublicIp,
                    useFargateSpot: args.useFargateSpot ?? false,
                    allowHighScanFindings: args.allowHighScanFindings ?? false,
                    environment: env,
                    proofPrefix,
                    runProverTimeoutSeconds: hostTimeoutSeconds + PIPELINE_DEFAULTS.runProverOverheadSeconds,
                    maxConcurrentProofs,
                    ...(verifyProofFunctionArn === undefined ? {} : { verifyProofFunctionArn, verifierContract: args.verifierContract }),
                }),
            ),
        );

    const stateMachine = new aws.sfn.StateMachine(
        `${name}-dispatcher`,
        {
            name: stateMachineName,
            type: "STANDARD",
            roleArn: stateMachineRole.arn,
            definition,
            loggingConfiguration: {
                level: "ALL",
                includeExecutionData: false,
                logDestination: pulumi.interpolate`${stateMachineLogs.arn}:*`,
            },
        },
        // Creation validates that the role may deliver logs and run the task.
        { parent, dependsOn: [stateMachinePolicy, slotsPolicy] },
    );
    return stateMachine;
}

/** How often the cleanup sweeps holders whose execution is no longer running (a lost status event). */
export const PROOF_SLOT_SWEEP_SCHEDULE = "rate(10 minutes)";

/** The slot table and the cleanup Lambda (AWS's semaphore pattern: builders/proofSlots.ts). */
function createProofSlots(base: PipelineBase, stateMachineName: string) {
    const { name, args, scope, ctx, child, stateful } = base;
    const table = new aws.dynamodb.Table(
        `${name}-proof-slots-table`,
        {
            name: physicalName("proof-slots", scope),
            billingMode: "PAY_PER_REQUEST",
            ...tableKeyArgs(PROOF_SLOTS_TABLE_SCHEMA),
            // The AWS-managed key (aws/dynamodb), as the other tables: its use shows in CloudTrail.
            serverSideEncryption: { enabled: true },
            // As every table of the stack (policy dynamodb-point-in-time-recovery): a restore brings the
            // holders back, which the cleanup's sweep then checks against their executions.
            pointInTimeRecovery: { enabled: true },
            deletionProtectionEnabled: stateful.protect ?? false,
        },
        stateful,
    );
    const stateMachineArn = ctx.apply((c) => arn.stateMachine(c, stateMachineName));
    const cleanup = new NodeFunction(
        `${name}-proof-slot-cleanup`,
        {
            functionName: physicalName("proof-slot-cleanup", scope),
            entry: "lambdas/proof-slot-cleanup/index.ts",
            description: "Releases prover slots held by executions that ended without releasing them",
            timeoutSeconds: 60,
            memorySize: 256,
            logRetentionDays: args.logRetentionDays,
            protectLogGroup: stateful.protect ?? false,
            awsContext: ctx,
            environment: { PROOF_SLOTS_TABLE: table.name, STATE_MACHINE_ARN: stateMachineArn },
            policy: pulumi.output({ c: ctx, tableArn: table.arn }).apply(({ c, tableArn }) => proofSlotCleanupPolicy(c, tableArn, stateMachineName)),
        },
        child,
    );
    return { table, cleanup };
}

/**
 * Two EventBridge rules invoke the cleanup: the execution-ended status change, and a schedule for the
 * sweep. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
 */
function subscribeProofSlotCleanup(name: string, scope: string, cleanup: NodeFunction, stateMachineArn: pulumi.Output<string>, child: pulumi.CustomResourceOptions): void {
    const rules = {
        ended: { eventPattern: stateMachineArn.apply((a) => JSON.stringify(executionEndedPattern(a))), description: "Prover executions that ended FAILED, TIMED_OUT or ABORTED" },
        sweep: { scheduleExpression: PROOF_SLOT_SWEEP_SCHEDULE, description: "Sweep prover slots whose execution no longer runs" },
    };
    for (const [role, rule] of Object.entries(rules)) {
        const eventRule = new aws.cloudwatch.EventRule(`${name}-proof-slot-${role}-rule`, { name: physicalName(`proof-slot-${role}`, scope), ...rule }, child);
        new aws.cloudwatch.EventTarget(`${name}-proof-slot-${role}-target`, { rule: eventRule.name, arn: cleanup.functionArn }, child);
        new aws.lambda.Permission(
            `${name}-proof-slot-${role}-invoke`,
            { action: "lambda:InvokeFunction", function: cleanup.functionName, principal: "events.amazonaws.com", sourceArn: eventRule.arn },
            child,
        );
    }
}
