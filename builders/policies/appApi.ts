/**
 * IAM documents of the app layer's functions (SPEC §4 AppApi; actions per lambdas/README.md).
 * Every resource is an ARN the component resolved from the resource itself: no `*`.
 */
import { AwsContext, PolicyDocument, arn, policyDocument } from "./document";

/**
 * Session writes are conditional `UpdateItem`s; `GetItem` (consistent) explains a refused one
 * (stale, duplicate or missing session) in the log and the function's result.
 */
export const SESSION_WRITER_ACTIONS = ["dynamodb:UpdateItem", "dynamodb:GetItem"];

/** What Lambda's SQS poller does with the function's role (event source mapping). */
export const SQS_EVENT_SOURCE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/**
 * Item-level reads and writes on the app tables. The reference handler uses GetItem and UpdateItem;
 * the application's own build (`apiHandlerPath`) also puts, deletes and queries rate-limit events
 * (parity). No Scan, no table-level or batch actions.
 */
export const APP_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"];

export interface ProverDispatchPolicyArgs {
    ctx: AwsContext;
    bucketName: string;
    proofPrefix: string;
    stateMachineArn: string;
    sessionsTableArn: string;
    workQueueArn: string;
}

/** prover-dispatch: write `input.json`, start the execution, mark the session running, consume the queue. */
export function proverDispatchPolicy(a: ProverDispatchPolicyArgs): PolicyDocument {
    return policyDocument(
        {
            Sid: "WriteProofInputs",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: arn.s3Object(a.ctx, a.bucketName, `${a.proofPrefix}*`),
        },
        {
            Sid: "StartProverExecutions",
            Effect: "Allow",
            Action: "states:StartExecution",
            Resource: a.stateMachineArn,
        },
        {
            Sid: "MarkSessionsRunning",
            Effect: "Allow",
            Action: SESSION_WRITER_ACTIONS,
            Resource: a.sessionsTableArn,
        },
        {
            Sid: "ConsumeWorkQueue",
            Effect: "Allow",
            Action: SQS_EVENT_SOURCE_ACTIONS,
            Resource: a.workQueueArn,
        },
    );
}

/** finalize-callback: write an execution's terminal state to its session. */
export function finalizeCallbackPolicy(a: { sessionsTableArn: string }): PolicyDocument {
    return policyDocument({
        Sid: "WriteSessionResults",
        Effect: "Allow",
        Action: SESSION_WRITER_ACTIONS,
        Resource: a.sessionsTableArn,
    });
}

export interface ApiPolicyArgs {
    ctx: AwsContext;
    bucketName: string;
    proofPrefix: string;
    workQueueArn: string;
    stateMachineName: string;
    /** Sessions, rate-limit and rate-limit-key tables. */
    tableArns: string[];
    /** The three application-secret parameters. */
    secretParameterArns: string[];
}

/**
 * api: queue proof work, follow and stop this state machine's executions, read proof objects (to
 * presign download links), read and write its tables, read its secrets. The SecureStrings use the
 * AWS-managed `aws/ssm` key, whose key policy already lets this account decrypt through SSM, so no
 * `kms:Decrypt` is granted.
 */
export function apiPolicy(a: ApiPolicyArgs): PolicyDocument {
    return policyDocument(
        {
            Sid: "QueueProofWork",
            Effect: "Allow",
            Action: "sqs:SendMessage",
            Resource: a.workQueueArn,
        },
        {
            Sid: "FollowProverExecutions",
            Effect: "Allow",
            Action: ["states:DescribeExecution", "states:StopExecution"],
            Resource: arn.stateMachineExecutions(a.ctx, a.stateMachineName),
        },
        {
            Sid: "ReadProofObjects",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: arn.s3Object(a.ctx, a.bucketName, `${a.proofPrefix}*`),
        },
        {
            Sid: "ReadWriteAppTables",
            Effect: "Allow",
            Action: APP_TABLE_ACTIONS,
            Resource: a.tableArns,
        },
        {
            Sid: "ReadApplicationSecrets",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: a.secretParameterArns,
        },
    );
}
