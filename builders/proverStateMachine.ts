/**
 * The prover dispatcher's Step Functions definition (SPEC §1, §4) as a plain Amazon States Language
 * document. Pure: no Pulumi, no AWS calls. The ProverPipeline component serializes it once its ARNs
 * resolve; the tests validate it with asl-validator and execute it with aws-local-stepfunctions.
 *
 * Flow: VerifyImageSignature → CheckImageSignature → RunProver → FinalizeSucceeded, or
 * FinalizeSignatureFailed when the image gate refuses the image (signature or scan findings), or
 * FinalizeFailed when a Task fails for good. While ECR still signs or scans the digest the gate
 * loops CheckImageSignature → WaitForImageGate → RecheckImageSignature → CheckImageSignature, at most
 * IMAGE_GATE.maxRechecks times IMAGE_GATE.recheckIntervalSeconds (5 minutes, SPEC §7).
 * With a verifier configured, RunProver → VerifyProof → CheckProofVerification → FinalizeSucceeded,
 * or, when the proof is not verified, RecordVerificationRejection / RecordVerifierRunnerFailure →
 * FinalizeVerificationFailed → ProofNotVerified (a Fail state), see `verificationStates`. Under the
 * application's verifier contract a verified proof whose report the runner did not publish passes
 * PublishVerificationReport (an S3 PutObject) before FinalizeSucceeded, and VerifyProof is preceded by
 * ReadProverImageRecord (an SSM GetParameter) → CheckProverImageRecord, see `imageRecordStates`.
 * Admission control (builders/proofSlots.ts) wraps RunProver: AcquireProofSlot (waiting while every
 * slot is taken) before it, ReleaseProofSlot after it, ReleaseProofSlotAfterFailure before FinalizeFailed.
 */
import { IMAGE_GATE, PROVER_CONTAINER_NAME, PROVER_ENV, executionPrefix, verificationReportKey } from "../lambdas/shared/contracts";
import { ACCOUNT_ID, ECR_REPOSITORY_NAME, SHA256_DIGEST, SHA256_DIGEST_RULE, bucketNameProblem, proofPrefixProblem } from "../lambdas/shared/rules";
import { PROOF_SLOT_STATES, type ProofSlotStates, buildProofSlotStates, proofSlotStatesProblems } from "./proofSlots";
import { type ChoiceCondition, type VerifierContract, type VerifierContractChoice, buildVerifierContract } from "./verifierContract";

// ---------------------------------------------------------------------------------------------------
// The ASL subset this state machine uses (JSONPath query language).

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
    [key: string]: JsonValue;
}

/** https://states-language.net/#retrying-after-error */
export interface Retrier {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    /** 0 means "never retry": an earlier retrier can exempt an error from a later catch-all one. */
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
    ErrorEquals: string[];
    /** null: the error is dropped and the state's input passes on (the slot states' refused conditions). */
    ResultPath: string | null;
    Next: string;
}

interface TaskStateFields<P> {
    Type: "Task";
    Comment: string;
    Resource: string;
    Parameters: P;
    ResultSelector?: JsonObject;
    ResultPath: string;
    TimeoutSeconds?: number;
    Retry: Retrier[];
    Catch?: Catcher[];
}
export type TaskState<P> = TaskStateFields<P> & ({ Next: string; End?: never } | { End: true; Next?: never });

/** Parameters of the optimized `lambda:invoke` integration. */
export interface LambdaInvokeParameters {
    FunctionName: string;
    Payload: JsonObject;
}

/**
 * Parameters of the AWS SDK integration `aws-sdk:s3:putObject` (the PutObject API, PascalCase). Body
 * is a string: the integration sends it as the object's bytes (UTF-8).
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
export interface S3PutObjectParameters {
    Bucket: string;
    "Key.$": string;
    "Body.$": string;
    ContentType: "application/json";
    /** The proof bucket's policy refuses any PutObject without it (policies/proverPipeline.ts proofBucketPolicy). */
    ServerSideEncryption: "AES256";
}

/** https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html (a String parameter: no WithDecryption). */
export interface SsmGetParameterParameters {
    Name: string;
}

/** A container environment entry: a literal value, or one Step Functions computes (`Value.$`). */
export type ContainerEnvironmentEntry = { Name: string; Value: string } | { Name: string; "Value.$": string };

/** Parameters of the `ecs:runTask.sync` integration (the RunTask API, PascalCase). */
export interface RunProverParameters {
    Cluster: string;
    TaskDefinition: string;
    LaunchType?: "FARGATE";
    CapacityProviderStrategy?: { CapacityProvider: "FARGATE_SPOT"; Weight: number }[];
    NetworkConfiguration: {
        AwsvpcConfiguration: { Subnets: string[]; SecurityGroups: string[]; AssignPublicIp: "ENABLED" | "DISABLED" };
    };
    Overrides: { ContainerOverrides: { Name: string; Environment: ContainerEnvironmentEntry[] }[] };
}

export interface StringEqualsChoiceRule {
    Variable: string;
    StringEquals: string;
    Next: string;
}

export interface ChoiceState<R = StringEqualsChoiceRule> {
    Type: "Choice";
    Comment: string;
    Choices: R[];
    Default: string;
}

/** https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html */
export interface PassState {
    Type: "Pass";
    Comment: string;
    Parameters: JsonObject;
    ResultPath: string;
    Next: string;
}

/**
 * Ends the execution FAILED with the error and cause the paths select (each must be a string):
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
 */
export interface FailState {
    Type: "Fail";
    Comment: string;
    ErrorPath: string;
    CausePath: string;
}

