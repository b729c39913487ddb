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
 * FinalizeVerificationFailed → ProofNotVerified (a Fail state), see `verificationStates`.
 * Admission control (builders/proofSlots.ts) wraps RunProver: AcquireProofSlot (waiting while every
 * slot is taken) before it, ReleaseProofSlot after it, ReleaseProofSlotAfterFailure before FinalizeFailed.
 */
import { IMAGE_GATE, PROVER_CONTAINER_NAME, PROVER_ENV, executionPrefix } from "../lambdas/shared/contracts";
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
        VerifyProof?: TaskState<LambdaInvokeParameters>;
        CheckProofVerification?: ChoiceState<ChoiceCondition & { Next: string }>;
        RecordVerificationRejection?: PassState;
        RecordVerifierRunnerFailure?: PassState;
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
    VerifyProof: "VerifyProof",
    CheckProofVerification: "CheckProofVerification",
    RecordVerificationRejection: "RecordVerificationRejection",
    RecordVerifierRunnerFailure: "RecordVerifierRunnerFailure",
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

const PARTITION_PATTERN = /^aws(-[a-z]+)*$/;
const ARN_TAIL = {
    lambda: /^lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/,
    cluster: /^ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/,
    taskDefinition: /^ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/,
};
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (the characters and length)
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
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
    if (!/^\d{12}$/.test(a.registryId)) {
        problems.push(`registryId: "${a.registryId}" is not a 12-digit account id`);
    }
    if (a.repositoryName.length < 2 || a.repositoryName.length > 256 || !REPOSITORY_NAME_PATTERN.test(a.repositoryName)) {
        problems.push(`repositoryName: "${a.repositoryName}" is not an ECR repository name`);
    }
    if (!DIGEST_PATTERN.test(a.imageDigest)) {
        problems.push(`imageDigest: "${a.imageDigest}" must be sha256:<64 lower-case hex> (signing status is per digest)`);
    }
    if (a.environment.trim() === "") {
        problems.push("environment: must not be empty");
    }
    if (!BUCKET_NAME_PATTERN.test(a.proofBucketName)) {
        problems.push(`proofBucketName: "${a.proofBucketName}" is not an S3 bucket name`);
    }
    if (a.proofPrefix !== "" && (!a.proofPrefix.endsWith("/") || a.proofPrefix.startsWith("/"))) {
        problems.push(`proofPrefix: "${a.proofPrefix}" must be empty or end with "/" (and not start with "/")`);
    }
    if (!Number.isInteger(a.runProverTimeoutSeconds) || a.runProverTimeoutSeconds < 1) {
        problems.push(`runProverTimeoutSeconds: ${a.runProverTimeoutSeconds} must be a positive integer`);
    }
    problems.push(...proofSlotStatesProblems({ tableName: a.proofSlotsTableName, maxConcurrentProofs: a.maxConcurrentProofs }));
    if (a.verifierContract !== undefined && a.verifyProofFunctionArn === undefined) {
        problems.push(`verifierContract: "${a.verifierContract.kind}" needs verifyProofFunctionArn (the verification step)`);
    }
    // The application's runner accepts 32 bytes of hex (handler.ts `hexStringSchema(32, 'expectedImageId')`);
    // the stack's rule is the config's: 64 lower-case hex, no 0x (builders/verifierSettings.ts).
    if (a.verifierContract?.kind === "application" && !/^[0-9a-f]{64}$/.test(a.verifierContract.expectedImageId)) {
        problems.push(`verifierContract.expectedImageId: "${a.verifierContract.expectedImageId}" must be 64 lower-case hex digits without 0x`);
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
 */
export function executionKeyFormat(key: (proofPrefix: string, sessionId: string, executionId: string) => string, proofPrefix: string): string {
    const SESSION = "\u0000session\u0000";
    const EXECUTION = "\u0000execution\u0000";
    const template = key(proofPrefix, SESSION, EXECUTION);
    const [head, rest, ...extraSession] = template.split(SESSION);
    const [middle, tail, ...extraExecution] = (rest ?? "").split(EXECUTION);
    if (rest === undefined || tail === undefined || extraSession.length > 0 || extraExecution.length > 0 || head.includes(EXECUTION)) {
        throw new Error(`executionKeyFormat: the key must hold the session id once and then the execution id once, got ${JSON.stringify(template)}`);
    }
    return statesFormat([head, middle, tail], "$.payload.sessionId", "$.payload.executionId");
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
            ...(verifier === undefined ? {} : verificationStates(verifier.functionArn, verifier.contract, lambdaInvoke, keepPayload, catchAll, finalize, common)),
            ...buildProofSlotStates({
                partition: args.partition,
                tableName: args.proofSlotsTableName,
                maxConcurrentProofs: args.maxConcurrentProofs,
                next: S.RunProver,
                // The slot is given back before verifying: verification does not use the prover's capacity.
                afterRelease: verifier === undefined ? S.FinalizeSucceeded : S.VerifyProof,
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
> {
    const S = PROVER_STATES;
    const P = PROVER_PATHS;
    return {
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
