/**
 * IAM documents of the prover pipeline (SPEC §4, "IAM (parity, tightened)").
 */
import { INPUT_OBJECT_NAME, VERIFICATION_REPORT_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { AwsContext, PolicyDocument, arn, denyInsecureTransport, policyDocument, serviceTrustPolicy, writeOwnLogsStatement } from "./document";
import { readProverImageRecordStatement, ssmParameterArn } from "../verifierSettings";

export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

/**
 * The task role: ECS documents both confused-deputy keys for it, with `aws:SourceArn` as a wildcard
 * over the account's ECS resources ("Using the aws:SourceArn condition key to specify a specific
 * cluster is not currently supported").
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export function proverTaskRoleTrustPolicy(ctx: AwsContext): PolicyDocument {
    return serviceTrustPolicy(ECS_TASKS_SERVICE, ctx, `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:*`);
}

/**
 * The task execution role: `aws:SourceAccount` only. The execution role page shows a trust policy
 * without conditions and documents no `aws:SourceArn` for this assume (only the task role page
 * does), so a SourceArn condition here rests on nothing AWS states; an unmatched condition would
 * stop every task before its image is pulled.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export function proverExecutionRoleTrustPolicy(ctx: AwsContext): PolicyDocument {
    return serviceTrustPolicy(ECS_TASKS_SERVICE, ctx);
}

/**
 * The managed rule Step Functions creates to learn when an ECS task stops (`.sync` integration).
 * https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html
 */
export const ECS_SYNC_EVENTS_RULE = "StepFunctionsGetEventsForECSTaskRule";

/**
 * Log delivery actions Step Functions needs to deliver execution logs to CloudWatch Logs. They act
 * on the account's log delivery configuration and accept only `Resource: "*"`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy
 */
export const LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
];

/**
 * Objects the runner writes under an execution's prefix (prover/runner/publish.ts and proofBundle.ts):
 * the four public audit artifacts, the receipt, the two bitmap sidecars and bundle.zip. A test holds
 * this list equal to what the runner publishes.
 */
export const PROVER_PUBLISHED_OBJECTS = [
    "receipt.json",
    "journal.json",
    "public-input.json",
    "election-manifest.json",
    "close-statement.json",
    "included-bitmap.json",
    "seen-bitmap.json",
    "bundle.zip",
] as const;

/**
 * The prover task does exactly what prover/runner calls: one `GetObject` of its `input.json`
 * (prover/runner/input.ts) and one `PutObject` per published object (prover/runner/upload.ts). No
 * `DeleteObject`, no `ListBucket` (the runner neither deletes nor lists; without ListBucket a missing
 * input answers 403 instead of 404, which the runner reports as INPUT_UNREADABLE), and no write to any
 * `input.json`, so a task cannot rewrite the input of another attempt.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (403 without s3:ListBucket)
 */
export function proverTaskRolePolicy(ctx: AwsContext, bucketName: string, proofPrefix: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadProofInputs",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: arn.s3Object(ctx, bucketName, `${proofPrefix}*/${INPUT_OBJECT_NAME}`),
        },
        {
            Sid: "WriteProofOutputs",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: PROVER_PUBLISHED_OBJECTS.map((name) => arn.s3Object(ctx, bucketName, `${proofPrefix}*/${name}`)),
        },
    );
}

/** What ECS itself needs to start the prover: pull the image from its repository, write its logs. */
export function proverExecutionRolePolicy(ctx: AwsContext, repositoryArn: string, logGroupArn: string): PolicyDocument {
    return policyDocument(
        {
            // GetAuthorizationToken is account-wide: it accepts no narrower resource.
            Sid: "GetEcrAuthorizationToken",
            Effect: "Allow",
            Action: "ecr:GetAuthorizationToken",
            Resource: "*",
        },
        {
            Sid: "PullProverImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: repositoryArn,
        },
        writeOwnLogsStatement(logGroupArn),
    );
}

/**
 * Every revision of a task definition's family: `.../task-definition/<family>:*`.
 *
 * An execution keeps the definition it started with, so one waiting in the signature check or in
 * RunProver's retry back-off during a deploy still runs the previous revision, while the role
 * already carries the new policy. The revisions stay ACTIVE (the task definition sets
 * `skipDestroy`: "You can't use an INACTIVE task definition revision to run new tasks"), and this
 * grant admits them; the `ecs:cluster` condition still confines them to the prover cluster.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister-task-definition-v2.html
 */
export function taskDefinitionRevisionsPattern(taskDefinitionArn: string): string {
    const match = /^(arn:[^:]+:ecs:[^:]+:\d{12}:task-definition\/[A-Za-z0-9_-]+):\d+$/.exec(taskDefinitionArn);
    if (!match) throw new Error(`"${taskDefinitionArn}" is not a task definition ARN with a revision`);
    return `${match[1]}:*`;
}

