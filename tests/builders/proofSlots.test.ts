/**
 * Admission control (builders/proofSlots.ts): the semaphore states' exact ASL, the wait bound, and
 * executions run locally against DynamoDB's protocol (dynalite on 127.0.0.1): a queue behind a full
 * semaphore, a lost acquire answer, release on failure, and a slot leaked by an aborted execution
 * reclaimed by the cleanup Lambda (its event and its sweep).
 */
import assert from "node:assert/strict";
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import {
    EVENTS_PER_POLL,
    SLOT_POLL_SECONDS,
    buildProofSlotStates,
    maxSlotWaitSeconds,
    queueWaitBoundSeconds,
} from "../../builders/proofSlots";
import { type ProverStateMachineArgs, buildProverStateMachineDefinition, proverStateMachineArgsProblems } from "../../builders/proverStateMachine";
import { executionEndedPattern, proofSlotCleanupPolicy, proofSlotsStateMachinePolicy } from "../../builders/policies/proofSlots";
import { createCleanupHandler } from "../../lambdas/proof-slot-cleanup/cleanup";
import type { CheckImageSignatureResult, ExecutionInput } from "../../lambdas/shared/contracts";
import { createLogger } from "../../lambdas/shared/log";
import { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM } from "../../lambdas/shared/proofSlots";
import { matchesPattern } from "../../local/pipeline";
import { type LocalDynamo, createTable, startLocalDynamo } from "../../local/servers";
import { type ProverTaskHandlers, aslValidationErrors, localExecutionArn, runProverStateMachine } from "../../local/stateMachine";
import { BASE, STOPPED_TASK } from "./support/verifyingArgs";

const TABLE = "stark-ballot-simulator-proof-slots-develop";
const ARGS: ProverStateMachineArgs = { ...BASE, proofSlotsTableName: TABLE, maxConcurrentProofs: 1 };
const KEY = { [PROOF_SLOTS_TABLE_SCHEMA.hashKey.name]: { S: PROOF_SLOT_ITEM.name } };
const TASK = STOPPED_TASK;
const SIGNED: CheckImageSignatureResult = {
    verdict: "ALLOW",
    checks: 1,
    status: "COMPLETE",
    signingStatuses: [{ signingProfileArn: "arn:aws:signer:ap-northeast-1:123456789012:/signing-profiles/prover", status: "COMPLETE" }],
    scan: { status: "COMPLETE", findingSeverityCounts: {} },
};
const input = (executionId: string): ExecutionInput => ({
    payload: { sessionId: `s-${executionId}`, executionId, inputS3Key: `sessions/s-${executionId}/${executionId}/input.json`, queuedAt: "2026-03-01T10:00:00.000Z" },
    messageId: `m-${executionId}`,
    receivedAt: "2026-03-01T10:00:01.000Z",
});