/** https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html */
export interface WaitState {
    Type: "Wait";
    Comment: string;
    Seconds: number;
    Next: string;
}

export interface StateMachineDefinition {
    Comment: string;
    StartAt: "VerifyImageSignature";
    States: {
        VerifyImageSignature: TaskState<LambdaInvokeParameters>;
        CheckImageSignature: ChoiceState;
        WaitForImageGate: WaitState;
        RecheckImageSignature: TaskState<LambdaInvokeParameters>;
        RunProver: TaskState<RunProverParameters>;
        FinalizeSucceeded: TaskState<LambdaInvokeParameters>;
        FinalizeSignatureFailed: TaskState<LambdaInvokeParameters>;
        FinalizeFailed: TaskState<LambdaInvokeParameters>;
        /** Only when the stack verifies proofs (a `verifier` is configured). */
        /** Only under the application's verifier contract (builders/verifierContract.ts `imageRecord`). */
        ReadProverImageRecord?: TaskState<SsmGetParameterParameters>;
        CheckProverImageRecord?: ChoiceState<ChoiceCondition & { Next: string }>;
        RecordIncompleteImageRecord?: PassState;
        VerifyProof?: TaskState<LambdaInvokeParameters>;
        CheckProofVerification?: ChoiceState<ChoiceCondition & { Next: string }>;
        RecordVerificationRejection?: PassState;
        RecordVerifierRunnerFailure?: PassState;
        /** Only under the application's verifier contract (builders/verifierContract.ts `unpublishedReport`). */
        PublishVerificationReport?: TaskState<S3PutObjectParameters>;
        FinalizeVerificationFailed?: TaskState<LambdaInvokeParameters>;
        ProofNotVerified?: FailState;
    } & ProofSlotStates;
}

// ---------------------------------------------------------------------------------------------------
// Names, paths and policies other modules (IAM, alarms, tests) refer to.

export const PROVER_STATES = {
    VerifyImageSignature: "VerifyImageSignature",
    CheckImageSignature: "CheckImageSignature",
    WaitForImageGate: "WaitForImageGate",
    RecheckImageSignature: "RecheckImageSignature",
    RunProver: "RunProver",
    FinalizeSucceeded: "FinalizeSucceeded",
    FinalizeSignatureFailed: "FinalizeSignatureFailed",
    FinalizeFailed: "FinalizeFailed",
    ReadProverImageRecord: "ReadProverImageRecord",
    CheckProverImageRecord: "CheckProverImageRecord",
    RecordIncompleteImageRecord: "RecordIncompleteImageRecord",
    VerifyProof: "VerifyProof",
    CheckProofVerification: "CheckProofVerification",
    RecordVerificationRejection: "RecordVerificationRejection",
    RecordVerifierRunnerFailure: "RecordVerifierRunnerFailure",
    PublishVerificationReport: "PublishVerificationReport",
    FinalizeVerificationFailed: "FinalizeVerificationFailed",
    ProofNotVerified: "ProofNotVerified",
    ...PROOF_SLOT_STATES,
} as const satisfies { [K in keyof StateMachineDefinition["States"]]: K };

/** The only signing status that lets the prover run (ECR `DescribeImageSigningStatus`). */
export const SIGNING_STATUS_COMPLETE = "COMPLETE";
/** The gate's verdicts the Choice routes on (`CheckImageSignatureResult.verdict`); anything else refuses. */
export const IMAGE_GATE_ALLOW = "ALLOW";
export const IMAGE_GATE_PENDING = "PENDING";

/** Where each state keeps its result in the execution's JSON (SPEC §4). */
export const PROVER_PATHS = {
    payload: "$.payload",
    inputS3Key: "$.payload.inputS3Key",
    signingStatus: "$.signingStatus",
    signingStatusValue: "$.signingStatus.Payload.status",
    /** The gate's verdict, its count of checks so far, and its `{Error, Cause}` when it refuses. */
    imageGateVerdict: "$.signingStatus.Payload.verdict",
    imageGateChecks: "$.signingStatus.Payload.checks",
    imageGateError: "$.signingStatus.Payload.error",
    proverResult: "$.proverResult",
    proverError: "$.proverError",
    /** The finalize Lambda's answer, kept beside the rest so the execution output shows the outcome. */
    finalizeResult: "$.finalizeResult",
    /** The execution ARN, from the context object. */
    executionArn: "$$.Execution.Id",
    /** The verifier-service-runner's answer (`VerifyProofResult` at `.Payload`). */
    verification: "$.verification",
    verificationPayload: "$.verification.Payload",
    verificationStatus: "$.verification.Payload.status",
    /** `{Error, Cause}` of a proof the verification step did not accept, what FinalizeVerificationFailed records. */
    verificationError: "$.verificationError",
    /** The prover image record ReadProverImageRecord read, its JSON at `.record` (application verifier contract only). */
    imageRecord: "$.imageRecord",
} as const;

/** The only verdict that lets a proof count as succeeded. */
export const VERIFICATION_STATUS_SUCCESS = "success";

/**
 * The verifier gave no verdict (it exited 1, hung, or wrote no valid report): a fresh container may
 * do better, and the check is idempotent (it rewrites the same report), so it is retried twice, like
 * the Lambda service's own errors, before FinalizeFailed records the error. A verdict of `failed` or
 * `dev_mode` is an answer, not an error, and an unsafe or missing bundle cannot improve: neither is retried.
 */
