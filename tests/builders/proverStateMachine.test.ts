import assert from "node:assert/strict";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM } from "../../lambdas/shared/proofSlots";
import { type LocalDynamo, createTable, startLocalDynamo } from "../../local/servers";
import {
    FINALIZE_RETRY,
    LAMBDA_SERVICE_RETRY,
    type ProverStateMachineArgs,
    RUN_PROVER_RETRY,
    type StateMachineDefinition,
    buildProverStateMachineDefinition,
    proverStateMachineArgsProblems,
    statesFormat,
} from "../../builders/proverStateMachine";
import { parseCheckImageSignatureInput } from "../../lambdas/check-image-signature/checkImageSignature";
import { parseFinalizeEvent } from "../../lambdas/finalize-callback/finalizeEvent";
import {
    type CheckImageSignatureInput,
    type CheckImageSignatureResult,
    type ExecutionInput,
    type FinalizeEvent,
    IMAGE_GATE,
    executionPrefix,
} from "../../lambdas/shared/contracts";
import {
    type ProverTaskHandlers,
    type RunProverRequest,
    aslValidationErrors,
    localExecutionArn,
    runProverStateMachine,
} from "../../local/stateMachine";
import { BASE } from "./support/verifyingArgs";

// Two task subnets, so the network configuration shows they are passed as a list.
const ARGS: ProverStateMachineArgs = { ...BASE, subnetIds: ["subnet-0a1", "subnet-0b2"] };
const DIGEST = ARGS.imageDigest;

let slotsDynamo: LocalDynamo;
const CN_ARGS: ProverStateMachineArgs = {
    ...ARGS,
    partition: "aws-cn",
    checkImageSignatureFunctionArn: "arn:aws-cn:lambda:cn-north-1:123456789012:function:sig",
    finalizeCallbackFunctionArn: "arn:aws-cn:lambda:cn-north-1:123456789012:function:fin",
    clusterArn: "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prover",
    taskDefinitionArn: "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/prover:1",
};
const SPOT_PRIVATE_ARGS: ProverStateMachineArgs = { ...ARGS, useFargateSpot: true, assignPublicIp: false };

const INPUT: ExecutionInput = {
    payload: {
        sessionId: "session-1",
        executionId: "exec-0001",
        inputS3Key: "sessions/session-1/exec-0001/input.json",
        queuedAt: "2026-03-01T10:00:00.000Z",
    },
    messageId: "msg-1",
    receivedAt: "2026-03-01T10:00:01.000Z",
};
const EXECUTION_ARN = localExecutionArn(INPUT.payload.executionId);
const TASK = { TaskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/prover/0123", LastStatus: "STOPPED", Containers: [{ Name: "prover", ExitCode: 0 }] };

const LAMBDA_RETRIER = {
    ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: "FULL",
};
const FINALIZE_RETRIERS = [
    { ErrorEquals: ["InvalidInput"], MaxAttempts: 0 },
    LAMBDA_RETRIER,
    { ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" },
];
/** A function error's Cause without its `trace` (the stack's lines), after checking the trace starts with the message. */
function withoutTrace(cause: string): string {
    const { trace, ...rest } = JSON.parse(cause) as { errorType: string; errorMessage: string; trace: string[] };
    assert.ok(trace[0].endsWith(`: ${rest.errorMessage}`), trace[0]);
    return JSON.stringify(rest);
}

const CATCH_ALL = [
    { ErrorEquals: ["States.DataLimitExceeded"], ResultPath: "$.proverError", Next: "ReleaseProofSlotAfterFailure" },
    { ErrorEquals: ["States.ALL"], ResultPath: "$.proverError", Next: "ReleaseProofSlotAfterFailure" },
];

/** Comments are prose for operators; everything else is asserted exactly. */
function withoutComment(state: object): object {
    const { Comment: _comment, ...rest } = state as { Comment?: string };
    return rest;
}

function named(name: string, message: string): Error {
    const error = new Error(message);
    error.name = name;
    return error;
}

/** Fails `times` times with the error, then answers. */
function failing<A, R>(times: number, error: () => Error, answer: (arg: A) => R): (arg: A) => R {
    let calls = 0;
    return (arg) => {
        calls += 1;
        if (calls <= times) throw error();
        return answer(arg);
    };
}

const SIGNED: CheckImageSignatureResult = {
    verdict: "ALLOW",
    checks: 1,
    status: "COMPLETE",
    signingStatuses: [{ signingProfileArn: "arn:aws:signer:ap-northeast-1:123456789012:/signing-profiles/prover", status: "COMPLETE" }],
    scan: { status: "COMPLETE", findingSeverityCounts: { LOW: 2 } },
};
/**
 * RunProver's ECS RunTask parameters for ARGS: in the definition the input key and output prefix are paths
 * and an intrinsic; in a request the local interpreter resolved them to values.
 */
function runTaskRequest(inputKey: object, outputPrefix: object) {
    return {
        Cluster: ARGS.clusterArn,
        TaskDefinition: ARGS.taskDefinitionArn,
        LaunchType: "FARGATE",
        NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ["subnet-0a1", "subnet-0b2"], SecurityGroups: ["sg-0c3"], AssignPublicIp: "ENABLED" } },
        Overrides: {
            ContainerOverrides: [
                {
                    Name: "prover",
                    Environment: [
                        { Name: "ENV_NAME", Value: "develop" },
                        { Name: "S3_PROOF_BUCKET", Value: ARGS.proofBucketName },
                        { Name: "S3_PROOF_PREFIX", Value: "sessions/" },
                        { Name: "INPUT_S3_BUCKET", Value: ARGS.proofBucketName },
                        { Name: "INPUT_S3_KEY", ...inputKey },
                        { Name: "OUTPUT_S3_BUCKET", Value: ARGS.proofBucketName },
                        { Name: "OUTPUT_S3_PREFIX", ...outputPrefix },
                    ],
                },
            ],
        },
    };
}
const GATE_PAYLOAD = { registryId: "123456789012", repositoryName: "stark-ballot-simulator-prover-develop", imageDigest: DIGEST, allowHighScanFindings: false };
/** A refusal as the gate reports it. */
const denied = (Error: string, Cause: string): CheckImageSignatureResult => ({ ...SIGNED, verdict: "DENY", status: "FAILED", error: { Error, Cause } });
/** PENDING answers for the first `times` checks, then `answer`, each counting the checks as the Lambda does. */
const pendingThen = (times: number, answer: CheckImageSignatureResult) => (event: CheckImageSignatureInput): CheckImageSignatureResult => {
    const checks = (event.previousChecks ?? 0) + 1;
    return checks <= times ? { ...SIGNED, verdict: "PENDING", status: "IN_PROGRESS", checks } : { ...answer, checks };
};
const FINALIZED = { outcome: "updated" };
const handlers = (overrides: Partial<ProverTaskHandlers> = {}): ProverTaskHandlers => ({
    verifyImageSignature: () => SIGNED,
    runProver: () => TASK,
    finalize: () => FINALIZED,
    get dynamodb() {
        return slotsDynamo.client;
    },
    ...overrides,
});

