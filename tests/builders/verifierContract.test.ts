/**
 * The two verifier contracts (builders/verifierContract.ts): the application's verifier-service-runner
 * build gets its own event and its answer is read its own way; the choice is made once, from config.
 */
import assert from "node:assert/strict";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
    type ProverStateMachineArgs,
    buildProverStateMachineDefinition,
    executionKeyFormat,
    proverStateMachineArgsProblems,
    statesFormat,
} from "../../builders/proverStateMachine";
import { stateMachinePublishesReports, stateMachineReadsImageRecord, verifierContractChoice } from "../../builders/verifierContract";
import { proofBucketPolicy } from "../../builders/policies/proverPipeline";
import { parseFinalizeEvent } from "../../lambdas/finalize-callback/finalizeEvent";
import { PROOF_SLOTS_TABLE_SCHEMA } from "../../lambdas/shared/proofSlots";
import { bundleObjectKey, executionPrefix, type ExecutionInput, verificationReportKey } from "../../lambdas/shared/contracts";
import { type LocalDynamo, type LocalS3, createTable, startLocalDynamo, startLocalS3 } from "../../local/servers";
import { type S3Refusal, encryptionPolicyRefusal, refusePutObjects } from "../../local/s3Faults";
import { type SsmFault, localSsm } from "../../local/ssm";
import { type ProverTaskHandlers, aslValidationErrors, localExecutionArn, runProverStateMachine } from "../../local/stateMachine";
import { SERVICE_RETRY, STOPPED_TASK, VERIFIER_ARN, VERIFYING_ARGS, VERIFY_CATCH } from "./support/verifyingArgs";

const IMAGE_ID = "5a".repeat(32);
const SESSION_ID = "0b9d6a1e-3c1f-4a59-9d7e-2f8c5b7a1e44";
const RECORD = "/stark-ballot-simulator/develop/prover-image";
const ARGS: ProverStateMachineArgs = { ...VERIFYING_ARGS, verifierContract: { kind: "application", imageRecordName: RECORD } };
/** The local SSM stand-in holding the prover image record (components/proverImageRecord.ts's JSON) with `zkvmImageId`. */
const recordSsm = (id: { zkvmImageId?: string | null } = { zkvmImageId: IMAGE_ID }) =>
    localSsm({ [RECORD]: { type: "String", value: JSON.stringify({ repository: "stark-prover", digest: `sha256:${"c".repeat(64)}`, ...id }) } });
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
        ["no verifier: no step", { nameScope: "develop" }, undefined],
        ["no verifier, even with other application builds", { nameScope: "develop", applicationBuilds: { api: BUILD } }, undefined],
        ["a verifier: the reference handler", { nameScope: "develop", verifier: { imageId: IMAGE_ID } }, { kind: "reference" }],
        ["a verifier and other application builds: still the reference handler", { nameScope: "develop", verifier: { imageId: IMAGE_ID }, applicationBuilds: { api: BUILD } }, { kind: "reference" }],
        [
            "applicationBuilds.verifierRunner: the application's contract, reading the scope's prover image record (not the config's id)",
            { nameScope: "pr-7", verifier: { imageId: IMAGE_ID }, applicationBuilds: { verifierRunner: BUILD } },
            { kind: "application", imageRecordName: "/stark-ballot-simulator/pr-7/prover-image" },
        ],
    ];
    for (const [what, settings, expected] of table) {
        it(what, () => assert.deepEqual(verifierContractChoice(settings), expected));
    }
});

let slotsDynamo: LocalDynamo;
let bucketS3: LocalS3;

