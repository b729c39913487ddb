/**
 * The two verifier contracts (builders/verifierContract.ts): the application's verifier-service-runner
 * build gets its own event and its answer is read its own way; the choice is made once, from config.
 */
import assert from "node:assert/strict";
import {
    type ProverStateMachineArgs,
    buildProverStateMachineDefinition,
    executionKeyFormat,
    proverStateMachineArgsProblems,
    statesFormat,
} from "../../builders/proverStateMachine";
import { verifierContractChoice } from "../../builders/verifierContract";
import { parseFinalizeEvent } from "../../lambdas/finalize-callback/finalizeEvent";
import { PROOF_SLOTS_TABLE_SCHEMA } from "../../lambdas/shared/proofSlots";
import { bundleObjectKey, executionPrefix, type ExecutionInput, verificationReportKey } from "../../lambdas/shared/contracts";
import { type LocalDynamo, createTable, startLocalDynamo } from "../../local/servers";
import { type ProverTaskHandlers, aslValidationErrors, localExecutionArn, runProverStateMachine } from "../../local/stateMachine";
import { SERVICE_RETRY, STOPPED_TASK, VERIFIER_ARN, VERIFYING_ARGS, VERIFY_CATCH } from "./support/verifyingArgs";

const IMAGE_ID = "5a".repeat(32);
const SESSION_ID = "0b9d6a1e-3c1f-4a59-9d7e-2f8c5b7a1e44";
const ARGS: ProverStateMachineArgs = { ...VERIFYING_ARGS, verifierContract: { kind: "application", expectedImageId: IMAGE_ID } };
const INPUT: ExecutionInput = {
    payload: { sessionId: SESSION_ID, executionId: "exec-0001", inputS3Key: `sessions/${SESSION_ID}/exec-0001/input.json`, queuedAt: "2026-03-01T10:00:00.000Z" },
    messageId: "msg-1",
    receivedAt: "2026-03-01T10:00:01.000Z",
};
const BUNDLE_KEY = `sessions/${SESSION_ID}/exec-0001/bundle.zip`;
const REPORT_KEY = `sessions/${SESSION_ID}/exec-0001/verification.json`;
const BUILD = { path: "app-build", handler: "amplify/functions/verifier-service-runner/handler.handler" };
const TASK = STOPPED_TASK;

/** The application's answer when the binary ran (its VerifierServiceRunnerSuccess). */
const ranAnswer = (verifierStatus: string, s3: Record<string, string> | undefined = { bundleKey: BUNDLE_KEY, reportKey: REPORT_KEY }) => ({
    status: "success",
    sessionId: SESSION_ID,
    executionId: "exec-0001",
    verifierStatus,
    verificationReport: { status: verifierStatus, expected_image_id: `0x${IMAGE_ID}` },
    ...(s3 === undefined ? {} : { s3 }),
});

describe("executionKeyFormat: object keys as States.Format, from the one layout in contracts.ts", () => {
    it("the prover's OUTPUT_S3_PREFIX, the bundle and the report key", () => {
        assert.equal(executionKeyFormat(executionPrefix, "sessions/"), "States.Format('sessions/{}/{}', $.payload.sessionId, $.payload.executionId)");
        assert.equal(executionKeyFormat(bundleObjectKey, "sessions/"), "States.Format('sessions/{}/{}/bundle.zip', $.payload.sessionId, $.payload.executionId)");
        assert.equal(executionKeyFormat(verificationReportKey, ""), "States.Format('{}/{}/verification.json', $.payload.sessionId, $.payload.executionId)");
        // A prefix with characters States.Format reserves is escaped, as statesFormat does.
        assert.equal(executionKeyFormat(bundleObjectKey, "a{b}/"), statesFormat(["a{b}/", "/", "/bundle.zip"], "$.payload.sessionId", "$.payload.executionId"));
    });

    it("refuses a key function that does not place each id exactly once, in order", () => {
        const rule = /executionKeyFormat: the key must hold the session id once and then the execution id once/;
        assert.throws(() => executionKeyFormat((p, s) => `${p}${s}/x`, "p/"), rule);
        assert.throws(() => executionKeyFormat((p, s, e) => `${p}${e}/${s}`, "p/"), rule);
        assert.throws(() => executionKeyFormat((p, s, e) => `${p}${s}/${e}/${e}`, "p/"), rule);
    });
});

