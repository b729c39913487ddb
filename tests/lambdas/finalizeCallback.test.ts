import * as assert from "node:assert/strict";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { loadFinalizeConfig } from "../../lambdas/finalize-callback/config";
import { createFinalizeHandler } from "../../lambdas/finalize-callback/finalize";
import { MAX_STORED_CAUSE_CHARS } from "../../lambdas/shared/sessionStore";
import { IMAGE_SIGNATURE_FAILED_ERROR, type SessionRecord } from "../../lambdas/shared/contracts";
import { SessionStore } from "../../lambdas/shared/sessionStore";
import { InvalidInput } from "../../lambdas/shared/validation";
import { startLocalDynamo, type LocalDynamo } from "../../local/servers";
import { captureLogs, type CapturedLogs } from "./support/logs";
import { TABLES, createAllTables } from "./support/tables";

const NOW = new Date("2026-03-01T12:30:00.000Z");
const EARLIER = "2026-03-01T12:00:00.000Z";
const STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-develop";
const ARN_BASE = "arn:aws:states:us-east-1:123456789012:execution:stark-ballot-simulator-prover-dispatcher-develop";

describe("finalize-callback", () => {
    let dynamo: LocalDynamo;
    let documents: DynamoDBDocumentClient;
    let sessions: SessionStore;
    let logs: CapturedLogs;
    let counter = 0;

    before(async () => {
        dynamo = await startLocalDynamo();
        await createAllTables(dynamo.client);
        documents = DynamoDBDocumentClient.from(dynamo.client);
        sessions = new SessionStore(documents, TABLES.sessions);
    });
    after(() => dynamo.stop());
    beforeEach(() => {
        logs = captureLogs();
    });

    const finalize = (event: unknown) =>
        createFinalizeHandler({ sessions, proofPrefix: "sessions/", stateMachineArn: STATE_MACHINE_ARN, logger: logs.logger, now: () => NOW })(event);

    /** A session item as dispatch leaves it, plus an attribute the application owns. */
    async function session(executionId: string, status: SessionRecord["status"] = "running"): Promise<string> {
        const sessionId = `s-${++counter}`;
        await documents.send(
            new PutCommand({
                TableName: TABLES.sessions,
                Item: { sessionId, status, executionId, executionArn: `${ARN_BASE}:${executionId}`, queuedAt: EARLIER, updatedAt: EARLIER, voterCount: 3 },
            }),
        );
        return sessionId;
    }

    function payload(sessionId: string, executionId: string) {
        return { sessionId, executionId, inputS3Key: `sessions/${sessionId}/${executionId}/input.json`, queuedAt: EARLIER };
    }
    function succeeded(sessionId: string, executionId: string) {
        return { status: "SUCCEEDED", payload: payload(sessionId, executionId), executionArn: `${ARN_BASE}:${executionId}`, proverResult: { StopCode: "EssentialContainerExited" } };
    }
    function failed(sessionId: string, executionId: string, error: object = { Error: "States.TaskFailed", Cause: "exit 1" }) {
        return { status: "FAILED", payload: payload(sessionId, executionId), executionArn: `${ARN_BASE}:${executionId}`, error };
    }

    it("records success with the bundle key and keeps the application's own attributes", async () => {
        const sessionId = await session("e1");
        assert.deepEqual(await finalize(succeeded(sessionId, "e1")), { sessionId, executionId: "e1", status: "succeeded", outcome: "updated" });
        assert.deepEqual(await sessions.get(sessionId), {
            sessionId,
            status: "succeeded",
            executionId: "e1",
            executionArn: `${ARN_BASE}:e1`,
            bundleKey: `sessions/${sessionId}/e1/bundle.zip`,
            queuedAt: EARLIER,
            updatedAt: NOW.toISOString(),
            voterCount: 3,
        });
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg]), [["INFO", "session finalized"]]);
    });

    it("records failure with Step Functions' {Error, Cause}", async () => {
        const sessionId = await session("e1");
        const error = { Error: IMAGE_SIGNATURE_FAILED_ERROR, Cause: "signing status was MISSING" };
        assert.equal((await finalize(failed(sessionId, "e1", error))).outcome, "updated");
        assert.deepEqual(await sessions.get(sessionId), {
            sessionId,
            status: "failed",
            executionId: "e1",
            executionArn: `${ARN_BASE}:e1`,
            error,
            queuedAt: EARLIER,
            updatedAt: NOW.toISOString(),
            voterCount: 3,
        });
    });

    it("finalizes an attempt still marked pending (dispatch could not mark it running)", async () => {
        const sessionId = await session("e1", "pending");
        assert.equal((await finalize(failed(sessionId, "e1", { Error: "States.Timeout" }))).outcome, "updated");
        assert.deepEqual((await sessions.get(sessionId))?.error, { Error: "States.Timeout" });
    });

    it("bounds a long Cause so the item stays small", async () => {
        const sessionId = await session("e1");
        await finalize(failed(sessionId, "e1", { Error: "States.TaskFailed", Cause: "x".repeat(MAX_STORED_CAUSE_CHARS + 10) }));
        assert.equal((await sessions.get(sessionId))?.error?.Cause, `${"x".repeat(MAX_STORED_CAUSE_CHARS)}…[truncated]`);
    });

    it("treats a duplicate of the same result as a no-op success", async () => {
        const sessionId = await session("e1");
        await finalize(succeeded(sessionId, "e1"));
        const written = await sessions.get(sessionId);
        const later = createFinalizeHandler({ sessions, proofPrefix: "sessions/", stateMachineArn: STATE_MACHINE_ARN, logger: logs.logger, now: () => new Date("2026-03-02T00:00:00.000Z") });

        assert.deepEqual(await later(succeeded(sessionId, "e1")), { sessionId, executionId: "e1", status: "succeeded", outcome: "duplicate" });
        assert.deepEqual(await sessions.get(sessionId), written);
        assert.deepEqual(logs.entries()[1].msg, "duplicate finalize callback; nothing to do");
    });

    it("ignores, with a WARN, a callback for an older attempt", async () => {
        const sessionId = await session("e2", "pending");
        const before = await sessions.get(sessionId);

        assert.deepEqual(await finalize(failed(sessionId, "e1")), { sessionId, executionId: "e1", status: "failed", outcome: "ignored-stale" });
        assert.deepEqual(await sessions.get(sessionId), before);
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.currentExecutionId, entry.currentStatus]), [
            ["WARN", "finalize callback for an older attempt ignored", "e2", "pending"],
        ]);
    });

    it("keeps the first terminal result when the same attempt reports the other one", async () => {
        const sessionId = await session("e1");
        await finalize(succeeded(sessionId, "e1"));
        assert.equal((await finalize(failed(sessionId, "e1"))).outcome, "ignored-conflicting");
        assert.equal((await sessions.get(sessionId))?.status, "succeeded");
        assert.equal(logs.at("WARN").length, 1);
    });

    it("ignores, with a WARN, a callback for an unknown session", async () => {
        assert.equal((await finalize(succeeded("unknown-session", "e1"))).outcome, "ignored-missing");
        assert.equal(await sessions.get("unknown-session"), undefined);
        assert.equal(logs.at("WARN")[0].msg, "finalize callback for an unknown session ignored");
    });

    const base = succeeded("s-x", "e1");
    const baseFailed = failed("s-x", "e1");
    const invalid: [string, unknown, string[]][] = [
        ["a non-object", "SUCCEEDED", ["event must be an object"]],
        ["an unknown status", { ...base, status: "RUNNING" }, ['status must be "SUCCEEDED" or "FAILED", got "RUNNING"']],
        ["SUCCEEDED without proverResult", { ...base, proverResult: undefined }, ["missing field proverResult"]],
        ["SUCCEEDED carrying an error", { ...base, error: { Error: "x" } }, ["unexpected field error"]],
        ["FAILED carrying a proverResult", { ...baseFailed, proverResult: {} }, ["unexpected field proverResult"]],
        ["FAILED without an error", { ...baseFailed, error: undefined }, ["error must be an object {Error, Cause}"]],
        ["an error with lower-case keys", { ...baseFailed, error: { error: "ImageSignatureVerificationFailed", cause: "x" } }, [
            "unexpected field error.error",
            "unexpected field error.cause",
            "error.Error must be a non-empty string",
        ]],
        ["a non-string Cause", { ...baseFailed, error: { Error: "E", Cause: 5 } }, ["error.Cause must be a string"]],
        ["a missing payload", { ...base, payload: undefined }, ["payload must be an object"]],
        ["a payload with a bad sessionId and no queuedAt", { ...base, payload: { ...base.payload, sessionId: "a/b", queuedAt: undefined } }, [
            "payload.sessionId must be 1-128 characters of A-Z a-z 0-9 - _",
            "payload.queuedAt must be an ISO-8601 date-time with a time zone",
        ]],
        ["a payload without inputS3Key", { ...base, payload: { ...base.payload, inputS3Key: "" } }, ["payload.inputS3Key must be a non-empty string"]],
        ["a missing executionArn", { ...base, executionArn: undefined }, ["executionArn must be a non-empty string"]],
        ["an executionArn that is not one", { ...base, executionArn: "exec-1" }, ["executionArn must be a Step Functions execution ARN"]],
        ["an executionArn of another execution", { ...base, executionArn: `${ARN_BASE}:e2` }, ["executionArn must name the execution payload.executionId"]],
    ];
    for (const [label, event, problems] of invalid) {
        it(`rejects ${label} with InvalidInput and one ERROR line`, async () => {
            await assert.rejects(
                finalize(JSON.parse(JSON.stringify(event))),
                (error: unknown) =>
                    error instanceof InvalidInput && error.message === `invalid finalize event: ${problems.join("; ")}`,
            );
            assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.problems]), [
                ["ERROR", "rejected finalize event", problems],
            ]);
            assert.equal(await sessions.get("s-x"), undefined);
        });
    }

    // Events that are well formed but not from this stack's state machine, or not about this attempt's input.
    const foreign: [string, (sessionId: string) => object, string[]][] = [
        ["another state machine's execution", (id) => ({ ...succeeded(id, "e1"), executionArn: "arn:aws:states:us-east-1:123456789012:execution:someone-elses-machine:e1" }), [
            `executionArn must be an execution of ${STATE_MACHINE_ARN} named payload.executionId`,
        ]],
        ["the same machine name in another account", (id) => ({ ...succeeded(id, "e1"), executionArn: `${ARN_BASE}:e1`.replace("123456789012", "210987654321") }), [
            `executionArn must be an execution of ${STATE_MACHINE_ARN} named payload.executionId`,
        ]],
        ["the same machine name in another region", (id) => ({ ...failed(id, "e1"), executionArn: `${ARN_BASE}:e1`.replace("us-east-1", "eu-west-1") }), [
            `executionArn must be an execution of ${STATE_MACHINE_ARN} named payload.executionId`,
        ]],
        ["the same machine in another partition", (id) => ({ ...succeeded(id, "e1"), executionArn: `${ARN_BASE}:e1`.replace("arn:aws:", "arn:aws-cn:") }), [
            `executionArn must be an execution of ${STATE_MACHINE_ARN} named payload.executionId`,
        ]],
        ["an input key of another session", (id) => {
            const event = succeeded(id, "e1");
            return { ...event, payload: { ...event.payload, inputS3Key: "sessions/someone-else/e1/input.json" } };
        }, ["payload.inputS3Key must be the input key of this session's attempt"]],
    ];
    for (const [label, event, problems] of foreign) {
        it(`rejects ${label} before touching the session`, async () => {
            const sessionId = await session("e1");
            const before = await sessions.get(sessionId);
            await assert.rejects(
                finalize(event(sessionId)),
                (error: unknown) => error instanceof InvalidInput && error.message === `invalid finalize event: ${problems.join("; ")}`,
            );
            assert.deepEqual(await sessions.get(sessionId), before);
            assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.problems]), [["ERROR", "rejected finalize event", problems]]);
        });
    }

    it("allows extra payload fields, which pass through $.payload whole", async () => {
        const sessionId = await session("e1");
        const event = succeeded(sessionId, "e1");
        assert.equal((await finalize({ ...event, payload: { ...event.payload, extra: true } })).outcome, "updated");
    });

    describe("verified proofs", () => {
        const verification = (sessionId: string, executionId: string) => ({
            status: "success",
            bundleKey: `sessions/${sessionId}/${executionId}/bundle.zip`,
            reportKey: `sessions/${sessionId}/${executionId}/verification.json`,
            expectedImageId: "5a".repeat(32),
        });

        it("stores the report key, derived from the ids, beside the bundle key", async () => {
            const sessionId = await session("v1");
            // A report key in the event pointing elsewhere is not what gets stored: the key is derived.
            const event = { ...succeeded(sessionId, "v1"), verification: { ...verification(sessionId, "v1"), reportKey: "elsewhere/verification.json" } };
            assert.equal((await finalize(event)).outcome, "updated");
            const stored = await sessions.get(sessionId);
            assert.equal(stored?.verificationReportKey, `sessions/${sessionId}/v1/verification.json`);
            assert.equal(stored?.bundleKey, `sessions/${sessionId}/v1/bundle.zip`);
        });

        it("a later unverified success or a failure removes an older attempt's report key", async () => {
            const sessionId = await session("v2");
            await finalize({ ...succeeded(sessionId, "v2"), verification: verification(sessionId, "v2") });
            await sessions.createAttempt({ sessionId, executionId: "v3", queuedAt: EARLIER, allowReproving: true });
            assert.equal((await sessions.get(sessionId))?.verificationReportKey, undefined);
            await sessions.markRunning({ sessionId, executionId: "v3", executionArn: `${ARN_BASE}:v3`, updatedAt: EARLIER });
            await finalize(succeeded(sessionId, "v3"));
            assert.equal((await sessions.get(sessionId))?.verificationReportKey, undefined);
        });

        const bad: [string, unknown, string][] = [
            ["a failed verdict", { status: "failed" }, "verification.status is failed: only a success verdict may finalize a proof as succeeded"],
            ["a dev_mode verdict", { status: "dev_mode" }, "verification.status is dev_mode: only a success verdict may finalize a proof as succeeded"],
            ["a short image id", { expectedImageId: "ab" }, "verification.expectedImageId must be 64 lower-case hex"],
            ["an extra field", { extra: 1 }, "unexpected field verification.extra"],
        ];
        for (const [what, change, problem] of bad) {
            it(`rejects a SUCCEEDED event with ${what} (InvalidInput)`, async () => {
                const sessionId = await session("v9");
                await assert.rejects(finalize({ ...succeeded(sessionId, "v9"), verification: { ...verification(sessionId, "v9"), ...(change as object) } }), (error: InvalidInput) => {
                    assert.equal(error.name, "InvalidInput");
                    assert.deepEqual(error.problems, [problem]);
                    return true;
                });
            });
        }
    });

    it("reads exactly LAMBDA_ENV.finalizeCallback", () => {
        assert.deepEqual(loadFinalizeConfig({ SESSIONS_TABLE: "t", S3_PROOF_PREFIX: "", STATE_MACHINE_ARN }), { sessionsTable: "t", proofPrefix: "", stateMachineArn: STATE_MACHINE_ARN });
        assert.throws(() => loadFinalizeConfig({ S3_PROOF_PREFIX: "p/" }), /missing required environment variable\(s\): SESSIONS_TABLE, STATE_MACHINE_ARN$/);
        assert.throws(() => loadFinalizeConfig({ SESSIONS_TABLE: "t", S3_PROOF_PREFIX: "p", STATE_MACHINE_ARN }), /S3_PROOF_PREFIX: "p" must be empty or end in "\/"/);
        assert.throws(() => loadFinalizeConfig({ SESSIONS_TABLE: "t", S3_PROOF_PREFIX: "", STATE_MACHINE_ARN: "sm" }), /STATE_MACHINE_ARN must be a state machine ARN, got "sm"/);
    });
});