describe("prover state machine: VerifyProof with the application's verifier-service-runner", () => {
    before(async () => {
        slotsDynamo = await startLocalDynamo();
        await createTable(slotsDynamo.client, ARGS.proofSlotsTableName, PROOF_SLOTS_TABLE_SCHEMA);
        bucketS3 = await startLocalS3([ARGS.proofBucketName]);
    });
    after(async () => Promise.all([slotsDynamo.stop(), bucketS3.stop()]));

    it("passes asl-validator with JSONPath and ARN checks", () => {
        assert.deepEqual(aslValidationErrors(buildProverStateMachineDefinition(ARGS)), []);
    });

    it("ReadProverImageRecord reads the record (SSM GetParameter), retries SSM's transient errors, fails the proof on a final error; a record without an id fails closed", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.equal(d.States.ReleaseProofSlot.Next, "ReadProverImageRecord");
        assert.deepEqual(d.States.ReadProverImageRecord, {
            Type: "Task",
            Comment: "Read the prover image record (SSM): the zkVM image id the proof must be verified against.",
            Resource: "arn:aws:states:::aws-sdk:ssm:getParameter",
            Parameters: { Name: RECORD },
            ResultSelector: { "record.$": "States.StringToJson($.Parameter.Value)" },
            ResultPath: "$.imageRecord",
            Retry: [
                {
                    ErrorEquals: ["Ssm.SsmException", "Ssm.InternalServerErrorException", "Ssm.SdkClientException"],
                    IntervalSeconds: 1,
                    MaxAttempts: 3,
                    BackoffRate: 2,
                    JitterStrategy: "FULL",
                },
            ],
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.verificationError", Next: "FinalizeVerificationFailed" }],
            Next: "CheckProverImageRecord",
        });
        assert.deepEqual(d.States.CheckProverImageRecord, {
            Type: "Choice",
            Comment: "Only a record that names a zkVM image id lets the proof be verified; anything else fails closed.",
            Choices: [
                {
                    And: [
                        { Variable: "$.imageRecord.record.zkvmImageId", IsPresent: true },
                        { Variable: "$.imageRecord.record.zkvmImageId", IsString: true },
                    ],
                    Next: "VerifyProof",
                },
            ],
            Default: "RecordIncompleteImageRecord",
        });
        assert.deepEqual(d.States.RecordIncompleteImageRecord, {
            Type: "Pass",
            Comment: "The prover image record names no zkVM image id: verify nothing, fail the proof.",
            Parameters: {
                Error: "ProverImageRecordIncomplete",
                "Cause.$": `States.Format('The prover image record ${RECORD} holds no zkVM image id: {}', States.JsonToString($.imageRecord.record))`,
            },
            ResultPath: "$.verificationError",
            Next: "FinalizeVerificationFailed",
        });
        // The reference handler reads the record itself: no such states, no SSM grant for the state machine.
        const reference = buildProverStateMachineDefinition(VERIFYING_ARGS);
        assert.equal(reference.States.ReleaseProofSlot.Next, "VerifyProof");
        assert.deepEqual([reference.States.ReadProverImageRecord, reference.States.CheckProverImageRecord, reference.States.RecordIncompleteImageRecord], [undefined, undefined, undefined]);
        assert.deepEqual([undefined, { kind: "reference" as const }, ARGS.verifierContract].map(stateMachineReadsImageRecord), [undefined, undefined, RECORD]);
    });

    it("VerifyProof sends the application's s3_bundle event: the prover's bundle key and the record's image id", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.deepEqual(d.States.VerifyProof, {
            Type: "Task",
            Comment: "The application's verifier-service-runner: verify the published bundle against the stack's zkVM image id; it publishes verification.json beside it when it can re-zip the bundle.",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: {
                FunctionName: VERIFIER_ARN,
                Payload: {
                    mode: "s3_bundle",
                    "sessionId.$": "$.payload.sessionId",
                    "executionId.$": "$.payload.executionId",
                    "bundleKey.$": "States.Format('sessions/{}/{}/bundle.zip', $.payload.sessionId, $.payload.executionId)",
                    "expectedImageId.$": "$.imageRecord.record.zkvmImageId",
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
                        { Variable: "$.verification.Payload.verifierStatus", StringEquals: "success" },
                        { Variable: "$.verification.Payload.verificationReport", IsPresent: true },
                    ],
                    Next: "PublishVerificationReport",
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
                "expectedImageId.$": "$.imageRecord.record.zkvmImageId",
            },
        });
        assert.deepEqual(d.States.RecordVerificationRejection?.Parameters, {
            Error: "ProofVerificationFailed",
            "Cause.$": "States.Format('Proof verification reported {} (expected zkVM image id {})', $.verification.Payload.verifierStatus, $.imageRecord.record.zkvmImageId)",
        });
        assert.deepEqual(d.States.RecordVerifierRunnerFailure?.Parameters, { Error: "VerifierRunnerFailed", "Cause.$": "States.JsonToString($.verification.Payload)" });
        assert.equal(d.States.FinalizeVerificationFailed?.Next, "ProofNotVerified");
    });

    it("PublishVerificationReport puts the answered report beside the bundle (SSE-S3), links its key, retries S3, fails the proof on a final error", () => {
        const d = buildProverStateMachineDefinition(ARGS);
        assert.deepEqual(d.States.PublishVerificationReport, {
            Type: "Task",
            Comment: "The runner verified the proof but did not publish its report: put it as verification.json beside the bundle.",
            Resource: "arn:aws:states:::aws-sdk:s3:putObject",
            Parameters: {
                Bucket: "stark-ballot-simulator-proofs-develop-123456789012",
                "Key.$": "States.Format('sessions/{}/{}/verification.json', $.payload.sessionId, $.payload.executionId)",
                "Body.$": "States.JsonToString($.verification.Payload.verificationReport)",
                ContentType: "application/json",
                ServerSideEncryption: "AES256",
            },
            ResultSelector: { "reportKey.$": "States.Format('sessions/{}/{}/verification.json', $$.Execution.Input.payload.sessionId, $$.Execution.Input.payload.executionId)" },
            ResultPath: "$.verification.Payload.s3",
            Retry: [{ ErrorEquals: ["S3.S3Exception", "S3.SdkClientException"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" }],
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.verificationError", Next: "FinalizeVerificationFailed" }],
            Next: "FinalizeSucceeded",
        });
        // The reference handler publishes its own report: no such state, and no S3 grant for the state machine.
        const reference = buildProverStateMachineDefinition(VERIFYING_ARGS);
        assert.equal(reference.States.PublishVerificationReport, undefined);
        assert.deepEqual(reference.States.CheckProofVerification?.Choices.map((c) => c.Next), ["FinalizeSucceeded", "RecordVerificationRejection"]);
        assert.deepEqual(
            [undefined, { kind: "reference" as const }, ARGS.verifierContract].map(stateMachinePublishesReports),
            [false, false, true],
        );
    });

    it("validation names the argument and the rule", () => {
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifyProofFunctionArn: undefined }), ['verifierContract: "application" needs verifyProofFunctionArn (the verification step)']);
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifierContract: { kind: "application", imageRecordName: "stark/prover image" } }), [
            `verifierContract.imageRecordName: "stark/prover image" must be an SSM parameter path: "/" then at most 2047 of A-Z a-z 0-9 _ . - /`,
        ]);
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, verifierContract: { kind: "application", imageRecordName: `/${"a".repeat(2047)}` } }), []);
        assert.equal(proverStateMachineArgsProblems({ ...ARGS, verifierContract: { kind: "application", imageRecordName: `/${"a".repeat(2048)}` } }).length, 1);
        assert.throws(() => buildProverStateMachineDefinition({ ...ARGS, verifierContract: { kind: "application", imageRecordName: "" } }), /verifierContract\.imageRecordName: ""/);
    });

    describe("executed locally", () => {
        /** S3 as the stack's bucket answers: its policy's encryption Deny, then `refusals` one per put. */
        const bucketClient = (refusals: S3Refusal[]) =>
            refusePutObjects(new S3Client(bucketS3.clientConfig("ap-northeast-1")), (input) => encryptionPolicyRefusal(proofBucketPolicy({ partition: "aws" }, ARGS.proofBucketName))(input) ?? refusals.shift());
        const run = async (answer: () => unknown, refusals: S3Refusal[] = [], definition = buildProverStateMachineDefinition(ARGS), ssm = recordSsm()) => {
            const calls: unknown[] = [];
            const handlers: ProverTaskHandlers = {
                verifyImageSignature: () => ({ verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: [], scan: { status: "COMPLETE", findingSeverityCounts: {} } }),
                runProver: () => TASK,
                finalize: () => ({ ok: true }),
                dynamodb: slotsDynamo.client,
                s3: bucketClient(refusals),
                ssm,
                verifyProof: (event, functionName) => {
                    calls.push({ event, functionName });
                    return answer();
                },
            };
            const execution = await runProverStateMachine(definition, INPUT, handlers);
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
            ["a success verdict with neither a published report nor the report itself", (({ verificationReport: _r, ...rest }) => rest)(ranAnswer("success", {}))],
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

        const sentIds = (calls: unknown[]) => calls.map((c) => (c as { event: { expectedImageId: string } }).event.expectedImageId);
        const recordValue = (zkvmImageId: string) => JSON.stringify({ repository: "stark-prover", zkvmImageId });

        it("each execution sends the id the record holds when it verifies: a re-recorded id applies to the next proof", async () => {
            const OTHER = "11".repeat(32);
            const parameters = { [RECORD]: { type: "String", value: recordValue(IMAGE_ID) } };
            const ssm = localSsm(parameters);
            const first = await run(() => ranAnswer("success"), [], undefined, ssm);
            parameters[RECORD] = { type: "String", value: recordValue(OTHER) };
            const second = await run(() => ranAnswer("success"), [], undefined, ssm);
            assert.deepEqual([...sentIds(first.calls), ...sentIds(second.calls)], [IMAGE_ID, OTHER]);
            assert.deepEqual((second.execution.finalizeCalls[0].event as { verification: { expectedImageId: string } }).verification.expectedImageId, OTHER);
        });

        for (const [what, record, cause] of [
            ["null (recorded before the id was known)", { zkvmImageId: null }, `{"repository":"stark-prover","digest":"sha256:${"c".repeat(64)}","zkvmImageId":null}`],
            ["absent", {}, `{"repository":"stark-prover","digest":"sha256:${"c".repeat(64)}"}`],
        ] as const) {
            it(`a record whose zkvmImageId is ${what}: nothing is verified, the proof fails with ProverImageRecordIncomplete`, async () => {
                const { execution, calls } = await run(() => ranAnswer("success"), [], undefined, recordSsm(record));
                const error = { Error: "ProverImageRecordIncomplete", Cause: `The prover image record ${RECORD} holds no zkVM image id: ${cause}` };
                assert.deepEqual(calls, []);
                assert.equal(execution.status, "FAILED");
                assert.deepEqual(execution.error, error);
                assert.deepEqual(execution.path.slice(-5), ["ReadProverImageRecord", "CheckProverImageRecord", "RecordIncompleteImageRecord", "FinalizeVerificationFailed", "ProofNotVerified"]);
                assert.deepEqual(execution.finalizeCalls.map((c) => [c.state, c.event]), [
                    ["FinalizeVerificationFailed", { status: "FAILED", payload: INPUT.payload, executionArn: localExecutionArn("exec-0001"), error }],
                ]);
            });
        }

        it("no record (ParameterNotFound): not retried, the proof fails with SSM's own error, nothing is verified", async () => {
            const { execution, calls } = await run(() => ranAnswer("success"), [], undefined, localSsm({}));
            const error = { Error: "Ssm.ParameterNotFoundException", Cause: `parameter ${RECORD} not found (Service: Ssm, Status Code: 400, Request ID: local)` };
            assert.deepEqual(calls, []);
            assert.equal(execution.status, "FAILED");
            assert.deepEqual(execution.error, error);
            assert.equal(execution.taskCalls.filter((c) => c.state === "ReadProverImageRecord").length, 1);
            assert.deepEqual(execution.path.slice(-3), ["ReadProverImageRecord", "FinalizeVerificationFailed", "ProofNotVerified"]);
        });

        it("SSM throttles twice, then answers: retried (Ssm.SsmException), the proof is verified against the record's id", async () => {
            const faults: SsmFault[] = ["ThrottlingException", "ThrottlingException"];
            const ssm = localSsm({ [RECORD]: { type: "String", value: recordValue(IMAGE_ID) } }, { fault: () => faults.shift() });
            const { execution, calls } = await run(() => ranAnswer("success"), [], undefined, ssm);
            assert.equal(execution.status, "SUCCEEDED");
            assert.equal(execution.taskCalls.filter((c) => c.state === "ReadProverImageRecord").length, 3);
            assert.deepEqual(sentIds(calls), [IMAGE_ID]);
        });

        it("SSM keeps throttling: four attempts, then the proof fails with Ssm.SsmException", async () => {
            const ssm = localSsm({ [RECORD]: { type: "String", value: recordValue(IMAGE_ID) } }, { fault: () => "ThrottlingException" });
            const { execution, calls } = await run(() => ranAnswer("success"), [], undefined, ssm);
            assert.deepEqual(calls, []);
            assert.deepEqual(execution.error, { Error: "Ssm.SsmException", Cause: "Rate exceeded (Service: Ssm, Status Code: 400, Request ID: local)" });
            assert.equal(execution.taskCalls.filter((c) => c.state === "ReadProverImageRecord").length, 4);
        });

        it("a definition that reads the record but no SSM endpoint is refused before it runs (nothing reaches AWS)", async () => {
            const handlers: ProverTaskHandlers = {
                verifyImageSignature: () => ({ verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: [], scan: { status: "COMPLETE", findingSeverityCounts: {} } }),
                runProver: () => TASK,
                finalize: () => ({ ok: true }),
                dynamodb: slotsDynamo.client,
                s3: bucketClient([]),
                verifyProof: () => ranAnswer("success"),
            };
            await assert.rejects(runProverStateMachine(buildProverStateMachineDefinition(ARGS), INPUT, handlers), /no local handler for Task state\(s\) ReadProverImageRecord/);
        });

        it("an SSM action the local stand-in does not emulate is refused before it runs", async () => {
            const definition = buildProverStateMachineDefinition(ARGS);
            const tampered = { ...definition, States: { ...definition.States, ReadProverImageRecord: { ...definition.States.ReadProverImageRecord!, Resource: "arn:aws:states:::aws-sdk:ssm:putParameter" } } };
            await assert.rejects(run(() => ranAnswer("success"), [], tampered), /local Step Functions: arn:aws:states:::aws-sdk:ssm:putParameter is not emulated/);
        });
    });
});

