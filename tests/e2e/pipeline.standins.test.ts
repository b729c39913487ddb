/**
 * The local stand-ins' documented unhappy answers, each driven through the whole pipeline of the
 * synthesized develop stack, and what the session then records. The AWS page behind each answer is
 * cited where the stand-in gives it (local/ecs.ts, local/queue.ts, local/stateMachine.ts,
 * local/stepFunctions.ts, local/ssm.ts, local/pipeline.ts).
 */
import * as assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, RedriveExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { CAPACITY_UNAVAILABLE_REASON } from "../../local/ecs";
import { SSM_FAULTS } from "../../local/ssm";
import { CAPABILITY_HEADER } from "../../lambdas/api/capability";
import { runProverStateMachine } from "../../local/stateMachine";
import type { LocalPipeline, PipelineFaults } from "../../local/pipeline";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { type Accepted, executionObjects, proveWith, requestProof, startPipeline, statusOf } from "./support/pipeline";

const S = PROVER_STATES;

describe("local pipeline (develop): stand-ins answer like AWS", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    const runWith = (faults: Partial<PipelineFaults>, sessionId: string) => proveWith(faults, sessionId, (p) => (pipeline = p));
    const runProverCalls = (execution: { taskCalls: { state: string }[] }) => execution.taskCalls.filter((c) => c.state === S.RunProver).length;
    const callsOf = (execution: { taskCalls: { state: string }[] }, state: string) => execution.taskCalls.filter((c) => c.state === state).length;
    /** Waits until the prover's zkVM host runs (the task is RUNNING). */
    async function hostRunning(): Promise<void> {
        for (let i = 0; i < 200 && !pipeline.logsOf("prover").some((l) => l.message === "zkVM host starting"); i++) await delay(25);
        assert.ok(pipeline.logsOf("prover").some((l) => l.message === "zkVM host starting"), "the host never started");
    }
    /** The Lambda.Unknown Cause Step Functions reports for a timed-out invocation. */
    const TIMED_OUT_CAUSE = /^The cause could not be determined because Lambda did not return an error type\. Returned payload: \{"errorMessage":"\S+ [0-9a-f-]{36} Task timed out after 0\.30 seconds"\}$/;

    describe("ECS RunTask", () => {
        it("a Fargate capacity shortage (AmazonECS.Unknown) is retried and the proof succeeds once capacity returns", async () => {
            const { accepted, executions, view } = await runWith({ ecsFaults: ["capacity", "capacity"] }, "capacity-short");

            assert.deepEqual(pipeline.ecs.placementFailures, [{ reason: CAPACITY_UNAVAILABLE_REASON }, { reason: CAPACITY_UNAVAILABLE_REASON }]);
            assert.equal(runProverCalls(executions[0]), 3);
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlot, S.FinalizeSucceeded]);
            assert.equal(pipeline.ecs.runs.length, 1, "a RunTask answered with failures started no task");
            assert.equal(view.status, "succeeded");
            assert.ok((await executionObjects(pipeline, accepted)).includes("bundle.zip"));
        });

        it("a shortage that outlasts the bounded retry (1 + 5 attempts) fails the session with the RunTask failures", async () => {
            const { executions, view } = await runWith({ ecsFaults: Array(6).fill("capacity") }, "capacity-gone");

            assert.equal(runProverCalls(executions[0]), 6);
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
            assert.deepEqual(pipeline.ecs.runs, []);
            assert.equal(view.status, "failed");
            assert.equal(view.stored.error?.Error, "AmazonECS.Unknown");
            assert.deepEqual(JSON.parse(view.stored.error!.Cause!), {
                Failures: [{ Arn: pipeline.wiring.clusterArn, Reason: CAPACITY_UNAVAILABLE_REASON }],
                Tasks: [],
            });
        });

        it("TaskFailedToStart (the image cannot be pulled): no exit code, not retried, the session records the stopped task", async () => {
            const { executions, view } = await runWith({ ecsFaults: ["TaskFailedToStart"] }, "pull-fails");

            assert.equal(runProverCalls(executions[0]), 1);
            assert.equal(view.status, "failed");
            assert.equal(view.stored.error?.Error, "States.TaskFailed");
            const image = pipeline.wiring.taskDefinition.container.image;
            const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`;
            const task = JSON.parse(view.stored.error!.Cause!);
            assert.equal(task.StopCode, "TaskFailedToStart");
            assert.equal(task.StoppedReason, reason);
            assert.deepEqual(task.Containers, [{ Name: "prover", Image: image, Reason: reason, LastStatus: "STOPPED" }]);
            assert.deepEqual(
                pipeline.ecs.runs.map((r) => [r.stopCode, r.exitCode, r.logLines.length]),
                [["TaskFailedToStart", undefined, 0]],
            );
            assert.deepEqual(pipeline.logsOf("prover"), [], "the runner never started");
            assert.deepEqual(
                pipeline.trace.filter((t) => t.actor === "ecs").map((t) => t.outcome),
                ["TaskFailedToStart: container never ran (States.TaskFailed)"],
            );
        });

        it("SpotInterruption: the runner gets SIGTERM and stops, the session records the interruption and its exit code", async () => {
            const { accepted, executions, view } = await runWith({ ecsFaults: ["SpotInterruption"], hostMode: "sleep" }, "spot-gone");

            assert.equal(runProverCalls(executions[0]), 1, "an interrupted proof is not re-run by Step Functions");
            assert.equal(view.status, "failed");
            assert.equal(view.stored.error?.Error, "States.TaskFailed");
            const task = JSON.parse(view.stored.error!.Cause!);
            assert.equal(task.StopCode, "SpotInterruption");
            assert.equal(task.StoppedReason, "Your Spot Task was interrupted.");
            assert.equal(task.Containers[0].ExitCode, EXIT_CODES.STOPPED);
            assert.deepEqual(
                pipeline.logsOf("prover").filter((l) => l.level === "ERROR").map((l) => l.fields.failure),
                ["STOPPED"],
            );
            assert.equal((await executionObjects(pipeline, accepted)).includes("bundle.zip"), false);
        });
    });

    describe("SQS SendMessage and receives", () => {
        it("input SQS would refuse is the client's 400 or 413 before any attempt exists, never a 503", async () => {
            pipeline = await startPipeline();
            assert.equal(pipeline.wiring.workQueue.maxMessageBytes, 262144, "read from the synthesized queue");
            assert.equal(pipeline.wiring.functions.api.environment.PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES, "262144");

            // The local queue refuses both, as SQS does.
            assert.throws(() => pipeline.workQueue.send('{"name":"\uFFFF"}'), { name: "InvalidMessageContents" });
            assert.throws(() => pipeline.workQueue.send("x".repeat(262145)), { name: "InvalidParameterValue" });

            const session = await pipeline.createSession();
            const headers = { "content-type": "application/json", [CAPABILITY_HEADER]: session.capability };
            const refused = await pipeline.request(postJson("/api/finalize", { sessionId: session.sessionId, input: { ...SAMPLE_INPUT, label: "\uFFFE" } }, headers));
            assert.equal(refused.status, 400);
            assert.deepEqual(refused.json, { error: { code: "invalid_characters", message: "input contains U+FFFE, which the work queue cannot carry" } });

            // 45,000 one-letter strings: a 180 KB body (under the api's 192 KiB); escaped inside the message, over 256 KiB.
            const body = `{"sessionId":"${session.sessionId}","input":{"values":[${Array(45000).fill('"a"').join(",")}]}}`;
            const tooBig = await pipeline.request({ method: "POST", path: "/api/finalize", headers, body });
            assert.equal(tooBig.status, 413);
            assert.match((tooBig.json as { error: { message: string } }).error.message, /^the proof request serializes to \d+ bytes; the work queue takes at most 262144$/);

            assert.equal((await pipeline.session(session.sessionId))?.status, undefined, "no attempt was created");
            assert.deepEqual(pipeline.workQueue.messages(), []);
            assert.deepEqual(pipeline.logsOf("api").filter((l) => l.level === "ERROR"), []);
        });

        it("a duplicate delivery is a receive of its own: the stale handle's delete leaves the message, the latest deletes it", async () => {
            const { accepted, executions, view } = await runWith({ workDeliveries: 2 }, "dup-receipts");

            const events = pipeline.invocations.filter((i) => i.role === "prover-dispatch").map((i) => (i.event as { Records: { receiptHandle: string; attributes: { ApproximateReceiveCount: string } }[] }).Records[0]);
            assert.deepEqual(events.map((r) => r.attributes.ApproximateReceiveCount), ["1", "2"]);
            assert.notEqual(events[0].receiptHandle, events[1].receiptHandle);
            assert.deepEqual(
                pipeline.workQueue.deleteRequests.map((d) => [d.receiptHandle, d.deleted]),
                [
                    [events[0].receiptHandle, false],
                    [events[1].receiptHandle, true],
                ],
            );
            assert.equal(executions.length, 1);
            assert.equal(pipeline.ecs.runs.length, 1);
            assert.equal(view.status, "succeeded");
            assert.equal(view.executionId, accepted.executionId);
        });

        it("the stale delivery dispatched, the latest timed out: the message comes back (3rd receive) and starts no second proof", async () => {
            const { view, executions } = await runWith(
                { workDeliveries: 2, functionTimeoutSeconds: { "prover-dispatch": 3 }, functionFaults: { "prover-dispatch": ["ok", "timeout"] } },
                "dup-timeout",
            );

            const dispatches = pipeline.invocations.filter((i) => i.role === "prover-dispatch");
            assert.deepEqual(
                dispatches.map((i) => [(i.event as { Records: { attributes: { ApproximateReceiveCount: string } }[] }).Records[0].attributes.ApproximateReceiveCount, i.outcome.split(":")[0]]),
                [
                    ["1", "0 batch item failure(s)"],
                    ["2", "Lambda.Unknown"],
                    ["3", "0 batch item failure(s)"],
                ],
            );
            assert.deepEqual(pipeline.workQueue.deleteRequests.map((d) => d.deleted), [false, true]);
            assert.deepEqual(pipeline.workQueue.messages(), []);
            assert.deepEqual(pipeline.deadLetterQueue.messages(), [], "3 receives is within maxReceiveCount");
            assert.equal(executions.length, 1);
            assert.equal(pipeline.ecs.runs.length, 1);
            assert.equal(view.status, "succeeded");
        });
    });

    describe("Lambda invoker: timeouts and crashes are Lambda.Unknown", () => {
        it("the signature check runs past its timeout: Lambda.Unknown, not a service error, so not retried; the session fails with it", async () => {
            const { executions, view } = await runWith(
                { functionTimeoutSeconds: { "check-image-signature": 0.3 }, functionFaults: { "check-image-signature": ["timeout"] } },
                "sig-timeout",
            );

            assert.equal(callsOf(executions[0], S.VerifyImageSignature), 1);
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
            assert.deepEqual(pipeline.ecs.runs, []);
            assert.equal(view.status, "failed");
            assert.equal(view.stored.error?.Error, "Lambda.Unknown");
            assert.match(view.stored.error!.Cause!, TIMED_OUT_CAUSE);
        });

        it("the finalize callback times out once: the catch-all retrier repeats it and the proof is recorded", async () => {
            const { executions, view } = await runWith(
                { functionTimeoutSeconds: { "finalize-callback": 0.3 }, functionFaults: { "finalize-callback": ["timeout"] } },
                "finalize-timeout",
            );

            assert.equal(callsOf(executions[0], S.FinalizeSucceeded), 2);
            assert.deepEqual(
                pipeline.invocations.filter((i) => i.role === "finalize-callback").map((i) => i.outcome.split(":")[0]),
                ["Lambda.Unknown", "succeeded (updated)"],
            );
            assert.equal(view.status, "succeeded");
        });

        it("the finalize runtime crashes on every attempt: the execution fails and the status route records its error", async () => {
            pipeline = await startPipeline({ functionFaults: { "finalize-callback": Array(6).fill("crash") } });
            const accepted = await requestProof(pipeline, "finalize-crash");
            await pipeline.deliverWork();
            const [execution] = await pipeline.settled();

            assert.equal(execution.status, "FAILED");
            assert.equal(callsOf(execution, S.FinalizeSucceeded), 6, "1 + 5 attempts of the catch-all retrier");
            assert.equal(execution.error?.Error, "Lambda.Unknown");
            assert.match(
                String(execution.error?.Cause),
                /^The cause could not be determined because Lambda did not return an error type\. Returned payload: \{"errorType":"Runtime\.ExitError","errorMessage":"RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 1"\}$/,
            );
            assert.equal((await pipeline.session(accepted.sessionId))?.status, "running", "nothing told the session");

            const view = await statusOf(pipeline, accepted);
            assert.equal(view.status, "failed");
            assert.deepEqual(view.stored.error, { Error: "Lambda.Unknown", Cause: execution.error?.Cause });
        });
    });

    describe("RunProver's own timeout", () => {
        it("States.Timeout stops the task (SIGTERM to the runner); a late upload cannot make the failed session look succeeded", async () => {
            const { accepted, executions, view } = await runWith({ runProverTimeoutSeconds: 1, hostMode: "sleep", hostTimeoutSeconds: 60 }, "prover-timeout");

            assert.equal(runProverCalls(executions[0]), 1, "a timed-out proof is not re-run");
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
            assert.deepEqual(pipeline.ecs.runs.map((r) => [r.stopCode, r.exitCode]), [["UserInitiated", EXIT_CODES.STOPPED]]);
            assert.deepEqual(
                pipeline.logsOf("prover").filter((l) => l.level === "ERROR").map((l) => l.fields.failure),
                ["STOPPED"],
            );
            assert.equal(view.status, "failed");
            assert.equal(view.stored.error?.Error, "States.Timeout");

            // A task that ignored SIGTERM uploads its bundle after the session was marked failed.
            const key = `${pipeline.wiring.proofPrefix}${accepted.sessionId}/${accepted.executionId}/bundle.zip`;
            await pipeline.s3.client.send(new PutObjectCommand({ Bucket: pipeline.wiring.bucket, Key: key, Body: "late" }));
            const later = await statusOf(pipeline, accepted);
            assert.equal(later.status, "failed");
            assert.equal(later.bundleKey, undefined);
            assert.equal(later.bundleUrl, undefined);
        });
    });

    describe("DescribeExecution statuses and the status route's reconciliation", () => {
        async function runningProof(faults: Partial<PipelineFaults>, sessionId: string): Promise<Accepted> {
            pipeline = await startPipeline({ hostMode: "sleep", hostTimeoutSeconds: 60, ...faults });
            const accepted = await requestProof(pipeline, sessionId);
            await pipeline.deliverWork();
            return accepted;
        }
        const executionArn = () => [...pipeline.stepFunctions.executions.values()][0].arn;

        it("TIMED_OUT: the execution passes its TimeoutSeconds, its task is stopped, and the status route records States.Timeout", async () => {
            const accepted = await runningProof({ executionTimeoutSeconds: 2 }, "exec-timeout");
            const [execution] = await pipeline.settled();

            assert.equal(execution.status, "TIMED_OUT");
            assert.deepEqual(pipeline.ecs.runs.map((r) => [r.stopCode, r.exitCode]), [["UserInitiated", EXIT_CODES.STOPPED]]);
            assert.deepEqual(execution.finalizeCalls, []);
            const described = await pipeline.stepFunctions.client().send(new DescribeExecutionCommand({ executionArn: executionArn() }));
            assert.equal(described.status, "TIMED_OUT");
            assert.deepEqual([described.error, described.cause], [undefined, undefined], "AWS reports no error or cause for TIMED_OUT");

            const view = await statusOf(pipeline, accepted);
            assert.equal(view.status, "failed");
            assert.deepEqual(view.stored.error, { Error: "States.Timeout", Cause: "the execution ended TIMED_OUT without reporting a result to the session" });
        });

        it("ABORTED: StopExecution stops the running task; the status route records the operator's error and cause", async () => {
            const accepted = await runningProof({}, "exec-stopped");
            await hostRunning();
            await pipeline.stepFunctions.client().send(new StopExecutionCommand({ executionArn: executionArn(), error: "OperatorStopped", cause: "host stuck" }));
            const [execution] = await pipeline.settled();

            assert.equal(execution.status, "ABORTED");
            assert.deepEqual(pipeline.ecs.runs.map((r) => [r.stopCode, r.exitCode]), [["UserInitiated", EXIT_CODES.STOPPED]]);
            const view = await statusOf(pipeline, accepted);
            assert.equal(view.status, "failed");
            assert.deepEqual(view.stored.error, { Error: "OperatorStopped", Cause: "host stuck" });
        });

        it("ABORTED without an error: the status route names it ExecutionAborted", async () => {
            const accepted = await runningProof({}, "exec-stopped-bare");
            await hostRunning();
            await pipeline.stepFunctions.client().send(new StopExecutionCommand({ executionArn: executionArn() }));
            await pipeline.settled();

            const view = await statusOf(pipeline, accepted);
            assert.deepEqual(view.stored.error, { Error: "ExecutionAborted", Cause: "the execution ended ABORTED without reporting a result to the session" });
        });

        it("PENDING_REDRIVE: a failed execution being redriven may still finish, so the session is left running", async () => {
            pipeline = await startPipeline({ functionFaults: { "finalize-callback": Array(6).fill("crash") } });
            const accepted = await requestProof(pipeline, "exec-redrive");
            await pipeline.deliverWork();
            await pipeline.settled();
            const client = pipeline.stepFunctions.client();

            await client.send(new RedriveExecutionCommand({ executionArn: executionArn() }));
            assert.equal((await client.send(new DescribeExecutionCommand({ executionArn: executionArn() }))).status, "PENDING_REDRIVE");
            await assert.rejects(() => client.send(new RedriveExecutionCommand({ executionArn: executionArn() })), { name: "ExecutionNotRedrivable" });

            const view = await statusOf(pipeline, accepted);
            assert.equal(view.status, "running");
            assert.equal(view.error, undefined);
        });

        it("a RUNNING execution cannot be redriven", async () => {
            await runningProof({}, "exec-running");
            await hostRunning();
            await assert.rejects(() => pipeline.stepFunctions.client().send(new RedriveExecutionCommand({ executionArn: executionArn() })), { name: "ExecutionNotRedrivable" });
            await pipeline.stepFunctions.client().send(new StopExecutionCommand({ executionArn: executionArn() }));
        });
    });

    describe("SSM GetParameter failures", () => {
        for (const fault of SSM_FAULTS) {
            it(`${fault}: the api answers 500 without creating a session, and does not cache the failure`, async () => {
                pipeline = await startPipeline({ ssm: fault });
                const refused = await pipeline.request(postJson("/api/sessions", { captchaToken: pipeline.turnstile.issueToken() }));

                assert.equal(refused.status, 500);
                assert.deepEqual(refused.json, { error: { code: "internal_error", message: "internal server error" } });
                assert.deepEqual(pipeline.workQueue.messages(), []);
                const errorName = fault === "KmsAccessDenied" ? "AccessDeniedException" : fault;
                assert.deepEqual(
                    pipeline.logsOf("api").filter((l) => l.level === "ERROR").map((l) => [l.message, l.fields.errorName]),
                    [["unhandled api error", errorName]],
                );

                pipeline.faults.ssm = undefined;
                await requestProof(pipeline, `ssm-${fault}`);
                // The captcha secret (refused, then read), then the capability secret, then the prover image record.
                assert.deepEqual(pipeline.ssmCalls.map((c) => [c.name, c.outcome]), [
                    [pipeline.wiring.functions.api.environment.SECRET_PARAMETER_CAPTCHA, fault],
                    [pipeline.wiring.functions.api.environment.SECRET_PARAMETER_CAPTCHA, "ok"],
                    [pipeline.wiring.functions.api.environment.SECRET_PARAMETER_SESSION_CAPABILITY, "ok"],
                    [pipeline.wiring.functions.api.environment.PROVER_IMAGE_PARAMETER, "ok"],
                ]);
            });
        }
    });

    describe("States.DataLimitExceeded", () => {
        it("a Task result over 256 KiB fails the state; the named catcher records it on the session", async () => {
            const { executions, view } = await runWith({ inflatedAnswerBytes: { "check-image-signature": 300 * 1024 } }, "too-big");

            assert.equal(callsOf(executions[0], S.VerifyImageSignature), 1, "never retried");
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
            assert.equal(view.status, "failed");
            assert.deepEqual(view.stored.error, {
                Error: "States.DataLimitExceeded",
                Cause: `The state/task '${pipeline.wiring.functions["check-image-signature"].arn}' returned a result with a size exceeding the maximum number of bytes service limit.`,
            });
        });

        it("States.ALL alone does not catch it: without the named catcher the execution fails", async () => {
            pipeline = await startPipeline();
            const definition = JSON.parse(JSON.stringify(pipeline.wiring.stateMachine.definition));
            definition.States.VerifyImageSignature.Catch = definition.States.VerifyImageSignature.Catch.filter((c: { ErrorEquals: string[] }) => c.ErrorEquals.includes("States.ALL"));
            const input = { payload: { sessionId: "s", executionId: "e", inputS3Key: "sessions/s/e/input.json", queuedAt: "2026-03-01T00:00:00.000Z" }, messageId: "m", receivedAt: "2026-03-01T00:00:00.000Z" };
            const execution = await runProverStateMachine(definition, input as never, {
                verifyImageSignature: () => ({ status: "COMPLETE", signingStatuses: [], padding: "x".repeat(300 * 1024) }) as never,
                runProver: () => assert.fail("must not run"),
                finalize: () => assert.fail("must not run"),
                dynamodb: pipeline.dynamo.client,
            });

            assert.equal(execution.status, "FAILED");
            assert.equal(execution.error?.Error, "States.DataLimitExceeded");
            assert.deepEqual(execution.path, [S.VerifyImageSignature]);
        });
    });
});