describe("prover state machine definition", () => {
    const def = buildProverStateMachineDefinition(ARGS);

    describe("validity", () => {
        for (const [label, args] of [
            ["aws, public, Fargate", ARGS],
            ["aws, private, Fargate Spot", SPOT_PRIVATE_ARGS],
            ["aws-cn", CN_ARGS],
            ["empty proof prefix", { ...ARGS, proofPrefix: "" }],
        ] as const) {
            it(`passes asl-validator with JSONPath and ARN checks (${label})`, () => {
                assert.deepEqual(aslValidationErrors(buildProverStateMachineDefinition(args)), []);
            });
        }

        it("the validator does reject broken documents (so the checks above can fail)", () => {
            const badPath = structuredClone(def) as StateMachineDefinition;
            badPath.States.RunProver.ResultPath = "proverResult";
            assert.deepEqual(aslValidationErrors(badPath), ['SCHEMA_VALIDATION_FAILED: /States/RunProver/ResultPath is invalid. must match format "asl_result_path"']);
            const badTarget = structuredClone(def) as StateMachineDefinition;
            badTarget.States.CheckImageSignature.Default = "Nowhere";
            assert.deepEqual(aslValidationErrors(badTarget), [
                "MISSING_TRANSITION_TARGET: State FinalizeSignatureFailed is not reachable",
                "MISSING_TRANSITION_TARGET: Missing 'StartAt'|'Next'|'Default' target: Nowhere",
            ]);
            const badParameterPath = structuredClone(def) as StateMachineDefinition;
            badParameterPath.States.RunProver.Parameters.Overrides.ContainerOverrides[0].Environment[4] = { Name: "INPUT_S3_KEY", "Value.$": "$.payload[" };
            assert.deepEqual(aslValidationErrors(badParameterPath), [
                'SCHEMA_VALIDATION_FAILED: /States/RunProver/Parameters/Overrides/ContainerOverrides/0/Environment/4/Value.$ is invalid. must match format "asl_payload_template"',
            ]);
        });

        it("validating leaves the document untouched", () => {
            const before = JSON.stringify(def);
            aslValidationErrors(def);
            assert.equal(JSON.stringify(def), before);
        });
    });

    describe("states and transitions", () => {
        it("starts at VerifyImageSignature and has SPEC §1's six states plus the gate's wait loop and the five states of admission control", () => {
            assert.equal(def.StartAt, "VerifyImageSignature");
            assert.deepEqual(Object.keys(def.States), [
                "VerifyImageSignature",
                "CheckImageSignature",
                "WaitForImageGate",
                "RecheckImageSignature",
                "RunProver",
                "FinalizeSucceeded",
                "FinalizeSignatureFailed",
                "FinalizeFailed",
                "AcquireProofSlot",
                "CheckProofSlotHeld",
                "WaitForProofSlot",
                "ReleaseProofSlot",
                "ReleaseProofSlotAfterFailure",
            ]);
            const edges = Object.fromEntries(
                Object.entries(def.States).map(([name, s]) => [
                    name,
                    s.Type === "Choice"
                        ? { choices: s.Choices.map((c: { Next: string }) => c.Next), default: s.Default }
                        : s.Type === "Wait"
                          ? { wait: s.Seconds, next: s.Next }
                          : { next: s.Next ?? null, end: s.End ?? false, catch: (s.Catch ?? []).map((c: { Next: string }) => c.Next) },
                ]),
            );
            assert.deepEqual(edges, {
                VerifyImageSignature: { next: "CheckImageSignature", end: false, catch: ["ReleaseProofSlotAfterFailure", "ReleaseProofSlotAfterFailure"] },
                CheckImageSignature: { choices: ["AcquireProofSlot", "WaitForImageGate"], default: "FinalizeSignatureFailed" },
                WaitForImageGate: { wait: 15, next: "RecheckImageSignature" },
                RecheckImageSignature: { next: "CheckImageSignature", end: false, catch: ["ReleaseProofSlotAfterFailure", "ReleaseProofSlotAfterFailure"] },
                RunProver: { next: "ReleaseProofSlot", end: false, catch: ["ReleaseProofSlotAfterFailure", "ReleaseProofSlotAfterFailure"] },
                FinalizeSucceeded: { next: null, end: true, catch: [] },
                FinalizeSignatureFailed: { next: null, end: true, catch: [] },
                FinalizeFailed: { next: null, end: true, catch: [] },
                AcquireProofSlot: { next: "RunProver", end: false, catch: ["CheckProofSlotHeld", "ReleaseProofSlotAfterFailure", "ReleaseProofSlotAfterFailure"] },
                CheckProofSlotHeld: { next: "RunProver", end: false, catch: ["WaitForProofSlot", "ReleaseProofSlotAfterFailure", "ReleaseProofSlotAfterFailure"] },
                WaitForProofSlot: { wait: 60, next: "AcquireProofSlot" },
                ReleaseProofSlot: { next: "FinalizeSucceeded", end: false, catch: ["FinalizeSucceeded", "FinalizeSucceeded"] },
                ReleaseProofSlotAfterFailure: { next: "FinalizeFailed", end: false, catch: ["FinalizeFailed", "FinalizeFailed"] },
            });
        });

        it("VerifyImageSignature invokes the gate Lambda with the registry, the pinned digest and the HIGH rule, result at $.signingStatus", () => {
            assert.deepEqual(withoutComment(def.States.VerifyImageSignature), {
                Type: "Task",
                Resource: "arn:aws:states:::lambda:invoke",
                Parameters: {
                    FunctionName: ARGS.checkImageSignatureFunctionArn,
                    Payload: GATE_PAYLOAD,
                },
                ResultSelector: { "Payload.$": "$.Payload" },
                ResultPath: "$.signingStatus",
                Retry: [LAMBDA_RETRIER],
                Catch: CATCH_ALL,
                Next: "CheckImageSignature",
            });
        });

        it("CheckImageSignature runs the prover only on ALLOW, waits on PENDING, refuses anything else", () => {
            assert.deepEqual(withoutComment(def.States.CheckImageSignature), {
                Type: "Choice",
                Choices: [
                    { Variable: "$.signingStatus.Payload.verdict", StringEquals: "ALLOW", Next: "AcquireProofSlot" },
                    { Variable: "$.signingStatus.Payload.verdict", StringEquals: "PENDING", Next: "WaitForImageGate" },
                ],
                Default: "FinalizeSignatureFailed",
            });
        });

        it("the gate's loop waits 15 s and rechecks with the count of checks so far: 20 rechecks bound it to 5 minutes", () => {
            assert.equal(IMAGE_GATE.recheckIntervalSeconds * IMAGE_GATE.maxRechecks, 300);
            assert.deepEqual(withoutComment(def.States.WaitForImageGate), { Type: "Wait", Seconds: 15, Next: "RecheckImageSignature" });
            assert.deepEqual(withoutComment(def.States.RecheckImageSignature), {
                Type: "Task",
                Resource: "arn:aws:states:::lambda:invoke",
                Parameters: {
                    FunctionName: ARGS.checkImageSignatureFunctionArn,
                    Payload: { ...GATE_PAYLOAD, "previousChecks.$": "$.signingStatus.Payload.checks" },
                },
                ResultSelector: { "Payload.$": "$.Payload" },
                ResultPath: "$.signingStatus",
                Retry: [LAMBDA_RETRIER],
                Catch: CATCH_ALL,
                Next: "CheckImageSignature",
            });
            const allowing = buildProverStateMachineDefinition({ ...ARGS, allowHighScanFindings: true });
            assert.equal(allowing.States.VerifyImageSignature.Parameters.Payload.allowHighScanFindings, true);
            assert.equal(allowing.States.RecheckImageSignature.Parameters.Payload.allowHighScanFindings, true);
        });

        it("RunProver: Fargate in the task subnets with a public IP, the exact container environment, a timeout, ECS-only retries", () => {
            assert.deepEqual(withoutComment(def.States.RunProver), {
                Type: "Task",
                Resource: "arn:aws:states:::ecs:runTask.sync",
                Parameters: runTaskRequest(
                    { "Value.$": "$.payload.inputS3Key" },
                    { "Value.$": "States.Format('sessions/{}/{}', $.payload.sessionId, $.payload.executionId)" },
                ),
                ResultPath: "$.proverResult",
                TimeoutSeconds: 1500,
                Retry: [
                    {
                        ErrorEquals: ["AmazonECS.Unknown", "ECS.AmazonECSException", "ECS.ServerException"],
                        IntervalSeconds: 20,
                        MaxAttempts: 5,
                        BackoffRate: 2,
                        MaxDelaySeconds: 300,
                        JitterStrategy: "FULL",
                    },
                ],
                Catch: CATCH_ALL,
                Next: "ReleaseProofSlot",
            });
        });

        it("RunProver never retries a proof that ran: no States.TaskFailed, States.Timeout or States.ALL retrier", () => {
            const retried = def.States.RunProver.Retry.flatMap((r) => r.ErrorEquals);
            for (const error of ["States.TaskFailed", "States.Timeout", "States.ALL"]) {
                assert.equal(retried.includes(error), false, error);
            }
        });

        it("Fargate Spot replaces the launch type with the FARGATE_SPOT capacity provider; private mode has no public IP", () => {
            const p = buildProverStateMachineDefinition(SPOT_PRIVATE_ARGS).States.RunProver.Parameters;
            assert.equal("LaunchType" in p, false);
            assert.deepEqual(p.CapacityProviderStrategy, [{ CapacityProvider: "FARGATE_SPOT", Weight: 1 }]);
            assert.deepEqual(p.NetworkConfiguration.AwsvpcConfiguration, { Subnets: ["subnet-0a1", "subnet-0b2"], SecurityGroups: ["sg-0c3"], AssignPublicIp: "DISABLED" });
            assert.equal("CapacityProviderStrategy" in def.States.RunProver.Parameters, false);
        });

        it("the three Finalize states send SPEC §4's events to the finalize Lambda and keep its answer at $.finalizeResult", () => {
            const finalize = (Payload: object) => ({
                Type: "Task",
                Resource: "arn:aws:states:::lambda:invoke",
                Parameters: { FunctionName: ARGS.finalizeCallbackFunctionArn, Payload },
                ResultSelector: { "Payload.$": "$.Payload" },
                ResultPath: "$.finalizeResult",
                Retry: FINALIZE_RETRIERS,
                End: true,
            });
            assert.deepEqual(
                withoutComment(def.States.FinalizeSucceeded),
                finalize({ status: "SUCCEEDED", "payload.$": "$.payload", "executionArn.$": "$$.Execution.Id", "proverResult.$": "$.proverResult" }),
            );
            assert.deepEqual(
                withoutComment(def.States.FinalizeSignatureFailed),
                finalize({
                    status: "FAILED",
                    "payload.$": "$.payload",
                    "executionArn.$": "$$.Execution.Id",
                    // The gate builds {Error, Cause} itself, naming what failed (signature, findings, scan).
                    "error.$": "$.signingStatus.Payload.error",
                }),
            );
            assert.deepEqual(
                withoutComment(def.States.FinalizeFailed),
                finalize({ status: "FAILED", "payload.$": "$.payload", "executionArn.$": "$$.Execution.Id", "error.$": "$.proverError" }),
            );
        });

        it("uses the partition in every integration ARN (aws-cn)", () => {
            const cn = buildProverStateMachineDefinition(CN_ARGS);
            const resources = Object.values(cn.States).flatMap((s) => (s.Type === "Task" ? [s.Resource] : []));
            assert.deepEqual(resources, [
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws-cn:states:::ecs:runTask.sync",
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws-cn:states:::dynamodb:updateItem",
                "arn:aws-cn:states:::dynamodb:updateItem",
                "arn:aws-cn:states:::dynamodb:updateItem",
                "arn:aws-cn:states:::dynamodb:updateItem",
            ]);
            assert.equal(cn.States.RunProver.Parameters.Cluster, CN_ARGS.clusterArn);
            assert.equal(cn.States.FinalizeFailed.Parameters.FunctionName, CN_ARGS.finalizeCallbackFunctionArn);
        });

        it("an empty proof prefix yields {sessionId}/{executionId}", () => {
            const env = buildProverStateMachineDefinition({ ...ARGS, proofPrefix: "" }).States.RunProver.Parameters.Overrides.ContainerOverrides[0].Environment;
            assert.deepEqual(env.slice(2, 3), [{ Name: "S3_PROOF_PREFIX", Value: "" }]);
            assert.deepEqual(env.slice(6), [{ Name: "OUTPUT_S3_PREFIX", "Value.$": "States.Format('{}/{}', $.payload.sessionId, $.payload.executionId)" }]);
        });

        it("the shared retry policies are copied into the document, never aliased", () => {
            const d = buildProverStateMachineDefinition(ARGS);
            d.States.RunProver.Retry[0].ErrorEquals.push("States.ALL");
            d.States.FinalizeFailed.Retry[1].ErrorEquals.pop();
            assert.deepEqual(RUN_PROVER_RETRY.ErrorEquals, ["AmazonECS.Unknown", "ECS.AmazonECSException", "ECS.ServerException"]);
            assert.deepEqual(LAMBDA_SERVICE_RETRY, LAMBDA_RETRIER);
            assert.deepEqual(FINALIZE_RETRY, FINALIZE_RETRIERS);
        });
    });

    describe("statesFormat", () => {
        it("escapes ' { } and \\ in literal parts and joins them with placeholders", () => {
            assert.equal(statesFormat(["a'b{c}d\\e/", "/", ""], "$.x", "$.y"), "States.Format('a\\'b\\{c\\}d\\\\e/{}/{}', $.x, $.y)");
        });

        it("rejects a placeholder count that does not match the paths", () => {
            assert.throws(() => statesFormat(["a", "b"]), /statesFormat: 2 literal parts need 1 paths, got 0/);
        });
    });

    describe("argument validation", () => {
        it("accepts the valid arguments", () => {
            assert.deepEqual(proverStateMachineArgsProblems(ARGS), []);
            assert.deepEqual(proverStateMachineArgsProblems(CN_ARGS), []);
        });

        it("reports every problem in one error", () => {
            assert.throws(
                () => buildProverStateMachineDefinition({ ...ARGS, imageDigest: "latest", subnetIds: [], securityGroupIds: ["sg-1", "sg-1"] }),
                (error: Error) => {
                    assert.equal(
                        error.message,
                        "Prover state machine: invalid arguments (3):\n" +
                            '  - subnetIds: needs 1 to 16 entries, got 0\n' +
                            "  - securityGroupIds: entries must be unique\n" +
                            '  - imageDigest: "latest" must be sha256:<64 lower-case hex> (signing status is per digest)',
                    );
                    return true;
                },
            );
        });

        const cases: [string, Partial<ProverStateMachineArgs>, string][] = [
            ["partition", { partition: "AWS" }, 'partition: "AWS" is not an AWS partition such as "aws" or "aws-cn"'],
            ["digest with upper-case hex", { imageDigest: `sha256:${"AB".repeat(32)}` }, `imageDigest: "sha256:${"AB".repeat(32)}" must be sha256:<64 lower-case hex> (signing status is per digest)`],
            ["a tag instead of a digest", { imageDigest: "sha256:latest" }, 'imageDigest: "sha256:latest" must be sha256:<64 lower-case hex> (signing status is per digest)'],
            [
                "a Lambda ARN of another partition",
                { partition: "aws-cn", clusterArn: CN_ARGS.clusterArn, taskDefinitionArn: CN_ARGS.taskDefinitionArn, finalizeCallbackFunctionArn: CN_ARGS.finalizeCallbackFunctionArn },
                `checkImageSignatureFunctionArn: "${ARGS.checkImageSignatureFunctionArn}" is not a Lambda function ARN in partition "aws-cn"`,
            ],
            [
                "a task definition without revision",
                { taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/prover" },
                'taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/prover" is not an ECS task definition ARN with a revision in partition "aws"',
            ],
            ["a cluster name instead of an ARN", { clusterArn: "prover" }, 'clusterArn: "prover" is not an ECS cluster ARN in partition "aws"'],
            ["too many security groups", { securityGroupIds: ["a", "b", "c", "d", "e", "f"] }, "securityGroupIds: needs 1 to 5 entries, got 6"],
            ["an empty subnet id", { subnetIds: [""] }, "subnetIds: entries must not be empty"],
            ["a repository name with upper case", { repositoryName: "Prover" }, 'repositoryName: "Prover" is not an ECR repository name'],
            ["an empty environment", { environment: "" }, "environment: must not be empty"],
            ["a bucket name with upper case", { proofBucketName: "Proofs" }, 'proofBucketName: "Proofs" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)'],
            ["a bucket name with a reserved suffix", { proofBucketName: "proofs-s3alias" }, 'proofBucketName: "proofs-s3alias" is not a valid S3 bucket name (the suffix "-s3alias" is reserved)'],
            ["a prefix without trailing slash", { proofPrefix: "sessions" }, 'proofPrefix: "sessions" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)'],
            ["a prefix with a leading slash", { proofPrefix: "/sessions/" }, 'proofPrefix: "/sessions/" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)'],
            ["a prefix with a States.Format brace", { proofPrefix: "a{b}/" }, 'proofPrefix: "a{b}/" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)'],
            ["a fractional timeout", { runProverTimeoutSeconds: 1.5 }, "runProverTimeoutSeconds: 1.5 must be a positive integer"],
            ["a zero timeout", { runProverTimeoutSeconds: 0 }, "runProverTimeoutSeconds: 0 must be a positive integer"],
        ];
        for (const [label, change, problem] of cases) {
            it(`rejects ${label}`, () => {
                assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, ...change }), [problem]);
            });
        }
    });
});

