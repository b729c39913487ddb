/**
 * Faults injected into the local pipeline of the synthesized develop stack. Each ends in a terminal
 * state a user can see (the session's status, the DLQ, a failed execution) with nothing lost: the
 * input stays in the bucket and every failure leaves its ERROR line.
 */
import * as assert from "node:assert/strict";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import { CAPABILITY_HEADER } from "../../lambdas/api/capability";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import type { LocalPipeline, PipelineFaults } from "../../local/pipeline";
import { type Accepted, executionObjects, proveWith, requestProof, startPipeline, statusOf } from "./support/pipeline";

const S = PROVER_STATES;

describe("local pipeline (develop): faults", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    /** Requests a proof with `faults` in place and lets the pipeline run to its end. */
    const runWith = (faults: Partial<PipelineFaults>, sessionId: string) => proveWith(faults, sessionId, (p) => (pipeline = p));

    const errorsOf = (actor: Parameters<LocalPipeline["logsOf"]>[0]) => pipeline.logsOf(actor).filter((l) => l.level === "ERROR");

    async function assertFailedWithoutBundle(accepted: Accepted, view: { status: string; bundleKey?: string }) {
        assert.equal(view.status, "failed");
        assert.equal(view.bundleKey, undefined);
        assert.equal((await executionObjects(pipeline, accepted)).includes("bundle.zip"), false);
        assert.ok((await executionObjects(pipeline, accepted)).includes("input.json"), "the input is kept for a retry");
    }

    // The image gate's faults (unsigned, signing in progress or failed, scan findings, ECR errors)
    // are in pipeline.imageGate.test.ts.

    it("the zkVM host exits non-zero: the task fails with HOST_FAILED and the session records the stopped task", async () => {
        const { accepted, executions, view } = await runWith({ hostMode: "fail" }, "host-fails");

        assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
        await assertFailedWithoutBundle(accepted, view);
        assert.equal(view.stored.error?.Error, "States.TaskFailed");
        const task = JSON.parse(view.stored.error!.Cause!);
        assert.deepEqual(task.Containers.map((c: { Name: string; ExitCode: number }) => [c.Name, c.ExitCode]), [["prover", EXIT_CODES.HOST_FAILED]]);
        assert.deepEqual(errorsOf("prover").map((l) => l.fields.failure), ["HOST_FAILED"]);
        assert.deepEqual(
            pipeline.trace.filter((t) => t.actor === "ecs").map((t) => t.outcome),
            [`container exited ${EXIT_CODES.HOST_FAILED} (States.TaskFailed)`],
        );
    });

    it("the zkVM host exceeds its timeout: the runner kills it and the session fails with HOST_TIMEOUT", async () => {
        const { accepted, executions, view } = await runWith({ hostMode: "sleep", hostTimeoutSeconds: 1 }, "host-timeout");

        assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
        await assertFailedWithoutBundle(accepted, view);
        const task = JSON.parse(view.stored.error!.Cause!);
        assert.equal(task.Containers[0].ExitCode, EXIT_CODES.HOST_TIMEOUT);
        assert.deepEqual(errorsOf("prover").map((l) => l.fields.failure), ["HOST_TIMEOUT"]);
    });

    it("a transient S3 error during upload is retried and the proof succeeds", async () => {
        const { accepted, executions, view } = await runWith({ uploadFailures: 2 }, "flaky-upload");

        assert.equal(executions[0].status, "SUCCEEDED");
        assert.equal(view.status, "succeeded");
        assert.ok((await executionObjects(pipeline, accepted)).includes("bundle.zip"));
        assert.equal(pipeline.faults.uploadFailures, 0, "both injected failures were hit");
        assert.equal(pipeline.logsOf("prover").filter((l) => l.level === "WARN" && /retry/i.test(l.message)).length, 2);
        assert.deepEqual(errorsOf("prover"), []);
        assert.equal(pipeline.ecs.runs[0].exitCode, 0);
    });

    it("the finalize callback is delivered twice: the second delivery changes nothing", async () => {
        pipeline = await startPipeline({ lostFinalizeAnswers: 1 });
        const accepted = await requestProof(pipeline, "finalize-twice");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();

        assert.equal(execution.status, "SUCCEEDED");
        assert.deepEqual(
            pipeline.invocations.filter((i) => i.role === "finalize-callback").map((i) => i.outcome),
            ["succeeded (updated)", "succeeded (duplicate)"],
        );
        assert.deepEqual(execution.taskCalls.filter((c) => c.state === S.FinalizeSucceeded).length, 2, "Step Functions retried the lost answer");
        const record = await pipeline.session(accepted.sessionId);
        assert.equal(record?.status, "succeeded");
        assert.equal(record?.bundleKey, `sessions/${accepted.sessionId}/${accepted.executionId}/bundle.zip`);
        assert.deepEqual(
            pipeline.logsOf("finalize-callback").map((l) => [l.level, l.message]),
            [
                ["INFO", "session finalized"],
                ["INFO", "duplicate finalize callback; nothing to do"],
            ],
        );
    });

    it("the same work message is delivered twice at once: one execution, one prover run, one finalize", async () => {
        const { accepted, executions, view } = await runWith({ workDeliveries: 2 }, "work-twice");

        assert.equal(pipeline.invocations.filter((i) => i.role === "prover-dispatch").length, 2);
        assert.equal(executions.length, 1);
        const outcomes = pipeline.stepFunctions.startRequests.map((r) => r.outcome);
        assert.equal(outcomes.length, 2);
        assert.equal(outcomes[0], "started");
        // Identical input while running returns the same execution; a different receivedAt is refused by name.
        assert.ok(["same-execution", "ExecutionAlreadyExists"].includes(outcomes[1]), outcomes[1]);
        assert.equal(pipeline.ecs.runs.length, 1);
        assert.equal(pipeline.invocations.filter((i) => i.role === "finalize-callback").length, 1);
        assert.equal(view.status, "succeeded");
        assert.equal(view.executionId, accepted.executionId);
        assert.deepEqual(pipeline.workQueue.messages(), []);
    });

    it("a finished attempt's work message arriving again later starts no second proof", async () => {
        pipeline = await startPipeline();
        const accepted = await requestProof(pipeline, "late-duplicate");
        const body = pipeline.workQueue.messages()[0].body;
        await pipeline.deliverWork();
        await pipeline.settled();

        pipeline.workQueue.send(body);
        const polled = await pipeline.deliverWork();

        assert.equal(polled.deleted.length, 1);
        assert.equal(pipeline.stepFunctions.startRequests.length, 1);
        assert.equal(pipeline.ecs.runs.length, 1);
        assert.equal((await statusOf(pipeline, accepted)).status, "succeeded");
        assert.deepEqual(
            pipeline.logsOf("prover-dispatch").map((l) => [l.level, l.message]),
            [
                ["INFO", "dispatched proof execution"],
                ["INFO", "attempt already finished; proof not started"],
            ],
        );
    });

    it("the work queue is unavailable: 503, the session visibly failed, and a retry with the capability proves it", async () => {
        pipeline = await startPipeline({ queueUnavailable: true });
        const session = await pipeline.createSession();
        const ask = () => pipeline.request(postJson("/api/finalize", { sessionId: session.sessionId, input: SAMPLE_INPUT }, { [CAPABILITY_HEADER]: session.capability }));
        const refused = await ask();

        assert.equal(refused.status, 503);
        assert.deepEqual(refused.json, { error: { code: "queue_unavailable", message: "the proof request could not be queued; retry later" }, sessionId: session.sessionId });
        const failed = await statusOf(pipeline, session);
        assert.equal(failed.status, "failed");
        assert.deepEqual(failed.error, { code: "queue_unavailable", message: "the proof request could not be queued" });
        assert.equal(failed.stored.error?.Error, "EnqueueFailed");
        assert.deepEqual(pipeline.workQueue.messages(), []);

        pipeline.faults.queueUnavailable = false;
        const retried = await ask();
        assert.equal(retried.status, 202);
        await pipeline.deliverWork();
        await pipeline.settled();
        const view = await statusOf(pipeline, session);
        assert.equal(view.status, "succeeded");
        assert.equal(view.executionId, (retried.json as { executionId: string }).executionId);
    });

    it("a malformed work message fails its batch item on every receive and ends in the DLQ after 3", async () => {
        pipeline = await startPipeline();
        const body = JSON.stringify({ sessionId: "malformed", queuedAt: "2026-03-01T00:00:00.000Z", input: [] });
        const messageId = pipeline.workQueue.send(body);

        const polled = await pipeline.deliverWork();

        assert.equal(pipeline.wiring.workQueue.redrive?.maxReceiveCount, 3);
        assert.deepEqual(polled, { invocations: 3, deleted: [], redelivered: [messageId, messageId, messageId] });
        assert.deepEqual(pipeline.workQueue.messages(), []);
        assert.deepEqual(pipeline.deadLetterQueue.messages().map((m) => [m.messageId, m.body]), [[messageId, body]]);
        assert.deepEqual(pipeline.stepFunctions.startRequests, []);
        const errors = errorsOf("prover-dispatch");
        assert.deepEqual(errors.map((l) => l.fields.receiveCount), ["1", "2", "3"]);
        assert.equal(errors[0].message, "malformed work message; reported as a batch item failure so it reaches the DLQ");
        assert.deepEqual(errors[0].fields.problems, ["executionId must be a non-empty string", "inputJson must be the text of a JSON object"]);
    });
});
