import { PROOF_SLOTS_TABLE_SCHEMA } from "../../lambdas/shared/proofSlots";
import { type LocalDynamo, createTable, startLocalDynamo } from "../../local/servers";
import assert from "node:assert/strict";
import { buildProverStateMachineDefinition, proverStateMachineArgsProblems } from "../../builders/proverStateMachine";
import { BASE, SERVICE_RETRY, STOPPED_TASK, VERIFIER_ARN, VERIFYING_ARGS, VERIFY_CATCH } from "./support/verifyingArgs";
import { parseFinalizeEvent } from "../../lambdas/finalize-callback/finalizeEvent";
import type { ExecutionInput, VerifyProofResult } from "../../lambdas/shared/contracts";
import { type ProverTaskHandlers, aslValidationErrors, localExecutionArn, runProverStateMachine } from "../../local/stateMachine";

const ARGS = VERIFYING_ARGS;
const INPUT: ExecutionInput = {
    payload: { sessionId: "session-1", executionId: "exec-0001", inputS3Key: "sessions/session-1/exec-0001/input.json", queuedAt: "2026-03-01T10:00:00.000Z" },
    messageId: "msg-1",
    receivedAt: "2026-03-01T10:00:01.000Z",
};
const IMAGE_ID = "5a".repeat(32);
const verdict = (status: VerifyProofResult["status"]): VerifyProofResult => ({
    status,
    bundleKey: "sessions/session-1/exec-0001/bundle.zip",
    reportKey: "sessions/session-1/exec-0001/verification.json",
    expectedImageId: IMAGE_ID,
});
const TASK = STOPPED_TASK;
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

function handlers(verify: () => VerifyProofResult, calls: { verify: unknown[] }): ProverTaskHandlers {
    return {
        verifyImageSignature: () => ({ verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: [], scan: { status: "COMPLETE", findingSeverityCounts: {} } }),
        runProver: () => TASK,
        finalize: () => ({ ok: true }),
        get dynamodb() {
            return slotsDynamo.client;
        },
        verifyProof: (event, functionName) => {
            calls.verify.push({ event, functionName });
            return verify();
        },
    };
}

// The slot states run against DynamoDB's protocol on 127.0.0.1 (dynalite).
let slotsDynamo: LocalDynamo;