describe("prover state machine, executed locally", () => {
    // The semaphore states run against DynamoDB's protocol on 127.0.0.1 (dynalite), one server for the file.
    before(async () => {
        slotsDynamo = await startLocalDynamo();
        await createTable(slotsDynamo.client, ARGS.proofSlotsTableName, PROOF_SLOTS_TABLE_SCHEMA);
    });
    after(async () => slotsDynamo.stop());
    // Every test starts with all slots free.
    beforeEach(async () => {
        await slotsDynamo.client.send(new DeleteItemCommand({ TableName: ARGS.proofSlotsTableName, Key: { [PROOF_SLOTS_TABLE_SCHEMA.hashKey.name]: { S: PROOF_SLOT_ITEM.name } } }));
    });
    const def = buildProverStateMachineDefinition(ARGS);
    const run = (h: ProverTaskHandlers) => runProverStateMachine(def, INPUT, h);

    it("signed image, proof succeeds: RunProver gets the computed overrides, FinalizeSucceeded gets exactly SPEC §4's event", async () => {
        const signatureEvents: unknown[] = [];
        const requests: RunProverRequest[] = [];
        const r = await run(
            handlers({
                verifyImageSignature: (event) => (signatureEvents.push(event), SIGNED),
                runProver: (request) => (requests.push(request), TASK),
            }),
        );
        assert.equal(r.status, "SUCCEEDED");
        assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "FinalizeSucceeded"]);
        assert.deepEqual(signatureEvents, [GATE_PAYLOAD]);
        assert.deepEqual(r.taskCalls[0], {
            state: "VerifyImageSignature",
            parameters: { FunctionName: ARGS.checkImageSignatureFunctionArn, Payload: GATE_PAYLOAD },
        });
        assert.deepEqual(requests, [runTaskRequest({ Value: "sessions/session-1/exec-0001/input.json" }, { Value: "sessions/session-1/exec-0001" })]);
        assert.equal(requests[0].Overrides.ContainerOverrides[0].Environment[6].Value, executionPrefix("sessions/", "session-1", "exec-0001"));
        const succeeded: FinalizeEvent = { status: "SUCCEEDED", payload: INPUT.payload, executionArn: EXECUTION_ARN, proverResult: TASK };
        assert.deepEqual(r.finalizeCalls, [{ state: "FinalizeSucceeded", event: succeeded }]);
        assert.deepEqual(r.taskCalls[4], { state: "FinalizeSucceeded", parameters: { FunctionName: ARGS.finalizeCallbackFunctionArn, Payload: succeeded } });
        assert.deepEqual(r.output, {
            ...INPUT,
            signingStatus: { Payload: SIGNED },
            proverResult: TASK,
            finalizeResult: { Payload: FINALIZED },
        });
    });

    it("computes OUTPUT_S3_PREFIX from a nested prefix literal exactly", async () => {
        const requests: RunProverRequest[] = [];
        const nested = buildProverStateMachineDefinition({ ...ARGS, proofPrefix: "a.b/c_d-1/" });
        await runProverStateMachine(nested, INPUT, handlers({ runProver: (request) => (requests.push(request), TASK) }));
        assert.deepEqual(requests[0].Overrides.ContainerOverrides[0].Environment.slice(6), [{ Name: "OUTPUT_S3_PREFIX", Value: "a.b/c_d-1/session-1/exec-0001" }]);
    });

    it("refuses a prefix with States.Format escape characters (the config's rule; statesFormat escaping is the property test's)", () => {
        assert.throws(() => buildProverStateMachineDefinition({ ...ARGS, proofPrefix: "it's{x}/" }), /proofPrefix: "it's\{x\}\/" must be empty or end in "\/"/);
    });

    const refusals: [string, CheckImageSignatureResult][] = [
        ["ImageSignatureVerificationFailed", denied("ImageSignatureVerificationFailed", "Prover image x: signing status FAILED for 1 of 1 signing profile(s): p: FAILED")],
        ["ImageScanFindingsRefused", denied("ImageScanFindingsRefused", "Prover image x: scan findings CRITICAL=1, HIGH=0; CRITICAL findings always refuse the image")],
        ["ImageScanIncomplete", denied("ImageScanIncomplete", "Prover image x: scan status FAILED; only a scanned image may run")],
    ];
    for (const [name, answer] of refusals) {
        it(`gate DENY (${name}): FinalizeSignatureFailed reports the gate's own {Error, Cause}, the prover never runs`, async () => {
            let proverRuns = 0;
            const r = await run(handlers({ verifyImageSignature: () => answer, runProver: () => ((proverRuns += 1), TASK) }));
            assert.equal(r.status, "SUCCEEDED");
            assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "FinalizeSignatureFailed"]);
            assert.equal(proverRuns, 0);
            assert.deepEqual(r.finalizeCalls, [
                { state: "FinalizeSignatureFailed", event: { status: "FAILED", payload: INPUT.payload, executionArn: EXECUTION_ARN, error: answer.error! } },
            ]);
        });
    }

    it("an unknown verdict is refused (Choice default), never run", async () => {
        const r = await run(handlers({ verifyImageSignature: () => ({ ...denied("ImageSignatureVerificationFailed", "odd"), verdict: "MAYBE" as never }) }));
        assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "FinalizeSignatureFailed"]);
    });

    it("PENDING twice, then ALLOW: the gate rechecks after each wait with the count of checks so far, then the prover runs", async () => {
        const events: CheckImageSignatureInput[] = [];
        const gate = pendingThen(2, SIGNED);
        const r = await run(handlers({ verifyImageSignature: (event) => (events.push(event), gate(event)) }));
        assert.deepEqual(r.path, [
            "VerifyImageSignature",
            "CheckImageSignature",
            "WaitForImageGate",
            "RecheckImageSignature",
            "CheckImageSignature",
            "WaitForImageGate",
            "RecheckImageSignature",
            "CheckImageSignature",
            "AcquireProofSlot",
            "RunProver",
            "ReleaseProofSlot",
            "FinalizeSucceeded",
        ]);
        assert.deepEqual(events, [GATE_PAYLOAD, { ...GATE_PAYLOAD, previousChecks: 1 }, { ...GATE_PAYLOAD, previousChecks: 2 }]);
        assert.deepEqual((r.output as { signingStatus: unknown }).signingStatus, { Payload: { ...SIGNED, checks: 3 } });
    });

    it("PENDING until the Lambda refuses at its bound: 1 + 20 checks, then FinalizeSignatureFailed", async () => {
        const refusal = denied("ImageSignatureVerificationFailed", "Prover image x: signing status still IN_PROGRESS after 21 checks over 300 s");
        const r = await run(handlers({ verifyImageSignature: pendingThen(IMAGE_GATE.maxRechecks, refusal) }));
        assert.equal(r.taskCalls.filter((c) => c.state === "VerifyImageSignature").length, 1);
        assert.equal(r.taskCalls.filter((c) => c.state === "RecheckImageSignature").length, 20);
        assert.equal(r.path.filter((state) => state === "WaitForImageGate").length, 20);
        assert.deepEqual(r.path.slice(-2), ["CheckImageSignature", "FinalizeSignatureFailed"]);
        assert.deepEqual((r.finalizeCalls[0].event as { error?: unknown }).error, refusal.error);
    });

    for (const error of ["States.TaskFailed", "States.Timeout"]) {
        it(`RunProver failing with ${error} runs once and FinalizeFailed gets the caught {Error, Cause}`, async () => {
            let proverRuns = 0;
            const cause = JSON.stringify({ StopCode: "EssentialContainerExited", Containers: [{ ExitCode: 3 }] });
            const r = await run(
                handlers({
                    runProver: () => {
                        proverRuns += 1;
                        throw named(error, cause);
                    },
                }),
            );
            assert.equal(proverRuns, 1, "a proof that ran is never retried");
            assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
            const failed: FinalizeEvent = { status: "FAILED", payload: INPUT.payload, executionArn: EXECUTION_ARN, error: { Error: error, Cause: cause } };
            assert.deepEqual(r.finalizeCalls, [{ state: "FinalizeFailed", event: failed }]);
            assert.deepEqual(r.output, {
                ...INPUT,
                signingStatus: { Payload: SIGNED },
                proverError: { Error: error, Cause: cause },
                finalizeResult: { Payload: FINALIZED },
            });
        });
    }

    it("RunProver retries a capacity shortage (ECS.AmazonECSException) and then succeeds", async () => {
        let attempts = 0;
        const r = await run(
            handlers({
                runProver: failing(2, () => named("ECS.AmazonECSException", "Capacity is unavailable at this time."), () => ((attempts += 1), TASK)),
            }),
        );
        assert.equal(attempts, 1);
        assert.deepEqual(
            r.taskCalls.map((c) => c.state),
            ["VerifyImageSignature", "AcquireProofSlot", "RunProver", "RunProver", "RunProver", "ReleaseProofSlot", "FinalizeSucceeded"],
        );
        assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "FinalizeSucceeded"]);
    });

    it("RunProver retries AmazonECS.Unknown (RunTask answered with failures: no Fargate capacity) like the other capacity errors", async () => {
        let attempts = 0;
        const failures = JSON.stringify({ Failures: [{ Arn: ARGS.clusterArn, Reason: "Capacity is unavailable at this time." }], Tasks: [] });
        const r = await run(handlers({ runProver: failing(5, () => named("AmazonECS.Unknown", failures), () => ((attempts += 1), TASK)) }));
        assert.equal(attempts, 1);
        assert.equal(r.taskCalls.filter((c) => c.state === "RunProver").length, 6, "1 + 5 attempts, the retrier's bound");
        assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "FinalizeSucceeded"]);
    });

    it("RunProver gives up after 1 + 5 attempts of ECS.ServerException and reports it through FinalizeFailed", async () => {
        const r = await run(handlers({ runProver: failing(Infinity, () => named("ECS.ServerException", "Internal error"), () => TASK) }));
        assert.equal(r.taskCalls.filter((c) => c.state === "RunProver").length, 6);
        assert.deepEqual(r.finalizeCalls.map((c) => [c.state, (c.event as { error?: unknown }).error]), [
            ["FinalizeFailed", { Error: "ECS.ServerException", Cause: "Internal error" }],
        ]);
    });

    it("the signature Lambda's own error is not retried and reaches FinalizeFailed as a Lambda function error", async () => {
        const r = await run(handlers({ verifyImageSignature: () => parseCheckImageSignatureInput({}) as never }));
        assert.deepEqual(r.path, ["VerifyImageSignature", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
        assert.equal(r.taskCalls.filter((c) => c.state === "VerifyImageSignature").length, 1);
        const error = r.finalizeCalls[0].event.status === "FAILED" ? r.finalizeCalls[0].event.error : undefined;
        error!.Cause = withoutTrace(error!.Cause!);
        assert.deepEqual(r.finalizeCalls, [
            {
                state: "FinalizeFailed",
                event: {
                    status: "FAILED",
                    payload: INPUT.payload,
                    executionArn: EXECUTION_ARN,
                    error: {
                        Error: "InvalidInput",
                        Cause: JSON.stringify({
                            errorType: "InvalidInput",
                            errorMessage:
                                "invalid check-image-signature input: registryId must be a non-empty string; repositoryName must be a non-empty string; imageDigest must be a non-empty string; allowHighScanFindings must be a boolean",
                        }),
                    },
                },
            },
        ]);
    });

    it("a transient Lambda service error on the signature check is retried", async () => {
        const r = await run(handlers({ verifyImageSignature: failing(1, () => named("Lambda.TooManyRequestsException", "Rate exceeded"), () => SIGNED) }));
        assert.deepEqual(r.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "FinalizeSucceeded"]);
        assert.equal(r.taskCalls.filter((c) => c.state === "VerifyImageSignature").length, 2);
    });

    it("a persistent Lambda service error on the signature check ends in FinalizeFailed after 1 + 3 attempts", async () => {
        const r = await run(handlers({ verifyImageSignature: failing(Infinity, () => named("Lambda.ServiceException", "Service unavailable"), () => SIGNED) }));
        assert.equal(r.taskCalls.filter((c) => c.state === "VerifyImageSignature").length, 4);
        assert.deepEqual(r.path, ["VerifyImageSignature", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
        assert.deepEqual((r.finalizeCalls[0].event as { error?: unknown }).error, { Error: "Lambda.ServiceException", Cause: "Service unavailable" });
    });

    describe("finalize retries", () => {
        it("retries a finalize failure (a concurrent writer) and succeeds on a later attempt", async () => {
            const r = await run(handlers({ finalize: failing(2, () => new Error("session session-1 changed during finalize; status is running"), () => FINALIZED) }));
            assert.equal(r.status, "SUCCEEDED");
            assert.equal(r.finalizeCalls.length, 3);
            assert.deepEqual((r.output as { finalizeResult: unknown }).finalizeResult, { Payload: FINALIZED });
        });

        it("never retries InvalidInput: the execution fails at once", async () => {
            const r = await run(handlers({ finalize: failing(Infinity, () => named("InvalidInput", "invalid finalize event: payload must be an object"), () => FINALIZED) }));
            assert.equal(r.status, "FAILED");
            assert.equal(r.finalizeCalls.length, 1);
            assert.deepEqual(
                { ...r.error, Cause: withoutTrace(r.error!.Cause as string) },
                {
                    Error: "InvalidInput",
                    Cause: JSON.stringify({ errorType: "InvalidInput", errorMessage: "invalid finalize event: payload must be an object" }),
                },
            );
        });

        it("gives up after 1 + 5 attempts of a persistent error and fails the execution", async () => {
            const r = await run(handlers({ finalize: failing(Infinity, () => named("ProvisionedThroughputExceededException", "throttled"), () => FINALIZED) }));
            assert.equal(r.status, "FAILED");
            assert.equal(r.finalizeCalls.length, 6);
            assert.equal(r.error?.Error, "ProvisionedThroughputExceededException");
        });

        it("retries Lambda service errors with their own budget before the catch-all", async () => {
            const r = await run(handlers({ finalize: failing(3, () => named("Lambda.SdkClientException", "connection reset"), () => FINALIZED) }));
            assert.equal(r.status, "SUCCEEDED");
            assert.equal(r.finalizeCalls.length, 4);
        });
    });

    it("every event it sends passes the finalize callback's own parser", async () => {
        const runs = [
            handlers(),
            handlers({ verifyImageSignature: () => denied("ImageSignatureVerificationFailed", "Prover image x: ECR reports no signing status") }),
            handlers({ runProver: () => { throw named("States.TaskFailed", "{}"); } }),
        ];
        const finalStates: string[] = [];
        for (const h of runs) {
            const r = await run({ ...h, finalize: (event) => parseFinalizeEvent(event) });
            assert.equal(r.status, "SUCCEEDED");
            assert.deepEqual((r.output as { finalizeResult: unknown }).finalizeResult, { Payload: r.finalizeCalls[0].event });
            finalStates.push(r.path[r.path.length - 1]);
        }
        assert.deepEqual(finalStates, ["FinalizeSucceeded", "FinalizeSignatureFailed", "FinalizeFailed"]);
    });

    it("refuses a definition with a Task state it has no local handler for", async () => {
        const extra = structuredClone(def) as StateMachineDefinition & { States: Record<string, unknown> };
        extra.States.Extra = { ...def.States.FinalizeFailed };
        await assert.rejects(runProverStateMachine(extra, INPUT, handlers()), /no local handler for Task state\(s\) Extra/);
    });
});