describe("proof slots: the semaphore states", () => {
    const def = buildProverStateMachineDefinition(ARGS);

    it("the definition with the slot states is valid ASL (asl-validator, paths and ARNs checked)", () => {
        assert.deepEqual(aslValidationErrors(def), []);
    });

    it("acquire is one conditional UpdateItem: below the limit and not yet a holder; the holder is the execution", () => {
        assert.deepEqual(def.States.AcquireProofSlot.Parameters, {
            TableName: TABLE,
            Key: { semaphore: { S: "prover" } },
            UpdateExpression: "SET #count = if_not_exists(#count, :zero) + :one, #holder = :executionArn",
            ConditionExpression: "(attribute_not_exists(#count) OR #count < :limit) AND attribute_not_exists(#holder)",
            ExpressionAttributeNames: { "#count": "slotsTaken", "#holder.$": "$$.Execution.Name" },
            ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" }, ":limit": { N: "1" }, ":executionArn": { "S.$": "$$.Execution.Id" } },
        });
        assert.equal(def.States.AcquireProofSlot.Resource, "arn:aws:states:::dynamodb:updateItem");
        assert.equal(def.States.AcquireProofSlot.ResultPath, null);
        assert.deepEqual(def.States.AcquireProofSlot.Catch[0], { ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], ResultPath: null, Next: "CheckProofSlotHeld" });
        assert.deepEqual(def.States.CheckProofSlotHeld.Catch[0], { ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], ResultPath: null, Next: "WaitForProofSlot" });
        assert.deepEqual(def.States.WaitForProofSlot, { Type: "Wait", Comment: def.States.WaitForProofSlot.Comment, Seconds: 60, Next: "AcquireProofSlot" });
    });

    it("release only decrements for a holder, and never keeps the session from being finalized", () => {
        for (const [state, next] of [["ReleaseProofSlot", "FinalizeSucceeded"], ["ReleaseProofSlotAfterFailure", "FinalizeFailed"]] as const) {
            const s = def.States[state];
            assert.equal(s.Parameters.UpdateExpression, "SET #count = #count - :one REMOVE #holder");
            assert.equal(s.Parameters.ConditionExpression, "attribute_exists(#holder)");
            assert.equal(s.Next, next);
            assert.deepEqual(s.Catch.map((c) => [c.ErrorEquals, c.Next]), [[["DynamoDB.ConditionalCheckFailedException"], next], [["States.ALL"], next]]);
        }
    });

    it("a limit below 1 or a bad table name is reported with the field", () => {
        assert.deepEqual(proverStateMachineArgsProblems({ ...ARGS, maxConcurrentProofs: 0, proofSlotsTableName: "x" }), [
            'proofSlotsTableName: "x" is not a DynamoDB table name',
            "maxConcurrentProofs: 0 must be a positive integer",
        ]);
    });

    it("the wait bound: 1,714 polls of 60 s fit in the execution history; the default budget queues at most 25 h", () => {
        assert.equal(SLOT_POLL_SECONDS, 60);
        assert.equal(EVENTS_PER_POLL, 14);
        assert.equal(maxSlotWaitSeconds(), 102_840);
        // proofsPerDay 60, 2 at once, RunProver 1,500 s: 60 rounds of 1,500 s.
        assert.equal(queueWaitBoundSeconds(60, 2, 1500), 90_000);
        assert.equal(queueWaitBoundSeconds(61, 2, 1500), 91_500);
        assert.equal(queueWaitBoundSeconds(100, 2, 1500) > maxSlotWaitSeconds(), true);
    });

    it("builds the same states for another partition with its ARNs", () => {
        const states = buildProofSlotStates({ partition: "aws-cn", tableName: TABLE, maxConcurrentProofs: 3, next: "A", afterRelease: "B", afterFailureRelease: "C", catchAll: [] });
        assert.equal(states.AcquireProofSlot.Resource, "arn:aws-cn:states:::dynamodb:updateItem");
        assert.deepEqual(states.AcquireProofSlot.Parameters.ExpressionAttributeValues?.[":limit"], { N: "3" });
    });

    it("IAM: the state machine may only UpdateItem the slot table; the cleanup reads, updates and describes its own executions", () => {
        const tableArn = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/" + TABLE;
        assert.deepEqual(proofSlotsStateMachinePolicy(tableArn), {
            Version: "2012-10-17",
            Statement: [{ Sid: "TakeAndReleaseProverSlots", Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: tableArn }],
        });
        const ctx = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" };
        assert.deepEqual(proofSlotCleanupPolicy(ctx, tableArn, "stark-ballot-simulator-prover-dispatcher-develop").Statement, [
            { Sid: "ReadAndReleaseProverSlots", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: tableArn },
            {
                Sid: "DescribeProverExecutions",
                Effect: "Allow",
                Action: "states:DescribeExecution",
                Resource: "arn:aws:states:ap-northeast-1:123456789012:execution:stark-ballot-simulator-prover-dispatcher-develop:*",
            },
        ]);
    });

    it("the EventBridge pattern matches this state machine's FAILED, TIMED_OUT and ABORTED executions only", () => {
        const arn = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:m";
        const pattern = executionEndedPattern(arn);
        const event = (status: string, stateMachineArn = arn) => ({ source: "aws.states", "detail-type": "Step Functions Execution Status Change", detail: { status, stateMachineArn } });
        assert.deepEqual(["FAILED", "TIMED_OUT", "ABORTED", "SUCCEEDED", "RUNNING"].map((s) => matchesPattern(pattern, event(s))), [true, true, true, false, false]);
        assert.equal(matchesPattern(pattern, event("FAILED", `${arn}-other`)), false);
    });
});