describe("prover state machine: VerifyProof (verifier configured)", () => {
    before(async () => {
        slotsDynamo = await startLocalDynamo();
        await createTable(slotsDynamo.client, BASE.proofSlotsTableName, PROOF_SLOTS_TABLE_SCHEMA);
    });
    after(async () => slotsDynamo.stop());

    it("without a verifier the definition has no verification states and RunProver goes straight to FinalizeSucceeded", () => {
        const d = buildProverStateMachineDefinition(BASE);
        assert.equal(d.States.RunProver.Next, "ReleaseProofSlot");
        assert.equal(d.States.ReleaseProofSlot.Next, "FinalizeSucceeded");
        assert.deepEqual(Object.keys(d.States), [
            "VerifyImageSignature", "CheckImageSignature", "WaitForImageGate", "RecheckImageSignature", "RunProver", "FinalizeSucceeded", "FinalizeSignatureFailed", "FinalizeFailed",
            "AcquireProofSlot", "CheckProofSlotHeld", "WaitForProofSlot", "ReleaseProofSlot", "ReleaseProofSlotAfterFailure",
        ]);
        assert.equal("verification.$" in d.States.FinalizeSucceeded.Parameters.Payload, false);
    });

    it("passes asl-validator with JSONPath and ARN checks", () => {
        assert.deepEqual(aslValidationErrors(buildProverStateMachineDefinition(ARGS)), []);
    });

    it("VerifyProof sits between RunProver and FinalizeSucceeded, gets only the two ids, retries service errors and crashes", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.equal(d.States.RunProver.Next, "ReleaseProofSlot");
        assert.equal(d.States.ReleaseProofSlot.Next, "VerifyProof", "the slot is given back before verifying");
        assert.deepEqual(d.States.VerifyProof, {
            Type: "Task",
            Comment: "Verify the published bundle's receipt against the recorded zkVM image id; write verification.json beside it.",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: VERIFIER_ARN, Payload: { "sessionId.$": "$.payload.sessionId", "executionId.$": "$.payload.executionId" } },
            ResultSelector: { "Payload.$": "$.Payload" },
            ResultPath: "$.verification",
            Retry: [SERVICE_RETRY, { ErrorEquals: ["VerifierCrashed"], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: "FULL" }],
            Catch: VERIFY_CATCH,
            Next: "CheckProofVerification",
        });
        assert.deepEqual(d.States.CheckProofVerification, {
            Type: "Choice",
            Comment: "Only a success verdict lets the proof count; failed and dev_mode reject it; any other answer is a runner failure.",
            Choices: [
                { Variable: "$.verification.Payload.status", StringEquals: "success", Next: "FinalizeSucceeded" },
                {
                    Or: [
                        { Variable: "$.verification.Payload.status", StringEquals: "failed" },
                        { Variable: "$.verification.Payload.status", StringEquals: "dev_mode" },
                    ],
                    Next: "RecordVerificationRejection",
                },
            ],
            Default: "RecordVerifierRunnerFailure",
        });
        assert.deepEqual(d.States.RecordVerificationRejection, {
            Type: "Pass",
            Comment: "The verdict rejects the proof: name it.",
            Parameters: {
                Error: "ProofVerificationFailed",
                "Cause.$":
                    "States.Format('Proof verification reported {} (expected zkVM image id {}); report at {}', $.verification.Payload.status, $.verification.Payload.expectedImageId, $.verification.Payload.reportKey)",
            },
            ResultPath: "$.verificationError",
            Next: "FinalizeVerificationFailed",
        });
        assert.deepEqual(d.States.RecordVerifierRunnerFailure, {
            Type: "Pass",
            Comment: "The runner answered without a verdict (or without publishing its report): keep its answer.",
            Parameters: { Error: "VerifierRunnerFailed", "Cause.$": "States.JsonToString($.verification.Payload)" },
            ResultPath: "$.verificationError",
            Next: "FinalizeVerificationFailed",
        });
        assert.deepEqual(d.States.FinalizeVerificationFailed?.Parameters.Payload, {
            status: "FAILED",
            "payload.$": "$.payload",
            "executionArn.$": "$$.Execution.Id",
            "error.$": "$.verificationError",
        });
        assert.equal(d.States.FinalizeVerificationFailed?.Next, "ProofNotVerified");
        assert.equal(d.States.FinalizeVerificationFailed?.End, undefined);
        assert.deepEqual(d.States.ProofNotVerified, {
            Type: "Fail",
            Comment: "The session is failed; the execution fails too, with the same error, so ExecutionsFailed alarms.",
            ErrorPath: "$.verificationError.Error",
            CausePath: "$.verificationError.Cause",
        });
        assert.deepEqual(d.States.FinalizeSucceeded.Parameters.Payload, {
            status: "SUCCEEDED",
            "payload.$": "$.payload",
            "executionArn.$": "$$.Execution.Id",
            "proverResult.$": "$.proverResult",
            "verification.$": "$.verification.Payload",
        });
    });

    it("rejects a verifier ARN that is not a Lambda function ARN", () => {
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifyProofFunctionArn: "arn:aws:s3:::bucket" }), [
            'verifyProofFunctionArn: "arn:aws:s3:::bucket" is not a Lambda function ARN in partition "aws"',
        ]);
    });

    describe("executed locally", () => {
        const run = (verify: () => VerifyProofResult) => {
            const calls = { verify: [] as unknown[] };
            return runProverStateMachine(buildProverStateMachineDefinition(ARGS), INPUT, handlers(verify, calls)).then((execution) => ({ execution, calls }));
        };

        it("success: FinalizeSucceeded receives the verifier's answer with the report key", async () => {
            const { execution, calls } = await run(() => verdict("success"));
            assert.equal(execution.status, "SUCCEEDED");
            assert.deepEqual(execution.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "VerifyProof", "CheckProofVerification", "FinalizeSucceeded"]);
            assert.deepEqual(calls.verify, [{ event: { sessionId: "session-1", executionId: "exec-0001" }, functionName: VERIFIER_ARN }]);
            const [{ event }] = execution.finalizeCalls;
            assert.deepEqual(event, {
                status: "SUCCEEDED",
                payload: INPUT.payload,
                executionArn: localExecutionArn("exec-0001"),
                proverResult: TASK,
                verification: verdict("success"),
            });
            assert.deepEqual(parseFinalizeEvent(event), event);
        });

        for (const status of ["failed", "dev_mode"] as const) {
            it(`${status}: the session fails with ProofVerificationFailed naming the verdict, image id and report, and so does the execution`, async () => {
                const { execution } = await run(() => verdict(status));
                const cause = `Proof verification reported ${status} (expected zkVM image id ${IMAGE_ID}); report at sessions/session-1/exec-0001/verification.json`;
                assert.equal(execution.status, "FAILED");
                assert.deepEqual(execution.error, { Error: "ProofVerificationFailed", Cause: cause });
                assert.deepEqual(execution.path.slice(-4), ["CheckProofVerification", "RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
                const [{ state, event }] = execution.finalizeCalls;
                assert.equal(state, "FinalizeVerificationFailed");
                assert.deepEqual(event, {
                    status: "FAILED",
                    payload: INPUT.payload,
                    executionArn: localExecutionArn("exec-0001"),
                    error: { Error: "ProofVerificationFailed", Cause: cause },
                });
                assert.deepEqual(parseFinalizeEvent(event), event);
            });
        }

        it("an answer that is no verdict fails the session and the execution with VerifierRunnerFailed, the answer as the cause", async () => {
            const answer = { ...verdict("success"), status: "maybe" } as unknown as VerifyProofResult;
            const { execution } = await run(() => answer);
            assert.equal(execution.status, "FAILED");
            assert.deepEqual(execution.path.slice(-4), ["CheckProofVerification", "RecordVerifierRunnerFailure", "FinalizeVerificationFailed", "ProofNotVerified"]);
            assert.deepEqual(execution.error, { Error: "VerifierRunnerFailed", Cause: JSON.stringify(answer) });
            assert.deepEqual(execution.finalizeCalls[0].event, { status: "FAILED", payload: INPUT.payload, executionArn: localExecutionArn("exec-0001"), error: { Error: "VerifierRunnerFailed", Cause: JSON.stringify(answer) } });
        });

        it("a verifier crash is retried, and a later verdict counts", async () => {
            let attempt = 0;
            const { execution, calls } = await run(() => {
                attempt += 1;
                if (attempt < 3) throw named("VerifierCrashed", "verifier exited 1");
                return verdict("success");
            });
            assert.equal(calls.verify.length, 3);
            assert.equal(execution.finalizeCalls[0].state, "FinalizeSucceeded");
        });

        it("a persistent crash ends in FinalizeFailed after 1 + 2 attempts, with the crash as the error", async () => {
            const { execution, calls } = await run(() => {
                throw named("VerifierCrashed", "verifier exited 1");
            });
            assert.equal(calls.verify.length, 3);
            const [{ state, event }] = execution.finalizeCalls;
            assert.equal(state, "FinalizeFailed");
            assert.equal(event.status === "FAILED" && event.error.Error, "VerifierCrashed");
        });

        it("a Lambda service error is retried with the service budget (1 + 3) before FinalizeFailed", async () => {
            const { execution, calls } = await run(() => {
                throw named("Lambda.ServiceException", "service unavailable");
            });
            assert.equal(calls.verify.length, 4);
            assert.equal(execution.finalizeCalls[0].state, "FinalizeFailed");
        });

        it("an unsafe bundle is not retried: FinalizeFailed at once with UnsafeBundle", async () => {
            const { execution, calls } = await run(() => {
                throw named("UnsafeBundle", "bundle.zip entry \"x\" is a symlink; only files and directories are allowed");
            });
            assert.equal(calls.verify.length, 1);
            const [{ state, event }] = execution.finalizeCalls;
            assert.equal(state, "FinalizeFailed");
            assert.equal(event.status === "FAILED" && event.error.Error, "UnsafeBundle");
        });
    });
});
