/**
 * The point of running the synthesized stack locally: a wiring mistake the compiler cannot see (a
 * JSONPath, an ARN, an environment variable, a queue) fails here instead of after a deploy. Each test
 * breaks one thing in the develop wiring and shows where the pipeline stops.
 */
import * as assert from "node:assert/strict";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import { CAPABILITY_HEADER } from "../../lambdas/api/capability";
import { DISPATCH_DEADLINE_SECONDS, DISPATCH_TIMED_OUT_ERROR } from "../../lambdas/shared/contracts";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { LocalPipeline } from "../../local/pipeline";
import { type PipelineWiring, pipelineWiring } from "../../local/stackWiring";
import { synth } from "../support/synth";
import { developWiring, requestProof, statusOf } from "./support/pipeline";

const S = PROVER_STATES;

describe("local pipeline (develop): wiring mistakes fail locally", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    async function brokenPipeline(breakIt: (wiring: PipelineWiring) => void): Promise<LocalPipeline> {
        const wiring = structuredClone(await developWiring());
        breakIt(wiring);
        pipeline = await LocalPipeline.start(wiring);
        return pipeline;
    }

    for (const stack of ["develop", "main"]) {
        it(`the committed ${stack} wiring proves a session (the baseline the other cases break)`, async () => {
            pipeline = await LocalPipeline.start(pipelineWiring(await synth(stack)));
            const accepted = await requestProof(pipeline, "baseline");
            await pipeline.deliverWork();
            const [execution] = await pipeline.settled();
            assert.equal(execution.status, "SUCCEEDED");
            const view = await statusOf(pipeline, accepted);
            assert.equal(view.status, "succeeded");
            assert.equal(view.bundleKey, `sessions/baseline/${accepted.executionId}/bundle.zip`);
            assert.match(pipeline.ecs.runs[0].environment.S3_PROOF_BUCKET, new RegExp(`^stark-ballot-simulator-proof-bundles-${stack}-`));
        });
    }

    it("a JSONPath that names a missing field fails the execution with States.Runtime", async () => {
        await brokenPipeline((w) => {
            const env = w.stateMachine.definition.States.RunProver.Parameters.Overrides.ContainerOverrides[0].Environment;
            const entry = env.find((e) => e.Name === "INPUT_S3_KEY")!;
            Object.assign(entry, { "Value.$": "$.payload.inputKey" });
        });
        const accepted = await requestProof(pipeline, "bad-path");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();

        assert.equal(execution.status, "FAILED");
        assert.equal(execution.error?.Error, "States.Runtime");
        assert.deepEqual(pipeline.ecs.runs, []);
        // No Finalize state ran; the status route learns from Step Functions that the execution ended.
        assert.equal((await pipeline.session("bad-path"))?.status, "running");
        const view = await statusOf(pipeline, accepted);
        assert.equal(view.status, "failed");
        assert.equal(view.error?.Error, "States.Runtime");
        assert.match(view.error!.Cause!, /inputKey/);
    });

    it("a Task state naming a function that does not exist fails with Lambda.ResourceNotFoundException", async () => {
        await brokenPipeline((w) => {
            w.stateMachine.definition.States.FinalizeSucceeded.Parameters.FunctionName += "-typo";
        });
        await requestProof(pipeline, "bad-arn");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();

        assert.equal(execution.status, "FAILED");
        assert.equal(execution.error?.Error, "Lambda.ResourceNotFoundException");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlot, S.FinalizeSucceeded]);
    });

    it("a function missing an environment variable fails every delivery, naming it; the message ends in the DLQ and the session fails at the deadline", async () => {
        await brokenPipeline((w) => {
            delete w.functions["prover-dispatch"].environment.STATE_MACHINE_ARN;
        });
        const accepted = await requestProof(pipeline, "bad-env");
        const polled = await pipeline.deliverWork();

        assert.equal(polled.invocations, 3);
        assert.equal(pipeline.deadLetterQueue.messages().length, 1);
        assert.deepEqual(
            pipeline.logsOf("prover-dispatch").map((l) => [l.level, l.message, l.fields.errorMessage]),
            Array(3).fill(["ERROR", "prover-dispatch configuration is invalid", "missing required environment variable(s): STATE_MACHINE_ARN"]),
        );
        assert.equal((await statusOf(pipeline, accepted)).status, "pending");

        // Past the dispatch deadline the status route records what happened; the capability starts it again.
        pipeline.advanceApiClock(DISPATCH_DEADLINE_SECONDS + 1);
        const view = await statusOf(pipeline, accepted);
        assert.equal(view.status, "failed");
        assert.equal(view.error?.Error, DISPATCH_TIMED_OUT_ERROR);
        const retried = await pipeline.request(postJson("/api/finalize", { sessionId: "bad-env", input: SAMPLE_INPUT }, { [CAPABILITY_HEADER]: accepted.capability }));
        assert.equal(retried.status, 202);
    });

    it("a prover container without its S3 settings exits CONFIG_INVALID and the session fails", async () => {
        await brokenPipeline((w) => {
            const env = w.stateMachine.definition.States.RunProver.Parameters.Overrides.ContainerOverrides[0].Environment;
            env.splice(env.findIndex((e) => e.Name === "OUTPUT_S3_BUCKET"), 1);
        });
        const accepted = await requestProof(pipeline, "bad-container");
        await pipeline.deliverWork();
        await pipeline.settled();

        const view = await statusOf(pipeline, accepted);
        assert.equal(view.status, "failed");
        assert.deepEqual(
            pipeline.logsOf("prover").filter((l) => l.level === "ERROR").map((l) => l.fields.failure),
            ["CONFIG_INVALID"],
        );
    });

    it("an event source mapping on another queue is refused before anything is delivered", async () => {
        await brokenPipeline((w) => {
            w.eventSource.queueArn = w.deadLetterQueue.arn;
        });
        await requestProof(pipeline, "bad-mapping");
        await assert.rejects(() => pipeline.deliverWork(), /event source mapping reads .*prover-work-dlq-develop, not the work queue/);
        assert.equal(pipeline.workQueue.messages().length, 1, "the work message waits on its queue");
        assert.deepEqual(pipeline.invocations, []);
    });
});