export const VERIFIER_CRASH_RETRY: Readonly<Retrier> = Object.freeze({
    ErrorEquals: ["VerifierCrashed"],
    IntervalSeconds: 2,
    MaxAttempts: 2,
    BackoffRate: 2,
    JitterStrategy: "FULL",
});

/**
 * Errors the Lambda service raises when an invocation did not run or its answer was lost, which AWS
 * advises retrying on every `lambda:invoke` task:
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
export const LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
] as const;

/**
 * RunTask errors that mean "ECS could not start the task now", all before a task exists, so a retry
 * never runs a proof twice:
 * - `AmazonECS.Unknown`: RunTask answered 200 with a non-empty `failures` list, which a `.sync` state
 *   reports under this name (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html,
 *   "Key features"). That is how a Fargate (Spot) capacity shortage or a vCPU quota arrives
 *   (https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity); both clear within minutes.
 *   A permanent placement failure (a cluster without the capacity provider) is listed there too; the
 *   bounded retry below ends it after about ten minutes at most, in FinalizeFailed with the failure.
 * - `ECS.AmazonECSException`: the RunTask call itself refused (throttling, capacity);
 * - `ECS.ServerException`: an ECS 5xx.
 */
export const ECS_TRANSIENT_ERRORS = ["AmazonECS.Unknown", "ECS.AmazonECSException", "ECS.ServerException"] as const;

/** Both Lambdas are idempotent (a read; a conditional write), so a lost invocation is simply repeated. */
export const LAMBDA_SERVICE_RETRY: Readonly<Retrier> = Object.freeze({
    ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: "FULL",
});

/**
 * S3 errors of an AWS SDK integration task: the service's answers (a 503 SlowDown, a 500) arrive as
 * `S3.S3Exception`, a request that did not get through as `S3.SdkClientException` (the integration
 * names errors `<Service>.<Error>`: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html;
 * S3's 503 throttling surfaces as S3.S3Exception: https://github.com/cdklabs/construct-hub/pull/1904).
 * A PutObject of the same key and body is idempotent, so it is simply repeated: 1, 2, 4 s with full
 * jitter, as S3 advises for 503 SlowDown (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html).
 * A 403 is an S3.S3Exception too and is retried in vain three times; it ends in the Catch all the same.
 */
export const S3_SERVICE_RETRY: Readonly<Retrier> = sdkServiceRetry(["S3.S3Exception", "S3.SdkClientException"]);