describe("verifierContractChoice: chosen once, from config", () => {
    const table: [string, Parameters<typeof verifierContractChoice>[0], ReturnType<typeof verifierContractChoice>][] = [
        ["no verifier: no step", {}, undefined],
        ["no verifier, even with other application builds", { applicationBuilds: { api: BUILD } }, undefined],
        ["a verifier: the reference handler", { verifier: { imageId: IMAGE_ID } }, { kind: "reference" }],
        ["a verifier and other application builds: still the reference handler", { verifier: { imageId: IMAGE_ID }, applicationBuilds: { api: BUILD } }, { kind: "reference" }],
        ["applicationBuilds.verifierRunner: the application's contract, with the config's image id", { verifier: { imageId: IMAGE_ID }, applicationBuilds: { verifierRunner: BUILD } }, { kind: "application", expectedImageId: IMAGE_ID }],
    ];
    for (const [what, settings, expected] of table) {
        it(what, () => assert.deepEqual(verifierContractChoice(settings), expected));
    }
});

let slotsDynamo: LocalDynamo;

describe("prover state machine: VerifyProof with the application's verifier-service-runner", () => {
    before(async () => {
        slotsDynamo = await startLocalDynamo();
        await createTable(slotsDynamo.client, ARGS.proofSlotsTableName, PROOF_SLOTS_TABLE_SCHEMA);
    });
    after(async () => slotsDynamo.stop());

    it("passes asl-validator with JSONPath and ARN checks", () => {
        assert.deepEqual(aslValidationErrors(buildProverStateMachineDefinition(ARGS)), []);
    });

    it("VerifyProof sends the application's s3_bundle event: the prover's bundle key and the config's image id", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.equal(d.States.ReleaseProofSlot.Next, "VerifyProof");
        assert.deepEqual(d.States.VerifyProof, {
            Type: "Task",
            Comment: "The application's verifier-service-runner: verify the published bundle against the stack's zkVM image id; it publishes verification.json beside it.",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: {
                FunctionName: VERIFIER_ARN,
                Payload: {
                    mode: "s3_bundle",
                    "sessionId.$": "$.payload.sessionId",
                    "executionId.$": "$.payload.executionId",
                    "bundleKey.$": "States.Format('sessions/{}/{}/bundle.zip', $.payload.sessionId, $.payload.executionId)",
                    expectedImageId: IMAGE_ID,
                },
            },
            ResultSelector: { "Payload.$": "$.Payload" },
            ResultPath: "$.verification",
            // The application's runner never throws VerifierCrashed: only the Lambda service's errors are retried.
            Retry: [SERVICE_RETRY],
            Catch: VERIFY_CATCH,
            Next: "CheckProofVerification",
        });
    });

    it("the Choice reads verifierStatus and needs the published report; the finalize states get the callback's shape", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.deepEqual(d.States.CheckProofVerification, {
            Type: "Choice",
            Comment: "Only a success verdict lets the proof count; failed and dev_mode reject it; any other answer is a runner failure.",
            Choices: [
                {
                    And: [
                        { Variable: "$.verification.Payload.status", StringEquals: "success" },
                        { Variable: "$.verification.Payload.verifierStatus", StringEquals: "success" },
                        { Variable: "$.verification.Payload.s3.reportKey", IsPresent: true },
                    ],
                    Next: "FinalizeSucceeded",
                },
                {
                    And: [
                        { Variable: "$.verification.Payload.status", StringEquals: "success" },
                        {
                            Or: [
                                { Variable: "$.verification.Payload.verifierStatus", StringEquals: "failed" },
                                { Variable: "$.verification.Payload.verifierStatus", StringEquals: "dev_mode" },
                            ],
                        },
                    ],
                    Next: "RecordVerificationRejection",
                },
            ],
            Default: "RecordVerifierRunnerFailure",
        });
        assert.deepEqual(d.States.FinalizeSucceeded.Parameters.Payload, {
            status: "SUCCEEDED",
            "payload.$": "$.payload",
            "executionArn.$": "$$.Execution.Id",
            "proverResult.$": "$.proverResult",
            verification: {
                "status.$": "$.verification.Payload.verifierStatus",
                "bundleKey.$": "States.Format('sessions/{}/{}/bundle.zip', $.payload.sessionId, $.payload.executionId)",
                "reportKey.$": "$.verification.Payload.s3.reportKey",
                expectedImageId: IMAGE_ID,
            },
        });
        assert.deepEqual(d.States.RecordVerificationRejection?.Parameters, {
            Error: "ProofVerificationFailed",
            "Cause.$": `States.Format('Proof verification reported {} (expected zkVM image id ${IMAGE_ID})', $.verification.Payload.verifierStatus)`,
        });
        assert.deepEqual(d.States.RecordVerifierRunnerFailure?.Parameters, { Error: "VerifierRunnerFailed", "Cause.$": "States.JsonToString($.verification.Payload)" });
        assert.equal(d.States.FinalizeVerificationFailed?.Next, "ProofNotVerified");
    });

    it("validation names the argument and the rule", () => {
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifyProofFunctionArn: undefined }), ['verifierContract: "application" needs verifyProofFunctionArn (the verification step)']);
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifierContract: { kind: "application", expectedImageId: `0x${IMAGE_ID}` } }), [
            `verifierContract.expectedImageId: "0x${IMAGE_ID}" must be 64 lower-case hex digits without 0x`,
        ]);
        assert.throws(() => buildProverStateMachineDefinition({ ...ARGS, verifierContract: { kind: "application", expectedImageId: "AB" } }), /verifierContract\.expectedImageId: "AB"/);
    });

    describe("executed locally", () => {
        const run = async (answer: () => unknown) => {
            const calls: unknown[] = [];
            const handlers: ProverTaskHandlers = {
                verifyImageSignature: () => ({ verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: [], scan: { status: "COMPLETE", findingSeverityCounts: {} } }),
                runProver: () => TASK,
                finalize: () => ({ ok: true }),
                dynamodb: slotsDynamo.client,
                verifyProof: (event, functionName) => {
                    calls.push({ event, functionName });
                    return answer();
                },
            };
            const execution = await runProverStateMachine(buildProverStateMachineDefinition(ARGS), INPUT, handlers);
            return { execution, calls };
        };

        it("success with the report published: FinalizeSucceeded gets the callback's verification shape, the execution succeeds", async () => {
            const { execution, calls } = await run(() => ranAnswer("success"));
            assert.equal(execution.status, "SUCCEEDED");
            assert.deepEqual(calls, [
                { event: { mode: "s3_bundle", sessionId: SESSION_ID, executionId: "exec-0001", bundleKey: BUNDLE_KEY, expectedImageId: IMAGE_ID }, functionName: VERIFIER_ARN },
            ]);
            const [{ state, event }] = execution.finalizeCalls;
            assert.equal(state, "FinalizeSucceeded");
            assert.deepEqual(event, {
                status: "SUCCEEDED",
                payload: INPUT.payload,
                executionArn: localExecutionArn("exec-0001"),
                proverResult: TASK,
                verification: { status: "success", bundleKey: BUNDLE_KEY, reportKey: REPORT_KEY, expectedImageId: IMAGE_ID },
            });
            assert.deepEqual(parseFinalizeEvent(event), event);
        });

        for (const verdict of ["failed", "dev_mode"]) {
            it(`${verdict}: the session and the execution fail with ProofVerificationFailed naming the verdict`, async () => {
                const { execution } = await run(() => ranAnswer(verdict));
                const error = { Error: "ProofVerificationFailed", Cause: `Proof verification reported ${verdict} (expected zkVM image id ${IMAGE_ID})` };
                assert.equal(execution.status, "FAILED");
                assert.deepEqual(execution.error, error);
                assert.deepEqual(execution.path.slice(-5), ["VerifyProof", "CheckProofVerification", "RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
                assert.deepEqual(execution.finalizeCalls.map((c) => [c.state, c.event]), [
                    ["FinalizeVerificationFailed", { status: "FAILED", payload: INPUT.payload, executionArn: localExecutionArn("exec-0001"), error }],
                ]);
            });
        }

        const runnerFailures: [string, unknown][] = [
            ["the runner's error answer (a crash inside it)", { status: "error", message: "verifier-service execution failed", details: "verifier panicked" }],
            ["a success verdict whose report was not published", ranAnswer("success", {})],
            ["a verdict the contract does not know", ranAnswer("maybe")],
        ];
        for (const [what, answer] of runnerFailures) {
            it(`${what}: VerifierRunnerFailed with the whole answer as the cause, not retried`, async () => {
                const { execution, calls } = await run(() => answer);
                assert.equal(calls.length, 1);
                const error = { Error: "VerifierRunnerFailed", Cause: JSON.stringify(answer) };
                assert.equal(execution.status, "FAILED");
                assert.deepEqual(execution.error, error);
                assert.deepEqual(execution.path.slice(-4), ["CheckProofVerification", "RecordVerifierRunnerFailure", "FinalizeVerificationFailed", "ProofNotVerified"]);
                assert.deepEqual(execution.finalizeCalls[0].event, { status: "FAILED", payload: INPUT.payload, executionArn: localExecutionArn("exec-0001"), error });
                assert.deepEqual(parseFinalizeEvent(execution.finalizeCalls[0].event), execution.finalizeCalls[0].event);
            });
        }
    });
});