describe("proof slots, executed locally against DynamoDB", () => {
    let dynamo: LocalDynamo;
    before(async () => {
        dynamo = await startLocalDynamo();
        await createTable(dynamo.client, TABLE, PROOF_SLOTS_TABLE_SCHEMA);
    });
    after(async () => dynamo.stop());
    beforeEach(async () => {
        await dynamo.client.send(new DeleteItemCommand({ TableName: TABLE, Key: KEY }));
    });
    const item = async () => (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: KEY, ConsistentRead: true }))).Item;
    const handlers = (runProver: ProverTaskHandlers["runProver"]): ProverTaskHandlers => ({
        verifyImageSignature: () => SIGNED,
        runProver,
        finalize: () => ({ outcome: "updated" }),
        dynamodb: dynamo.client,
    });

    it("limit 1: the second execution waits (WaitForProofSlot) until the first releases; never two running", async () => {
        const def = buildProverStateMachineDefinition(ARGS);
        let running = 0;
        let maxRunning = 0;
        const runProver = async () => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((r) => setTimeout(r, 150));
            running -= 1;
            return TASK;
        };
        const [a, b] = await Promise.all(["e-1", "e-2"].map((id) => runProverStateMachine(def, input(id), handlers(runProver), { waitMs: 20 })));
        assert.deepEqual([a.status, b.status], ["SUCCEEDED", "SUCCEEDED"]);
        assert.equal(maxRunning, 1);
        const waited = [a, b].filter((r) => r.path.includes("WaitForProofSlot"));
        assert.equal(waited.length, 1);
        assert.deepEqual(waited[0].path.slice(-3), ["RunProver", "ReleaseProofSlot", "FinalizeSucceeded"]);
        assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "0" } });
    });

    it("an acquire whose answer was lost: CheckProofSlotHeld finds the holder and runs without taking a second slot", async () => {
        const def = buildProverStateMachineDefinition({ ...ARGS, maxConcurrentProofs: 2 });
        await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...KEY, slotsTaken: { N: "1" }, "e-9": { S: localExecutionArn("e-9") } } }));
        let countDuringRun: unknown;
        const r = await runProverStateMachine(def, input("e-9"), handlers(async () => ((countDuringRun = (await item())?.slotsTaken), TASK)), { waitMs: 20 });
        assert.equal(r.status, "SUCCEEDED");
        assert.deepEqual(r.path.slice(2, 5), ["AcquireProofSlot", "CheckProofSlotHeld", "RunProver"]);
        assert.deepEqual(countDuringRun, { N: "1" });
        assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "0" } });
    });

    for (const [label, failure] of [
        ["States.TaskFailed", "States.TaskFailed"],
        ["States.Timeout", "States.Timeout"],
    ] as const) {
        it(`a prover that fails with ${label} gives its slot back before FinalizeFailed`, async () => {
            const def = buildProverStateMachineDefinition(ARGS);
            const r = await runProverStateMachine(def, input("e-f"), handlers(() => { throw Object.assign(new Error("{}"), { name: failure }); }));
            assert.equal(r.status, "SUCCEEDED");
            assert.deepEqual(r.path.slice(-3), ["RunProver", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
            assert.equal(r.finalizeCalls[0].event.status, "FAILED");
            assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "0" } });
        });
    }

    it("a refused image never takes a slot; a failure before acquiring releases nothing", async () => {
        const def = buildProverStateMachineDefinition(ARGS);
        const r = await runProverStateMachine(def, input("e-g"), { ...handlers(() => TASK), verifyImageSignature: () => { throw Object.assign(new Error("boom"), { name: "Error" }); } });
        assert.deepEqual(r.path, ["VerifyImageSignature", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
        assert.equal(await item(), undefined);
    });

    describe("an aborted execution leaks its slot; the cleanup reclaims it", () => {
        const stateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-test";
        const abortHolding = async (id: string) => {
            const def = buildProverStateMachineDefinition(ARGS);
            const stop = new AbortController();
            const r = await runProverStateMachine(def, input(id), handlers(async (_request, signal) => {
                stop.abort();
                await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
                return TASK;
            }), { signal: stop.signal });
            assert.equal(r.status, "ABORTED");
            assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "1" }, [id]: { S: localExecutionArn(id) } });
        };
        const sfn = (statuses: Record<string, string>) => {
            const client = new SFNClient({ region: "us-east-1" });
            mockClient(client).on(DescribeExecutionCommand).callsFake(async ({ executionArn }: { executionArn: string }) => {
                const status = statuses[executionArn];
                if (status === undefined) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });
                return { executionArn, status };
            });
            return client;
        };
        const cleanup = (client: SFNClient) => createCleanupHandler({ dynamodb: dynamo.client, sfn: client, tableName: TABLE, stateMachineArn, logger: createLogger(() => undefined) });

        it("on the ABORTED status change event", async () => {
            await abortHolding("e-a");
            const event = { source: "aws.states", "detail-type": "Step Functions Execution Status Change", detail: { stateMachineArn, name: "e-a", status: "ABORTED" } };
            assert.deepEqual(await cleanup(sfn({}))(event), { released: ["e-a"], checked: 1 });
            assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "0" } });
            // A second delivery (EventBridge delivers at least once) releases nothing more.
            assert.deepEqual(await cleanup(sfn({}))(event), { released: [], checked: 1 });
            assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "0" } });
        });

        it("by the sweep when the event was lost; a RUNNING holder keeps its slot", async () => {
            await abortHolding("e-b");
            await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...KEY, slotsTaken: { N: "2" }, "e-b": { S: localExecutionArn("e-b") }, "e-c": { S: localExecutionArn("e-c") } } }));
            const summary = await cleanup(sfn({ [localExecutionArn("e-b")]: "ABORTED", [localExecutionArn("e-c")]: "RUNNING" }))({ "detail-type": "Scheduled Event", detail: {} });
            assert.deepEqual(summary, { released: ["e-b"], checked: 2 });
            assert.deepEqual(await item(), { semaphore: { S: "prover" }, slotsTaken: { N: "1" }, "e-c": { S: localExecutionArn("e-c") } });
        });

        it("refuses another state machine's event (InvalidInput), releasing nothing", async () => {
            await abortHolding("e-d");
            const event = { "detail-type": "Step Functions Execution Status Change", detail: { stateMachineArn: `${stateMachineArn}-other`, name: "e-d", status: "ABORTED" } };
            await assert.rejects(cleanup(sfn({}))(event), { name: "InvalidInput" });
            assert.deepEqual((await item())?.slotsTaken, { N: "1" });
        });
    });
});