/** The backoff both AWS SDK integration tasks use (an idempotent read or put): 1, 2, 4 s with full jitter. */
function sdkServiceRetry(errors: string[]): Readonly<Retrier> {
    return Object.freeze({ ErrorEquals: errors, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" });
}

/**
 * SSM errors of ReadProverImageRecord (`aws-sdk:ssm:getParameter`), named `<Service>.<Error>` in
 * PascalCase with the Exception suffix always added
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html): SSM's
 * InternalServerError is `Ssm.InternalServerErrorException`; a throttled call ("Rate exceeded",
 * ThrottlingException, which the SSM model does not declare for GetParameter) arrives as the service's
 * generic `Ssm.SsmException`, as S3's 503 arrives as S3.S3Exception; a request that got no answer is
 * `Ssm.SdkClientException`. Reading a parameter is idempotent: 1, 2, 4 s with full jitter.
 * ParameterNotFound (`Ssm.ParameterNotFoundException`) cannot improve and is not retried. An access
 * refusal is an Ssm.SsmException too and is retried in vain; it ends in the Catch all the same.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors
 */
export const SSM_SERVICE_RETRY: Readonly<Retrier> = sdkServiceRetry(["Ssm.SsmException", "Ssm.InternalServerErrorException", "Ssm.SdkClientException"]);

/** The error recorded when the prover image record holds no zkVM image id: nothing is verified against nothing. */
export const PROVER_IMAGE_RECORD_INCOMPLETE_ERROR = "ProverImageRecordIncomplete";

/**
 * A 16 vCPU Fargate (Spot) shortage can last minutes, hence the long, capped backoff:
 * 20, 40, 80, 160, 300 s at most (full jitter spreads concurrent executions), so at most 5 retries
 * within 600 s before FinalizeFailed records the last error. Each attempt has its own TimeoutSeconds.
 */
export const RUN_PROVER_RETRY: Readonly<Retrier> = Object.freeze({
    ErrorEquals: [...ECS_TRANSIENT_ERRORS],
    IntervalSeconds: 20,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: "FULL",
});

/**
 * The finalize Lambda is the only path that ends a session: if it gives up, the session stays
 * "running". Its write is conditional on the attempt (a duplicate is a no-op), so retrying is safe,
 * and it asks for a retry itself when a concurrent writer moved the item. So everything is retried,
 * longer than the Lambda service errors alone, except a malformed event (`InvalidInput`), which is a
 * wiring bug no retry heals: that fails the execution at once and the executions-failed alarm fires.
 * Order matters: the first retrier whose ErrorEquals matches decides, and `States.ALL` must be last.
 */
export const FINALIZE_RETRY: readonly Readonly<Retrier>[] = Object.freeze([
    Object.freeze({ ErrorEquals: ["InvalidInput"], MaxAttempts: 0 }),
    LAMBDA_SERVICE_RETRY,
    Object.freeze({ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" }),
]);

// ---------------------------------------------------------------------------------------------------
// Arguments and their validation.

export interface ProverStateMachineArgs {
    /** AWS partition ("aws", "aws-cn", "aws-us-gov"), used in the `arn:<partition>:states:::` integration ARNs. */
    partition: string;
    /** ARN of the check-image-signature Lambda. */
    checkImageSignatureFunctionArn: string;
    /** ARN of the finalize-callback Lambda. */
    finalizeCallbackFunctionArn: string;
    clusterArn: string;
    /** Task definition ARN with its revision, so an execution runs exactly what was deployed. */
    taskDefinitionArn: string;
    /** Subnets of the prover task (1-16). */
    subnetIds: string[];
    /** Security groups of the prover task (1-5). */
    securityGroupIds: string[];
    /** Public network mode: the task needs a public IP to reach ECR and S3 without a NAT. */
    assignPublicIp: boolean;
    /** Run on Fargate Spot (the cluster must offer the FARGATE_SPOT capacity provider) instead of Fargate. */
    useFargateSpot: boolean;
    /** Account of the registry that holds the prover image (the stack's own: config rejects others). */
    registryId: string;
    /** ECR repository of the prover image. */
    repositoryName: string;
    /** The image digest the task definition pins, `sha256:<64 hex>`: signing status is per digest. */
    imageDigest: string;
    /** ENV_NAME of the prover container. */
    environment: string;
    proofBucketName: string;
    /** "" or ending in "/". */
    proofPrefix: string;
    /** RunProver's budget: the host timeout plus placement, image pull and upload. */
    runProverTimeoutSeconds: number;
    /** ARN of the verifier-service-runner Lambda; absent = no verification step. Default: none. */
    verifyProofFunctionArn?: string;
    /** Which build that Lambda runs, hence its event and answer (builders/verifierContract.ts). Default: the reference handler. */
    verifierContract?: VerifierContractChoice;
    /** Let images with HIGH scan findings run (CRITICAL never run). */
    allowHighScanFindings: boolean;
    /** DynamoDB table of the prover slots (admission control). */
    proofSlotsTableName: string;
    /** At most this many prover tasks run at once; the rest wait for a slot. */
    maxConcurrentProofs: number;
}

const SSM_PARAMETER_PATH = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;
const PARTITION_PATTERN = /^aws(-[a-z]+)*$/;
const ARN_TAIL = {
    lambda: /^lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/,
    cluster: /^ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/,
    taskDefinition: /^ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/,
};
// RunTask's awsvpcConfiguration limits.
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

/** Every problem with the arguments, each naming the field and the rule; empty when they are valid. */
export function proverStateMachineArgsProblems(a: ProverStateMachineArgs): string[] {
    const problems: string[] = [];
    const partitionValid = PARTITION_PATTERN.test(a.partition);
    if (!partitionValid) {
        problems.push(`partition: "${a.partition}" is not an AWS partition such as "aws" or "aws-cn"`);
    }
    const checkArn = (field: keyof ProverStateMachineArgs, value: string, tail: RegExp, what: string) => {
        const prefix = `arn:${a.partition}:`;
        if (!value.startsWith(prefix) || !tail.test(value.slice(prefix.length))) {
            problems.push(`${field}: "${value}" is not ${what} in partition "${a.partition}"`);
        }
    };
    // Against a wrong partition every ARN would be reported too; the partition problem says it all.
    if (partitionValid) {
        checkArn("checkImageSignatureFunctionArn", a.checkImageSignatureFunctionArn, ARN_TAIL.lambda, "a Lambda function ARN");
        checkArn("finalizeCallbackFunctionArn", a.finalizeCallbackFunctionArn, ARN_TAIL.lambda, "a Lambda function ARN");
        if (a.verifyProofFunctionArn !== undefined) {
            checkArn("verifyProofFunctionArn", a.verifyProofFunctionArn, ARN_TAIL.lambda, "a Lambda function ARN");
        }
        checkArn("clusterArn", a.clusterArn, ARN_TAIL.cluster, "an ECS cluster ARN");
        checkArn("taskDefinitionArn", a.taskDefinitionArn, ARN_TAIL.taskDefinition, "an ECS task definition ARN with a revision");
    }
    checkIdList("subnetIds", a.subnetIds, MAX_SUBNETS, problems);
    checkIdList("securityGroupIds", a.securityGroupIds, MAX_SECURITY_GROUPS, problems);
    if (!ACCOUNT_ID.test(a.registryId)) {
        problems.push(`registryId: "${a.registryId}" is not a 12-digit account id`);
    }
    if (!ECR_REPOSITORY_NAME.test(a.repositoryName)) {
        problems.push(`repositoryName: "${a.repositoryName}" is not an ECR repository name`);
    }
    if (!SHA256_DIGEST.test(a.imageDigest)) {
        problems.push(`imageDigest: "${a.imageDigest}" must be ${SHA256_DIGEST_RULE} (signing status is per digest)`);
    }
    if (a.environment.trim() === "") {
        problems.push("environment: must not be empty");
    }
    const bucketRule = bucketNameProblem(a.proofBucketName);
    if (bucketRule !== undefined) problems.push(`proofBucketName: ${bucketRule}`);
    const prefixRule = proofPrefixProblem(a.proofPrefix);
    if (prefixRule !== undefined) problems.push(`proofPrefix: ${prefixRule}`);
    if (!Number.isInteger(a.runProverTimeoutSeconds) || a.runProverTimeoutSeconds < 1) {
        problems.push(`runProverTimeoutSeconds: ${a.runProverTimeoutSeconds} must be a positive integer`);
    }
    problems.push(...proofSlotStatesProblems({ tableName: a.proofSlotsTableName, maxConcurrentProofs: a.maxConcurrentProofs }));
    if (a.verifierContract !== undefined && a.verifyProofFunctionArn === undefined) {
        problems.push(`verifierContract: "${a.verifierContract.kind}" needs verifyProofFunctionArn (the verification step)`);
    }
    // A fully qualified name (the record's is hierarchical), at most 2048 characters of letters,
    // digits and _.-/: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
    if (a.verifierContract?.kind === "application" && !SSM_PARAMETER_PATH.test(a.verifierContract.imageRecordName)) {
        problems.push(`verifierContract.imageRecordName: "${a.verifierContract.imageRecordName}" must be an SSM parameter path: "/" then at most 2047 of A-Z a-z 0-9 _ . - /`);
    }
    return problems;
}

function checkIdList(field: string, ids: readonly string[], max: number, problems: string[]): void {
    if (ids.length === 0 || ids.length > max) {
        problems.push(`${field}: needs 1 to ${max} entries, got ${ids.length}`);
    }
    if (ids.some((id) => id.trim() === "")) {
        problems.push(`${field}: entries must not be empty`);
    }
    if (new Set(ids).size !== ids.length) {
        problems.push(`${field}: entries must be unique`);
    }
}

// ---------------------------------------------------------------------------------------------------
// The definition.

/**
 * `States.Format('<parts joined by {}>', <paths>)`. Inside an intrinsic-function string literal `'`,
 * `{`, `}` and `\` must be escaped with a backslash, so the literal parts (a configured prefix, an
 * image name) are escaped and only the joins are placeholders:
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
export function statesFormat(parts: readonly string[], ...paths: string[]): string {
    if (parts.length !== paths.length + 1) {
        throw new Error(`statesFormat: ${parts.length} literal parts need ${parts.length - 1} paths, got ${paths.length}`);
    }
    const template = parts.map((part) => part.replace(/[\\'{}]/g, (c) => `\\${c}`)).join("{}");
    return `States.Format(${[`'${template}'`, ...paths].join(", ")})`;
}

/**
 * `States.Format` of an object key under `{prefix}{sessionId}/{executionId}` built by `key` (one of
 * lambdas/shared/contracts.ts's key functions) from the execution's ids. The literal parts come from
 * calling `key` with markers for the two ids, so the layout has one definition, in contracts.ts.
 * `payload` is where the ids are read: the state's input (default) or, where only the context object
 * is in reach (a ResultSelector), the execution's input `$$.Execution.Input.payload`.
 */
export function executionKeyFormat(
    key: (proofPrefix: string, sessionId: string, executionId: string) => string,
    proofPrefix: string,
    payload: string = PROVER_PATHS.payload,
): string {
    const SESSION = "\u0000session\u0000";
    const EXECUTION = "\u0000execution\u0000";
    const template = key(proofPrefix, SESSION, EXECUTION);
    const [head, rest, ...extraSession] = template.split(SESSION);
    const [middle, tail, ...extraExecution] = (rest ?? "").split(EXECUTION);
    if (rest === undefined || tail === undefined || extraSession.length > 0 || extraExecution.length > 0 || head.includes(EXECUTION)) {
        throw new Error(`executionKeyFormat: the key must hold the session id once and then the execution id once, got ${JSON.stringify(template)}`);
    }
    return statesFormat([head, middle, tail], `${payload}.sessionId`, `${payload}.executionId`);
}

export function buildProverStateMachineDefinition(args: ProverStateMachineArgs): StateMachineDefinition {
    const problems = proverStateMachineArgsProblems(args);
    if (problems.length > 0) {
        throw new Error(`Prover state machine: invalid arguments (${problems.length}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const S = PROVER_STATES;
    const P = PROVER_PATHS;
    const lambdaInvoke = `arn:${args.partition}:states:::lambda:invoke`;
    // Errors of a Task go to $.proverError in Step Functions' own {Error, Cause} shape. A Catch only
    // applies once the state's Retry is exhausted (or no retrier matched).
    // `States.ALL` does not catch `States.DataLimitExceeded` (a result over 256 KiB), so it is named
    // first; otherwise the execution would fail without telling the session:
    // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-data-limit-exceed
    // (a catcher naming it does catch it: https://github.com/cdklabs/construct-hub/pull/1651)
    // Every failure passes ReleaseProofSlotAfterFailure (a no-op when no slot was taken) on its way to FinalizeFailed.
    const catchAll: Catcher[] = [
        { ErrorEquals: ["States.DataLimitExceeded"], ResultPath: P.proverError, Next: S.ReleaseProofSlotAfterFailure },
        { ErrorEquals: ["States.ALL"], ResultPath: P.proverError, Next: S.ReleaseProofSlotAfterFailure },
    ];
    // Keep only the Lambda's answer: the invoke response also carries HTTP metadata that would bloat
    // every later state's input (256 KiB limit) without being read by anything.
    const keepPayload: JsonObject = { "Payload.$": "$.Payload" };
    // `next`: a state after finalizing (ProofNotVerified); otherwise the execution ends there.
    const finalize = (comment: string, payload: JsonObject, next?: string): TaskState<LambdaInvokeParameters> => ({
        Type: "Task",
        Comment: comment,
        Resource: lambdaInvoke,
        Parameters: { FunctionName: args.finalizeCallbackFunctionArn, Payload: payload },
        ResultSelector: keepPayload,
        // The callback's outcome is kept beside the payload instead of replacing it, so the execution
        // output still shows what was finalized.
        ResultPath: P.finalizeResult,
        Retry: copyRetriers(FINALIZE_RETRY),
        // No Catch: if finalizing fails for good the execution fails, which the executions-failed alarm reports.
        ...(next === undefined ? { End: true as const } : { Next: next }),
    });
    const common = { "payload.$": P.payload, "executionArn.$": P.executionArn };
    const verifier =
        args.verifyProofFunctionArn === undefined
            ? undefined
            : { functionArn: args.verifyProofFunctionArn, contract: buildVerifierContract(args.verifierContract ?? { kind: "reference" }, args.proofPrefix) };
    // The same check, first and again: the recheck tells the Lambda how many checks came before,
    // which is how the gate's bound is kept without a counter state.
    const gateCheck = (comment: string, extra: JsonObject): TaskState<LambdaInvokeParameters> => ({
        Type: "Task",
        Comment: comment,
        Resource: lambdaInvoke,
        Parameters: {
            FunctionName: args.checkImageSignatureFunctionArn,
            Payload: {
                registryId: args.registryId,
                repositoryName: args.repositoryName,
                imageDigest: args.imageDigest,
                allowHighScanFindings: args.allowHighScanFindings,
                ...extra,
            },
        },
        ResultSelector: keepPayload,
        ResultPath: P.signingStatus,
        Retry: copyRetriers([LAMBDA_SERVICE_RETRY]),
        Catch: catchAll,
        Next: S.CheckImageSignature,
    });

    return {
        Comment: `Prover dispatcher (${args.environment}): verify the prover image signature, run the prover task, report the result.`,
        StartAt: S.VerifyImageSignature,
        States: {
            [S.VerifyImageSignature]: gateCheck("Image gate: ECR signing status and scan findings of the digest the task definition pins.", {}),
            [S.CheckImageSignature]: {
                Type: "Choice",
                Comment: `Only an image the gate allows (every signature ${SIGNING_STATUS_COMPLETE}, scan acceptable) runs; PENDING looks again; anything else is refused.`,
                Choices: [
                    { Variable: P.imageGateVerdict, StringEquals: IMAGE_GATE_ALLOW, Next: S.AcquireProofSlot },
                    { Variable: P.imageGateVerdict, StringEquals: IMAGE_GATE_PENDING, Next: S.WaitForImageGate },
                ],
                Default: S.FinalizeSignatureFailed,
            },
            [S.WaitForImageGate]: {
                Type: "Wait",
                Comment: `ECR is still signing or scanning the digest: look again in ${IMAGE_GATE.recheckIntervalSeconds} s (the Lambda refuses after ${IMAGE_GATE.maxRechecks} rechecks).`,
                Seconds: IMAGE_GATE.recheckIntervalSeconds,
                Next: S.RecheckImageSignature,
            },
            [S.RecheckImageSignature]: gateCheck("Image gate again, counting the checks made so far.", { "previousChecks.$": P.imageGateChecks }),
            [S.RunProver]: {
                Type: "Task",
                Comment: "Run the prover task and wait for it to stop (.sync).",
                Resource: `arn:${args.partition}:states:::ecs:runTask.sync`,
                Parameters: runProverParameters(args),
                ResultPath: P.proverResult,
                // Per attempt. On timeout Step Functions stops the task (ecs:StopTask), so no orphan keeps running.
                TimeoutSeconds: args.runProverTimeoutSeconds,
                // Deliberately not States.TaskFailed or States.Timeout: those mean the proof itself ran and
                // failed or overran. Re-running it would silently triple a multi-minute, 16 vCPU job that
                // would most likely fail the same way, and delay the user's error by as much. A Spot
                // interruption also ends up here as States.TaskFailed; the user retries the session.
                Retry: copyRetriers([RUN_PROVER_RETRY]),
                Catch: catchAll,
                Next: S.ReleaseProofSlot,
            },
            [S.FinalizeSucceeded]: finalize("Record the succeeded proof on the session.", {
                status: "SUCCEEDED",
                ...common,
                "proverResult.$": P.proverResult,
                ...(verifier === undefined ? {} : verifier.contract.finalizeVerification),
            }),
            [S.FinalizeSignatureFailed]: finalize("Record the failed signature check on the session.", {
                status: "FAILED",
                ...common,
                // Step Functions' own {Error, Cause} shape, built by the gate so it names what failed
                // (ImageSignatureVerificationFailed, ImageScanFindingsRefused or ImageScanIncomplete).
                "error.$": P.imageGateError,
            }),
            [S.FinalizeFailed]: finalize("Record the failed Task (its caught error) on the session.", {
                status: "FAILED",
                ...common,
                "error.$": P.proverError,
            }),
            ...(verifier === undefined ? {} : verificationStates(args, verifier.functionArn, verifier.contract, lambdaInvoke, keepPayload, catchAll, finalize, common)),
            ...buildProofSlotStates({
                partition: args.partition,
                tableName: args.proofSlotsTableName,
                maxConcurrentProofs: args.maxConcurrentProofs,
                next: S.RunProver,
                // The slot is given back before verifying: verification does not use the prover's capacity.
                afterRelease: verifier === undefined ? S.FinalizeSucceeded : verifier.contract.imageRecord === undefined ? S.VerifyProof : S.ReadProverImageRecord,
                afterFailureRelease: S.FinalizeFailed,
                catchAll,
            }),
        },
    };
}

/**
 * VerifyProof (the verifier-service-runner Lambda) → CheckProofVerification → FinalizeSucceeded for a
 * verified proof. Otherwise the session fails (FinalizeVerificationFailed) and so does the execution
 * (ProofNotVerified): a rejected proof means the prover or its image is not what the stack expects,
 * which an operator must hear about, and ExecutionsFailed is the alarm that already watches this
 * state machine (builders/alarms.ts). Ending SUCCEEDED would leave it to a user to notice.
 * The contract (builders/verifierContract.ts) decides the event, the retries and how the answer reads.
 */
function verificationStates(
    args: ProverStateMachineArgs,
    functionArn: string,
    contract: VerifierContract,
    lambdaInvoke: string,
    keepPayload: JsonObject,
    catchAll: Catcher[],
    finalize: (comment: string, payload: JsonObject, next?: string) => TaskState<LambdaInvokeParameters>,
    common: JsonObject,
): Pick<
    Required<StateMachineDefinition["States"]>,
    "VerifyProof" | "CheckProofVerification" | "RecordVerificationRejection" | "RecordVerifierRunnerFailure" | "FinalizeVerificationFailed" | "ProofNotVerified"
> &
    Pick<StateMachineDefinition["States"], "PublishVerificationReport" | "ReadProverImageRecord" | "CheckProverImageRecord" | "RecordIncompleteImageRecord"> {
    const S = PROVER_STATES;
    const P = PROVER_PATHS;
    const unpublished = contract.unpublishedReport;
    return {
        ...(contract.imageRecord === undefined ? {} : imageRecordStates(args, contract.imageRecord)),
        [S.VerifyProof]: {
            Type: "Task",
            Comment: contract.comment,
            Resource: lambdaInvoke,
            Parameters: { FunctionName: functionArn, Payload: contract.payload },
            ResultSelector: keepPayload,
            ResultPath: P.verification,
            Retry: copyRetriers(contract.retry),
            Catch: catchAll,
            Next: S.CheckProofVerification,
        },
        [S.CheckProofVerification]: {
            Type: "Choice",
            Comment: `Only a ${VERIFICATION_STATUS_SUCCESS} verdict lets the proof count; failed and dev_mode reject it; any other answer is a runner failure.`,
            Choices: [
                { ...contract.accepted, Next: S.FinalizeSucceeded },
                ...(unpublished === undefined ? [] : [{ ...unpublished.when, Next: S.PublishVerificationReport }]),
                { ...contract.rejected, Next: S.RecordVerificationRejection },
            ],
            Default: S.RecordVerifierRunnerFailure,
        },
        [S.RecordVerificationRejection]: {
            Type: "Pass",
            Comment: "The verdict rejects the proof: name it.",
            Parameters: contract.rejection,
            ResultPath: P.verificationError,
            Next: S.FinalizeVerificationFailed,
        },
        [S.RecordVerifierRunnerFailure]: {
            Type: "Pass",
            Comment: "The runner answered without a verdict (or without publishing its report): keep its answer.",
            Parameters: contract.runnerFailure,
            ResultPath: P.verificationError,
            Next: S.FinalizeVerificationFailed,
        },
        ...(unpublished === undefined ? {} : { [S.PublishVerificationReport]: publishVerificationReport(args, unpublished) }),
        [S.FinalizeVerificationFailed]: finalize(
            "Record the unverified proof on the session.",
            { status: "FAILED", ...common, "error.$": P.verificationError },
            S.ProofNotVerified,
        ),
        [S.ProofNotVerified]: {
            Type: "Fail",
            Comment: "The session is failed; the execution fails too, with the same error, so ExecutionsFailed alarms.",
            ErrorPath: `${P.verificationError}.Error`,
            CausePath: `${P.verificationError}.Cause`,
        },
    };
}

/**
 * The runner verified the proof but could not publish its report (builders/verifierContract.ts): the
 * state machine puts the answered report as verification.json beside the bundle, then links its key
 * where FinalizeSucceeded reads it.
 * - Body: `States.JsonToString` of the report, a string the integration stores as is:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate
 * - ResultSelector: PutObject answers only ETag and the like, so the key is formed again, from the
 *   execution's input in the context object (a ResultSelector sees the result and the context object,
 *   not the state's input): https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
 * - Catch: a report that cannot be published after the retries leaves the proof unverified, as when
 *   the runner could not publish it: FinalizeVerificationFailed records S3's own error (its Cause
 *   names the status code, e.g. 403 for a refused put) and ProofNotVerified fails the execution, so
 *   the executions-failed alarm tells an operator, who must fix S3 access, not the user's session.
 *   FinalizeFailed would end the execution SUCCEEDED with nobody alarmed. A PutObject answer is a few
 *   headers, never near 256 KiB, so States.ALL needs no States.DataLimitExceeded catcher beside it.
 */
function publishVerificationReport(
    a: ProverStateMachineArgs,
    unpublished: NonNullable<VerifierContract["unpublishedReport"]>,
): TaskState<S3PutObjectParameters> {
    return {
        Type: "Task",
        Comment: "The runner verified the proof but did not publish its report: put it as verification.json beside the bundle.",
        Resource: `arn:${a.partition}:states:::aws-sdk:s3:putObject`,
        Parameters: {
            Bucket: a.proofBucketName,
            "Key.$": executionKeyFormat(verificationReportKey, a.proofPrefix),
            "Body.$": `States.JsonToString(${unpublished.report})`,
            ContentType: "application/json",
            ServerSideEncryption: "AES256",
        },
        ResultSelector: { "reportKey.$": executionKeyFormat(verificationReportKey, a.proofPrefix, "$$.Execution.Input.payload") },
        ResultPath: unpublished.linkedAt,
        Retry: copyRetriers([S3_SERVICE_RETRY]),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: PROVER_PATHS.verificationError, Next: PROVER_STATES.FinalizeVerificationFailed }],
        Next: PROVER_STATES.FinalizeSucceeded,
    };
}

/**
 * The application's runner takes the expected image id in its event: it is read from the prover image
 * record (components/proverImageRecord.ts) at each verification, the one place the api and the
 * reference verifier read it from too, so a re-recorded image id applies to the next proof without a
 * new definition.
 * - Resource: `aws-sdk:ssm:getParameter`; the record is a String parameter, so no WithDecryption:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * - ResultSelector: the parameter's value is the record's JSON text; `States.StringToJson` makes it an
 *   object kept at `$.imageRecord.record` (a Choice reads paths, not intrinsic results):
 *   https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate
 * - Catch: like PublishVerificationReport, a record that cannot be read (missing, refused, throttled
 *   beyond the retries) leaves the proof unverified: FinalizeVerificationFailed records SSM's own error
 *   and ProofNotVerified fails the execution, so the executions-failed alarm tells an operator, who must
 *   fix the record or its access. FinalizeFailed would end the execution SUCCEEDED with nobody alarmed.
 * - CheckProverImageRecord: a record without a zkVM image id (null or absent: the image was recorded
 *   before its id was known) fails closed with PROVER_IMAGE_RECORD_INCOMPLETE_ERROR; IsPresent first,
 *   because a Choice on a missing path is a runtime error:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
function imageRecordStates(
    a: ProverStateMachineArgs,
    record: NonNullable<VerifierContract["imageRecord"]>,
): Pick<Required<StateMachineDefinition["States"]>, "ReadProverImageRecord" | "CheckProverImageRecord" | "RecordIncompleteImageRecord"> {
    const S = PROVER_STATES;
    const P = PROVER_PATHS;
    return {
        [S.ReadProverImageRecord]: {
            Type: "Task",
            Comment: "Read the prover image record (SSM): the zkVM image id the proof must be verified against.",
            Resource: `arn:${a.partition}:states:::aws-sdk:ssm:getParameter`,
            Parameters: { Name: record.parameterName },
            ResultSelector: { "record.$": "States.StringToJson($.Parameter.Value)" },
            ResultPath: P.imageRecord,
            Retry: copyRetriers([SSM_SERVICE_RETRY]),
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: P.verificationError, Next: S.FinalizeVerificationFailed }],
            Next: S.CheckProverImageRecord,
        },
        [S.CheckProverImageRecord]: {
            Type: "Choice",
            Comment: "Only a record that names a zkVM image id lets the proof be verified; anything else fails closed.",
            Choices: [{ And: [{ Variable: record.imageId, IsPresent: true }, { Variable: record.imageId, IsString: true }], Next: S.VerifyProof }],
            Default: S.RecordIncompleteImageRecord,
        },
        [S.RecordIncompleteImageRecord]: {
            Type: "Pass",
            Comment: "The prover image record names no zkVM image id: verify nothing, fail the proof.",
            Parameters: {
                Error: PROVER_IMAGE_RECORD_INCOMPLETE_ERROR,
                "Cause.$": statesFormat([`The prover image record ${record.parameterName} holds no zkVM image id: `, ""], `States.JsonToString(${P.imageRecord}.record)`),
            },
            ResultPath: P.verificationError,
            Next: S.FinalizeVerificationFailed,
        },
    };
}

function runProverParameters(a: ProverStateMachineArgs): RunProverParameters {
    // Keyed by the contract's names, so the compiler rejects a missing or extra variable.
    const values: Record<(typeof PROVER_ENV.runOverrides)[number], { Value: string } | { "Value.$": string }> = {
        ENV_NAME: { Value: a.environment },
        S3_PROOF_BUCKET: { Value: a.proofBucketName },
        S3_PROOF_PREFIX: { Value: a.proofPrefix },
        INPUT_S3_BUCKET: { Value: a.proofBucketName },
        INPUT_S3_KEY: { "Value.$": PROVER_PATHS.inputS3Key },
        OUTPUT_S3_BUCKET: { Value: a.proofBucketName },
        // {prefix}{sessionId}/{executionId}, no trailing slash (contracts.executionPrefix).
        OUTPUT_S3_PREFIX: { "Value.$": executionKeyFormat(executionPrefix, a.proofPrefix) },
    };
    return {
        Cluster: a.clusterArn,
        TaskDefinition: a.taskDefinitionArn,
        // RunTask accepts a launch type or a capacity provider strategy, never both.
        ...(a.useFargateSpot
            ? { CapacityProviderStrategy: [{ CapacityProvider: "FARGATE_SPOT" as const, Weight: 1 }] }
            : { LaunchType: "FARGATE" as const }),
        NetworkConfiguration: {
            AwsvpcConfiguration: {
                Subnets: [...a.subnetIds],
                SecurityGroups: [...a.securityGroupIds],
                AssignPublicIp: a.assignPublicIp ? "ENABLED" : "DISABLED",
            },
        },
        Overrides: {
            ContainerOverrides: [
                {
                    Name: PROVER_CONTAINER_NAME,
                    Environment: PROVER_ENV.runOverrides.map((name) => ({ Name: name, ...values[name] })),
                },
            ],
        },
    };
}

/** Fresh copies, so a consumer that edits the document (asl-validator does) cannot alter the shared policies. */
function copyRetriers(retriers: readonly Readonly<Retrier>[]): Retrier[] {
    return retriers.map((r) => ({ ...r, ErrorEquals: [...r.ErrorEquals] }));
}