describe("prover state machine: PublishVerificationReport executed locally against S3 (s3rver)", () => {
    const REPORT = { status: "success", imageId: IMAGE_ID, expectedImageId: `0x${IMAGE_ID}`, error: null, checks: [{ name: "receipt", ok: true }] };
    const unpublished = { ...ranAnswer("success", {}), verificationReport: REPORT };
    const handlers = (s3: S3Client): ProverTaskHandlers => ({
        verifyImageSignature: () => ({ verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: [], scan: { status: "COMPLETE", findingSeverityCounts: {} } }),
        runProver: () => TASK,
        finalize: () => ({ ok: true }),
        dynamodb: slotsDynamo.client,
        s3,
        ssm: recordSsm(),
        verifyProof: () => unpublished,
    });
    let s3: LocalS3;
    let dynamo: LocalDynamo;
    let slotsDynamo: LocalDynamo;
    before(async () => {
        [s3, dynamo] = await Promise.all([startLocalS3([ARGS.proofBucketName]), startLocalDynamo()]);
        slotsDynamo = dynamo;
        await createTable(dynamo.client, ARGS.proofSlotsTableName, PROOF_SLOTS_TABLE_SCHEMA);
    });
    after(async () => Promise.all([s3.stop(), dynamo.stop()]));

    const client = (refusals: S3Refusal[]) =>
        refusePutObjects(new S3Client(s3.clientConfig("ap-northeast-1")), (input) => encryptionPolicyRefusal(proofBucketPolicy({ partition: "aws" }, ARGS.proofBucketName))(input) ?? refusals.shift());
    const stored = async (key: string) => {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: ARGS.proofBucketName, Key: key }));
        return { contentType: object.ContentType, body: await object.Body!.transformToString("utf-8") };
    };
    const missing = async (key: string) =>
        s3.client.send(new HeadObjectCommand({ Bucket: ARGS.proofBucketName, Key: key })).then(
            () => false,
            () => true,
        );
    const input = (executionId: string): ExecutionInput => ({ ...INPUT, payload: { ...INPUT.payload, executionId, inputS3Key: `sessions/${SESSION_ID}/${executionId}/input.json` } });
    const reportKey = (executionId: string) => `sessions/${SESSION_ID}/${executionId}/verification.json`;

    it("success without s3.reportKey: the report is put as verification.json (exactly the answered JSON), FinalizeSucceeded links it", async () => {
        const execution = await runProverStateMachine(buildProverStateMachineDefinition(ARGS), input("exec-put-1"), handlers(client([])));
        assert.equal(execution.status, "SUCCEEDED");
        assert.deepEqual(execution.path.slice(-4), ["VerifyProof", "CheckProofVerification", "PublishVerificationReport", "FinalizeSucceeded"]);
        assert.deepEqual(execution.taskCalls.filter((c) => c.state === "PublishVerificationReport").map((c) => c.parameters), [
            { Bucket: ARGS.proofBucketName, Key: reportKey("exec-put-1"), Body: JSON.stringify(REPORT), ContentType: "application/json", ServerSideEncryption: "AES256" },
        ]);
        assert.deepEqual(await stored(reportKey("exec-put-1")), { contentType: "application/json", body: JSON.stringify(REPORT) });
        const [{ state, event }] = execution.finalizeCalls;
        assert.equal(state, "FinalizeSucceeded");
        assert.deepEqual((event as { verification?: unknown }).verification, {
            status: "success",
            bundleKey: `sessions/${SESSION_ID}/exec-put-1/bundle.zip`,
            reportKey: reportKey("exec-put-1"),
            expectedImageId: IMAGE_ID,
        });
        assert.deepEqual(parseFinalizeEvent(event), event);
    });

    it("S3 throttles twice (503 SlowDown): the put is retried and the proof still counts", async () => {
        const execution = await runProverStateMachine(buildProverStateMachineDefinition(ARGS), input("exec-put-2"), handlers(client(["SlowDown", "SlowDown"])));
        assert.equal(execution.status, "SUCCEEDED");
        assert.equal(execution.taskCalls.filter((c) => c.state === "PublishVerificationReport").length, 3);
        assert.deepEqual(JSON.parse((await stored(reportKey("exec-put-2"))).body), REPORT);
    });

    it("S3 refuses every attempt (403 AccessDenied): four attempts, then the session and the execution fail with S3's error", async () => {
        const refusals: S3Refusal[] = ["AccessDenied", "AccessDenied", "AccessDenied", "AccessDenied"];
        const execution = await runProverStateMachine(buildProverStateMachineDefinition(ARGS), input("exec-put-3"), handlers(client(refusals)));
        const error = { Error: "S3.S3Exception", Cause: "Access Denied (Service: S3, Status Code: 403, Request ID: local)" };
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, error);
        assert.equal(execution.taskCalls.filter((c) => c.state === "PublishVerificationReport").length, 4);
        assert.deepEqual(execution.path.slice(-4), ["CheckProofVerification", "PublishVerificationReport", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.deepEqual(execution.finalizeCalls.map((c) => [c.state, c.event]), [
            ["FinalizeVerificationFailed", { status: "FAILED", payload: input("exec-put-3").payload, executionArn: localExecutionArn("exec-put-3"), error }],
        ]);
        assert.equal(await missing(reportKey("exec-put-3")), true);
    });

    it("without ServerSideEncryption the bucket policy refuses the put (403): why the state sends AES256", async () => {
        const definition = buildProverStateMachineDefinition(ARGS);
        const { ServerSideEncryption: _sse, ...withoutSse } = definition.States.PublishVerificationReport!.Parameters;
        const tampered = { ...definition, States: { ...definition.States, PublishVerificationReport: { ...definition.States.PublishVerificationReport!, Parameters: withoutSse } } };
        const execution = await runProverStateMachine(tampered as typeof definition, input("exec-put-4"), handlers(client([])));
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, { Error: "S3.S3Exception", Cause: "Access Denied (Service: S3, Status Code: 403, Request ID: local)" });
        assert.equal(await missing(reportKey("exec-put-4")), true);
    });

    it("a definition with the put but no S3 endpoint is refused before it runs (nothing reaches AWS)", async () => {
        const { s3: _s3, ...withoutS3 } = handlers(client([]));
        await assert.rejects(runProverStateMachine(buildProverStateMachineDefinition(ARGS), input("exec-put-5"), withoutS3), /no local handler for Task state\(s\) PublishVerificationReport/);
    });
});
