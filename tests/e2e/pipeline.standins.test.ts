/**
 * The local stand-ins' documented unhappy answers, each driven through the whole pipeline of the
 * synthesized develop stack, and what the session then records. The AWS page behind each answer is
 * cited where the stand-in gives it (local/ecs.ts, local/queue.ts, local/stateMachine.ts,
 * local/stepFunctions.ts, local/ssm.ts, local/pipeline.ts).
 */
import * as assert from "node:assert/strict";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { CAPACITY_UNAVAILABLE_REASON } from "../../local/ecs";
import type { LocalPipeline, PipelineFaults } from "../../local/pipeline";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { executionObjects, requestProof, startPipeline, statusOf } from "./support/pipeline";

const S = PROVER_STATES;

describe("local pipeline (develop): stand-ins answer like AWS", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    async function runWith(faults: Partial<PipelineFaults>, sessionId: string) {
        pipeline = await startPipeline(faults);
        const accepted = await requestProof(pipeline, sessionId);
        await pipeline.deliverWork();
        const executions = await pipeline.settled();
        return { accepted, executions, view: await statusOf(pipeline, accepted) };
    }
    const runProverCalls = (execution: { taskCalls: { state: string }[] }) => execution.taskCalls.filter((c) => c.state === S.RunProver).length;

    describe("ECS RunTask", () => {
        it("a Fargate capacity shortage (AmazonECS.Unknown) is retried and the proof succeeds once capacity returns", async () => {
            const { accepted, executions, view } = await runWith({ ecsFaults: ["capacity", "capacity"] }, "capacity-short");

            assert.deepEqual(pipeline.ecs.placementFailures, [{ reason: CAPACITY_UNAVAILABLE_REASON }, { reason: CAPACITY_UNAVAILABLE_REASON }]);
            assert.equal(runProverCalls(executions[0]), 3);
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.RunProver, S.FinalizeSucceeded]);
            assert.equal(pipeline.ecs.runs.length, 1, "a RunTask answered with failures started no task");
            assert.equal(view.status, "succeeded");
            assert.ok((await executionObjects(pipeline, accepted)).includes("bundle.zip"));
        });

        it("a shortage that outlasts the bounded retry (1 + 5 attempts) fails the session with the RunTask failures", async () => {
            const { executions, view } = await runWith({ ecsFaults: Array(6).fill("capacity") }, "capacity-gone");

            assert.equal(runProverCalls(executions[0]), 6);
            assert.deepEqual(executions[0].path, [S.VerifyImageSignature, S.CheckImageSignature, S.RunProver, S.FinalizeFailed]);
            assert.deepEqual(pipeline.ecs.runs, []);
            assert.equal(view.status, "failed");
            assert.equal(view.error?.Error, "AmazonECS.Unknown");
            assert.deepEqual(JSON.parse(view.error!.Cause!), {
                Failures: [{ Arn: pipeline.wiring.clusterArn, Reason: CAPACITY_UNAVAILABLE_REASON }],
                Tasks: [],
            });
        });

        it("TaskFailedToStart (the image cannot be pulled): no exit code, not retried, the session records the stopped task", async () => {
            const { executions, view } = await runWith({ ecsFaults: ["TaskFailedToStart"] }, "pull-fails");

            assert.equal(runProverCalls(executions[0]), 1);
            assert.equal(view.status, "failed");
            assert.equal(view.error?.Error, "States.TaskFailed");
            const image = pipeline.wiring.taskDefinition.container.image;
            const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`;
            const task = JSON.parse(view.error!.Cause!);
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
            assert.equal(view.error?.Error, "States.TaskFailed");
            const task = JSON.parse(view.error!.Cause!);
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

            const refused = await pipeline.request(postJson("/api/finalize", { sessionId: "bad-chars", input: { ...SAMPLE_INPUT, label: "\uFFFE" } }));
            assert.equal(refused.status, 400);
            assert.deepEqual(refused.json, { error: { code: "invalid_characters", message: "input contains U+FFFE, which the work queue cannot carry" } });

            // 30,000 numbers of 4 characters each: a 150 KB body (under the api's 192 KiB), a message of over 600 KB.
            const body = `{"sessionId":"grows","input":{"values":[${Array(30000).fill("1e20").join(",")}]}}`;
            const tooBig = await pipeline.request({ method: "POST", path: "/api/finalize", headers: { "content-type": "application/json" }, body });
            assert.equal(tooBig.status, 413);
            assert.match((tooBig.json as { error: { message: string } }).error.message, /^the proof request serializes to \d+ bytes; the work queue takes at most 262144$/);

            assert.equal(await pipeline.session("bad-chars"), undefined, "no attempt was created");
            assert.equal(await pipeline.session("grows"), undefined, "no attempt was created");
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
});
