/**
 * Admission control through the local pipeline of the synthesized develop stack (issue 13 §1): a
 * burst beyond the semaphore's limit, the global budget exhausted, slots released on failure,
 * timeout and abort, and a leaked slot reclaimed (EventBridge's status change, the sweep).
 */
import * as assert from "node:assert/strict";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { StopExecutionCommand } from "@aws-sdk/client-sfn";
import { setTimeout as delay } from "node:timers/promises";
import { PROOF_SLOT_STATES } from "../../builders/proofSlots";
import { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM } from "../../lambdas/shared/proofSlots";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { maxOverlap, runBurst, runTaskSpans } from "../../local/burst";
import { LocalPipeline, type PipelineFaults } from "../../local/pipeline";
import { developWiring, requestProof, statusOf } from "./support/pipeline";

const KEY = { [PROOF_SLOTS_TABLE_SCHEMA.hashKey.name]: { S: PROOF_SLOT_ITEM.name } };

describe("local pipeline (develop): admission control", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    async function start(faults: Partial<PipelineFaults> = {}, env: Record<string, string> = {}): Promise<LocalPipeline> {
        const wiring = await developWiring();
        Object.assign(wiring.functions.api.environment, env);
        pipeline = await LocalPipeline.start(wiring, { waitMs: 20, ...faults });
        return pipeline;
    }
    const slotTable = () => {
        const table = pipeline.wiring.tables.find((t) => t.hashKey.name === PROOF_SLOTS_TABLE_SCHEMA.hashKey.name);
        assert.ok(table, "the stack has a slot table");
        return table.name;
    };
    const slotItem = async () => (await pipeline.dynamo.client.send(new GetItemCommand({ TableName: slotTable(), Key: KEY, ConsistentRead: true }))).Item;
    const free = { semaphore: { S: "prover" }, slotsTaken: { N: "0" } };

    it("the synthesized develop stack admits 2 at once (maxConcurrentProofs' default)", async () => {
        const wiring = await developWiring();
        assert.deepEqual(wiring.stateMachine.definition.States[PROOF_SLOT_STATES.AcquireProofSlot].Parameters.ExpressionAttributeValues?.[":limit"], { N: "2" });
        assert.deepEqual([wiring.functions.api.environment.PROOFS_PER_HOUR, wiring.functions.api.environment.PROOFS_PER_DAY], ["30", "60"]);
    });

    it("a burst of 5 against 2 slots: all succeed, never more than 2 tasks run, the others wait for a slot", async () => {
        await start({ hostProveMs: 300 });
        const figures = await runBurst(pipeline, { requests: 5, limit: 2, hostMs: 300 });
        assert.deepEqual(
            { accepted: figures.accepted, max: figures.maxRunning, succeeded: figures.succeeded, failed: figures.failed, lost: figures.lost },
            { accepted: { 202: 5 }, max: 2, succeeded: 5, failed: 0, lost: 0 },
        );
        assert.equal(runTaskSpans(pipeline.trace).length, 5);
        const executions = [...pipeline.stepFunctions.executions.values()].map((e) => e.outcome!);
        assert.ok(executions.some((e) => e.path.includes(PROOF_SLOT_STATES.WaitForProofSlot)), "at least one execution queued");
        assert.deepEqual(pipeline.deadLetterQueue.messages(), []);
        assert.deepEqual(await slotItem(), free);
    });

    it("an exhausted budget: 429 with Retry-After before anything is queued", async () => {
        await start({}, { PROOFS_PER_HOUR: "1", PROOFS_PER_DAY: "1" });
        await requestProof(pipeline, "budget-1");
        const over = await pipeline.request(postJson("/api/finalize", { sessionId: "budget-2", input: SAMPLE_INPUT }, {}, "198.51.100.77"));
        assert.equal(over.status, 429);
        assert.match(over.headers["retry-after"] ?? "", /^[1-9]\d*$/);
        assert.ok(Number(over.headers["retry-after"]) <= 86400);
        assert.deepEqual((over.json as { error: { code: string } }).error.code, "proof_budget_exhausted");
        assert.equal(await pipeline.session("budget-2"), undefined);
        assert.deepEqual(pipeline.workQueue.messages().map((m) => JSON.parse(m.body).sessionId), ["budget-1"]);
    });

    it("a failing prover gives its slot back", async () => {
        await start({ hostMode: "fail" });
        const accepted = await requestProof(pipeline, "slot-fail");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();
        assert.deepEqual(execution.path.slice(-3), ["RunProver", PROOF_SLOT_STATES.ReleaseProofSlotAfterFailure, "FinalizeFailed"]);
        assert.equal((await statusOf(pipeline, accepted)).status, "failed");
        assert.deepEqual(await slotItem(), free);
    });

    it("a prover past RunProver's timeout gives its slot back", async () => {
        await start({ runProverTimeoutSeconds: 1, hostMode: "sleep", hostTimeoutSeconds: 60 });
        await requestProof(pipeline, "slot-timeout");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();
        assert.equal(execution.status, "SUCCEEDED");
        const event = execution.finalizeCalls[0].event as { status: string; error?: { Error: string } };
        assert.deepEqual([event.status, event.error?.Error], ["FAILED", "States.Timeout"]);
        assert.deepEqual(await slotItem(), free);
    });

    async function hostRunning(): Promise<void> {
        for (let i = 0; i < 400 && !pipeline.logsOf("prover").some((l) => l.message === "zkVM host starting"); i++) await delay(25);
        assert.ok(pipeline.logsOf("prover").some((l) => l.message === "zkVM host starting"), "the host never started");
    }

    it("an aborted execution (StopExecution) leaks its slot; the status change event reclaims it", async () => {
        await start({ hostMode: "sleep", hostTimeoutSeconds: 60 });
        await requestProof(pipeline, "slot-abort");
        await pipeline.deliverWork();
        await hostRunning();
        const execution = [...pipeline.stepFunctions.executions.values()][0];
        assert.deepEqual((await slotItem())?.slotsTaken, { N: "1" });
        await pipeline.stepFunctions.client().send(new StopExecutionCommand({ executionArn: execution.arn, error: "OperatorStopped", cause: "test" }));
        const [outcome] = await pipeline.settled();
        assert.equal(outcome.status, "ABORTED");
        assert.deepEqual(await slotItem(), free);
        const cleanups = pipeline.invocations.filter((i) => i.role === "proof-slot-cleanup");
        assert.deepEqual(cleanups.map((c) => (c.event as { detail: { status: string; name: string } }).detail), [
            { executionArn: execution.arn, stateMachineArn: pipeline.wiring.stateMachine.arn, name: execution.name, status: "ABORTED" },
        ]);
    });

    it("an execution that timed out (TIMED_OUT) has its slot reclaimed too", async () => {
        await start({ hostMode: "sleep", hostTimeoutSeconds: 60, executionTimeoutSeconds: 2 });
        await requestProof(pipeline, "slot-exec-timeout");
        await pipeline.deliverWork();
        const [outcome] = await pipeline.settled();
        assert.equal(outcome.status, "TIMED_OUT");
        assert.deepEqual(await slotItem(), free);
    });

    it("the sweep releases a holder whose execution does not exist (a lost event), keeping the count right", async () => {
        await start();
        const ghost = `${pipeline.wiring.stateMachine.arn.replace(":stateMachine:", ":execution:")}:ghost`;
        await pipeline.dynamo.client.send(new PutItemCommand({ TableName: slotTable(), Item: { ...KEY, slotsTaken: { N: "2" }, ghost: { S: ghost }, ghost2: { S: `${ghost}2` } } }));
        assert.deepEqual(await pipeline.sweepProofSlots(), { released: ["ghost", "ghost2"], checked: 2 });
        assert.deepEqual(await slotItem(), free);
        // With the slots back, a proof runs at once.
        await requestProof(pipeline, "after-sweep");
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();
        assert.equal(execution.path.includes(PROOF_SLOT_STATES.WaitForProofSlot), false);
        assert.equal(maxOverlap(runTaskSpans(pipeline.trace)), 1);
    });
});
