/**
 * IAM documents of the app layer's functions (SPEC §4 AppApi; actions per lambdas/README.md).
 * Every resource is an ARN the component resolved from the resource itself: no `*`.
 */
import { BUNDLE_OBJECT_NAME, VERIFICATION_REPORT_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { readProverImageRecordStatement } from "../verifierSettings";
import { AwsContext, PolicyDocument, PolicyStatement, arn, policyDocument } from "./document";

/**
 * Session writes are conditional `UpdateItem`s; `GetItem` (consistent) explains a refused one
 * (stale, duplicate or missing session) in the log and the function's result.
 */
export const SESSION_WRITER_ACTIONS = ["dynamodb:UpdateItem", "dynamodb:GetItem"];

/** What Lambda's SQS poller does with the function's role (event source mapping). */
export const SQS_EVENT_SOURCE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/**
 * Item-level reads and writes on the app tables for an application build of the api (`apiHandlerPath`
 * or `applicationBuilds.api`): it also puts, deletes and queries rate-limit events (parity). No
 * Scan, no table-level or batch actions. The reference handler gets only what it calls (below).
 */
export const APP_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"];

/**
 * What the reference api (lambdas/api) calls on each table: the session store's consistent
 * `GetItem` and conditional `UpdateItem` (lambdas/shared/sessionStore.ts), and the fixed-window
 * counter's `UpdateItem` on the rate-limit key table (lambdas/api/rateLimit.ts). It never touches
 * the rate-limit event table, so it gets nothing there.
 */
export const REFERENCE_API_TABLE_ACTIONS = {
    sessions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
    rateLimitKeys: ["dynamodb:UpdateItem"],
} as const;

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
    /** Sessions, rate-limit and rate-limit-key tables, in this order. */
    tableArns: [sessions: string, rateLimit: string, rateLimitKeys: string];
    /** The three application-secret parameters. */
    secretParameterArns: string[];
    /** The prover image record (SSM String parameter): where the api reads the expected zkVM image id. */
    imageParameterArn: string;
    /**
     * The function runs an application build (`apiHandlerPath` or `applicationBuilds.api`) instead of
     * lambdas/api, which calls more than the reference handler (parity with the original). Default: false.
     */
    applicationBuild?: boolean;
}

/**
 * Bundles and their verification reports only: `{prefix}{sessionId}/{executionId}/bundle.zip` and
 * `.../verification.json`, the objects the api presigns (lambdas/api/statusRoute.ts, the keys
 * finalize-callback stored). A presigned GET is authorized as the signer at the time of use, so
 * without the report here its link would answer 403:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 * Not `input.json`: a session's input is its ballots, and no api caller may reach another session's.
 */
export function bundleObjectsArn(ctx: Pick<AwsContext, "partition">, bucketName: string, proofPrefix: string): string[] {
    return [BUNDLE_OBJECT_NAME, VERIFICATION_REPORT_OBJECT_NAME].map((object) => arn.s3Object(ctx, bucketName, `${proofPrefix}*/${object}`));
}

/**
 * api: queue proof work, follow this state machine's executions (`DescribeExecution` in
 * lambdas/api/reconcile.ts), presign bundle downloads, read and write its tables, read its secrets.
 * The SecureStrings use the AWS-managed `aws/ssm` key, whose key policy already lets this account
 * decrypt through SSM, so no `kms:Decrypt` is granted.
 *
 * The reference handler never stops an execution and never touches the rate-limit event table, so
 * `states:StopExecution` and the wider item actions are granted only to an application build (the
 * original's api stops a superseded execution and keeps rate-limit events).
 */
export function apiPolicy(a: ApiPolicyArgs): PolicyDocument {
    const [sessionsTableArn, , rateLimitKeysTableArn] = a.tableArns;
    const tableStatements: PolicyStatement[] = a.applicationBuild
        ? [{ Sid: "ReadWriteAppTables", Effect: "Allow", Action: APP_TABLE_ACTIONS, Resource: [...a.tableArns] }]
        : [
              { Sid: "ReadWriteSessions", Effect: "Allow", Action: [...REFERENCE_API_TABLE_ACTIONS.sessions], Resource: sessionsTableArn },
              { Sid: "CountRateLimitWindows", Effect: "Allow", Action: [...REFERENCE_API_TABLE_ACTIONS.rateLimitKeys], Resource: rateLimitKeysTableArn },
          ];
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
            Action: a.applicationBuild ? ["states:DescribeExecution", "states:StopExecution"] : "states:DescribeExecution",
            Resource: arn.stateMachineExecutions(a.ctx, a.stateMachineName),
        },
        {
            Sid: "ReadProofBundles",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: bundleObjectsArn(a.ctx, a.bucketName, a.proofPrefix),
        },
        ...tableStatements,
        {
            Sid: "ReadApplicationSecrets",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: a.secretParameterArns,
        },
        readProverImageRecordStatement(a.imageParameterArn),
    );
}