export interface StateMachineRoleArgs {
    ctx: AwsContext;
    /** Revision ARN the definition runs; the grant covers every revision of its family. */
    taskDefinitionArn: string;
    clusterArn: string;
    clusterName: string;
    taskRoleArn: string;
    executionRoleArn: string;
    /** The check-image-signature and finalize-callback functions: the only Lambdas it may invoke. */
    invokedFunctionArns: string[];
    /**
     * Where the definition puts verification reports itself (state PublishVerificationReport, under the
     * application's verifier contract only); absent = it writes nothing to S3.
     */
    verificationReports?: { bucketName: string; proofPrefix: string };
    /**
     * The prover image record the definition reads (state ReadProverImageRecord, under the application's
     * verifier contract only; the same single-parameter grant as the verifier's and the api's); absent =
     * it reads no SSM parameter.
     */
    imageRecordName?: string;
}

export function stateMachineRolePolicy(a: StateMachineRoleArgs): PolicyDocument {
    return policyDocument(
        {
            Sid: "RunProverTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: taskDefinitionRevisionsPattern(a.taskDefinitionArn),
            Condition: { ArnEquals: { "ecs:cluster": a.clusterArn } },
        },
        {
            Sid: "TrackProverTasks",
            Effect: "Allow",
            Action: ["ecs:StopTask", "ecs:DescribeTasks"],
            Resource: arn.ecsTasksInCluster(a.ctx, a.clusterName),
        },
        {
            Sid: "PassProverRolesToEcs",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: [a.taskRoleArn, a.executionRoleArn],
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
            Sid: "ManageEcsSyncRule",
            Effect: "Allow",
            Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resource: arn.eventsRule(a.ctx, ECS_SYNC_EVENTS_RULE),
        },
        {
            Sid: "InvokePipelineFunctions",
            Effect: "Allow",
            Action: "lambda:InvokeFunction",
            Resource: a.invokedFunctionArns,
        },
        {
            Sid: "DeliverExecutionLogs",
            Effect: "Allow",
            Action: LOG_DELIVERY_ACTIONS,
            Resource: "*",
        },
        ...(a.verificationReports === undefined ? [] : [publishVerificationReportsStatement(a.ctx, a.verificationReports)]),
        ...(a.imageRecordName === undefined ? [] : [readProverImageRecordStatement(ssmParameterArn(a.ctx, a.imageRecordName))]),
    );
}

/**
 * PublishVerificationReport's `aws-sdk:s3:putObject`: PutObject of verification.json under the proof
 * prefix, nothing else (no read, no other name). The bucket is SSE-S3 (AES256, no KMS key, hence no
 * kms:GenerateDataKey), and its policy only refuses plain HTTP, which Step Functions never uses, and
 * puts without the AES256 header, which the state sends.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Permissions: s3:PutObject)
 */
function publishVerificationReportsStatement(ctx: AwsContext, r: { bucketName: string; proofPrefix: string }) {
    return {
        Sid: "PublishVerificationReports",
        Effect: "Allow" as const,
        Action: "s3:PutObject",
        Resource: arn.s3Object(ctx, r.bucketName, `${r.proofPrefix}*/${VERIFICATION_REPORT_OBJECT_NAME}`),
    };
}

/**
 * The image gate reads the signing status and the scan findings of the prover repository only; both
 * actions take the repository as their resource.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 */
export function checkImageSignaturePolicy(repositoryArn: string): PolicyDocument {
    return policyDocument({
        Sid: "DescribeProverImageSigningAndScan",
        Effect: "Allow",
        Action: ["ecr:DescribeImageSigningStatus", "ecr:DescribeImageScanFindings"],
        Resource: repositoryArn,
    });
}

/**
 * Bundle bucket policy: TLS only, and no object may be stored without SSE-S3 (AES256), so a writer
 * that asks for another key (or none, where a future default changes) is refused.
 */
export function proofBucketPolicy(ctx: Pick<AwsContext, "partition">, bucketName: string): PolicyDocument {
    return policyDocument(denyInsecureTransport("s3:*", [arn.s3Bucket(ctx, bucketName), arn.s3Object(ctx, bucketName, "*")]), {
        Sid: "DenyUnencryptedObjectUploads",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: arn.s3Object(ctx, bucketName, "*"),
        Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
    });
}

/** Work queue and DLQ policy: TLS only. */
export function queueTlsOnlyPolicy(queueArn: string): PolicyDocument {
    return policyDocument(denyInsecureTransport("sqs:*", [queueArn]));
}

/**
 * Work queue policy: TLS only, and no principal but the senders (the api's role) may SendMessage:
 * an explicit Deny, so no identity policy in the account (an administrator's `sqs:*` included) can
 * queue proof work around the api's checks. `aws:PrincipalArn` is the role ARN for a role session.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * A DLQ redrive back into this queue sends as the operator and is refused too; it would start
 * nothing anyway once the attempt is settled (see the api README).
 */
export function workQueuePolicy(queueArn: string, senderRoleArns: readonly string[]): PolicyDocument {
    if (senderRoleArns.length === 0) {
        throw new Error("workQueuePolicy: at least one sender role is required");
    }
    return policyDocument(denyInsecureTransport("sqs:*", [queueArn]), {
        Sid: "OnlyTheApiSends",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [...senderRoleArns] } },
    });
}
