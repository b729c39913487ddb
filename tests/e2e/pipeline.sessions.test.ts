/**
 * Sessions and their capabilities through the synthesized develop stack (local/pipeline.ts): created
 * explicitly with a captcha, presented on every attempt, expiring; and a finalize callback that
 * accepts only its own state machine's executions.
 */
import * as assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { CAPABILITY_HEADER } from "../../lambdas/api/capability";
import type { SessionRecord } from "../../lambdas/shared/contracts";
import { InvalidInput } from "../../lambdas/shared/validation";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import type { LocalPipeline } from "../../local/pipeline";
import { type Accepted, requestProof, startPipeline, statusOf } from "./support/pipeline";

describe("local pipeline (develop): sessions, capabilities and the finalize callback's origin", function () {
    let pipeline: LocalPipeline;
    let proven: Accepted;

    before(async () => {
        pipeline = await startPipeline();
        proven = await requestProof(pipeline, "proven");
        await pipeline.deliverWork();
        await pipeline.settled();
        assert.equal((await statusOf(pipeline, proven)).status, "succeeded");
    });
    after(() => pipeline.stop());

    const finalize = (sessionId: string, capability: string | undefined, input: object = SAMPLE_INPUT) =>
        pipeline.request(postJson("/api/finalize", { sessionId, input }, capability === undefined ? {} : { [CAPABILITY_HEADER]: capability }));

    it("creates a session only for a solved captcha, asking the provider the stack's captcha secret", async () => {
        const asked = pipeline.turnstile.requests.length;
        const unsolved = await pipeline.request(postJson("/api/sessions", { captchaToken: "not-from-the-widget" }, {}, "203.0.113.9"));
        assert.deepEqual([unsolved.status, unsolved.json], [403, { error: { code: "captcha_failed", message: "the captcha was not solved or has expired" } }]);
        const secret = pipeline.wiring.parameters[pipeline.wiring.functions.api.environment.SECRET_PARAMETER_CAPTCHA].value;
        // One question, with the secret read from SSM, the visitor's token and address.
        assert.deepEqual(pipeline.turnstile.requests.slice(asked), [{ secret, response: "not-from-the-widget", remoteip: "203.0.113.9" }]);
        assert.ok(pipeline.turnstile.requests.every((r) => r.secret === secret), "every question carried the secret read from SSM");

        const session = await pipeline.createSession();
        assert.match(session.sessionId, /^[0-9a-f-]{36}$/);
        assert.equal(Date.parse(session.expiresAt) - Date.now() <= 86400 * 1000, true);
        assert.deepEqual((await statusOf(pipeline, session)).status, "created");
    });

    it("refuses a proof attempt without a capability or for an unknown session, revealing nothing to a non-holder", async () => {
        const session = await pipeline.createSession();
        const none = await finalize(session.sessionId, undefined);
        assert.equal(none.status, 401);
        const foreign = await finalize(session.sessionId, proven.capability);
        assert.deepEqual([foreign.status, foreign.json], [403, { error: { code: "invalid_capability", message: "X-Session-Capability does not match this session" } }]);
        // The same answer whether the session exists or not.
        const unknown = await finalize("00000000-0000-4000-8000-000000000000", proven.capability);
        assert.deepEqual([unknown.status, unknown.json], [foreign.status, foreign.json]);
        assert.deepEqual(pipeline.workQueue.messages(), []);
    });

    it("never replaces the succeeded proof (develop does not allow re-proving); its bundle stays downloadable", async () => {
        const again = await finalize(proven.sessionId, proven.capability);
        assert.deepEqual([again.status, again.json], [409, { error: { code: "already_proven", message: "this session's proof succeeded; the stack does not allow proving it again" } }]);
        assert.equal(pipeline.wiring.functions.api.environment.ALLOW_REPROVING, "false");
        const view = await statusOf(pipeline, proven);
        assert.deepEqual([view.status, view.executionId], ["succeeded", proven.executionId]);
        const bundle = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: pipeline.wiring.bucket, Key: view.bundleKey! }));
        assert.ok((bundle.ContentLength ?? 0) > 0);
    });

    it("answers 403 capability_expired once the capability outlives SESSION_CAPABILITY_TTL_SECONDS, on every route", async () => {
        const session = await pipeline.createSession();
        const ttl = Number(pipeline.wiring.functions.api.environment.SESSION_CAPABILITY_TTL_SECONDS);
        assert.equal(ttl, 86400);
        pipeline.advanceApiClock(ttl + 1);
        try {
            const expired = { status: 403, json: { error: { code: "capability_expired", message: "X-Session-Capability has expired; create a new session" } } };
            const attempt = await finalize(session.sessionId, session.capability);
            assert.deepEqual([attempt.status, attempt.json], [expired.status, expired.json]);
            const status = await pipeline.request({ method: "GET", path: `/api/sessions/${proven.sessionId}/status`, headers: { [CAPABILITY_HEADER]: proven.capability } });
            assert.deepEqual([status.status, status.json], [expired.status, expired.json]);
            assert.equal((await pipeline.session(session.sessionId))?.status, undefined, "no attempt was created");
            assert.deepEqual(pipeline.workQueue.messages(), []);
        } finally {
            pipeline.advanceApiClock(-(ttl + 1));
        }
    });

    describe("a forged finalize event", () => {
        let target: SessionRecord;

        before(async () => {
            target = (await pipeline.session(proven.sessionId))!;
        });

        const forgeries: [string, (record: SessionRecord) => object, string][] = [
            ["from another state machine in the same account", (record) => ({
                status: "FAILED",
                payload: { sessionId: record.sessionId, executionId: record.executionId, inputS3Key: `sessions/${record.sessionId}/${record.executionId}/input.json`, queuedAt: "2026-03-01T00:00:00.000Z" },
                executionArn: `arn:aws:states:ap-northeast-1:123456789012:execution:attacker-machine:${record.executionId}`,
                error: { Error: "Forged", Cause: "overwrite a published proof" },
            }), "executionArn must be an execution of"],
            ["naming another session's input key", (record) => ({
                status: "SUCCEEDED",
                payload: { sessionId: record.sessionId, executionId: record.executionId, inputS3Key: "sessions/victim/e/input.json", queuedAt: "2026-03-01T00:00:00.000Z" },
                executionArn: `${pipeline.wiring.stateMachine.arn.replace(":stateMachine:", ":execution:")}:${record.executionId}`,
                proverResult: {},
            }), "payload.inputS3Key must be the input key of this session's attempt"],
        ];
        for (const [label, forge, problem] of forgeries) {
            it(`${label} is rejected and the session is untouched`, async () => {
                await assert.rejects(pipeline.invokeFunction("finalize-callback", forge(target)), (error: unknown) =>
                    error instanceof InvalidInput && error.message.includes(problem),
                );
                assert.deepEqual(await pipeline.session(proven.sessionId), target);
                const errors = pipeline.logsOf("finalize-callback").filter((l) => l.level === "ERROR");
                assert.equal(errors.at(-1)?.message, "rejected finalize event");
            });
        }
    });

    it("carries the client's input to input.json byte for byte (whitespace, key order and escapes as sent)", async () => {
        const session = await pipeline.createSession();
        const inputText = `{ "2": "second", "1": "first", "note": "\\u00e9", "ballot": ${JSON.stringify(SAMPLE_INPUT)} }`;
        const body = `{"sessionId":"${session.sessionId}",\n "input": ${inputText}}`;
        const response = await pipeline.request({ method: "POST", path: "/api/finalize", headers: { "content-type": "application/json", [CAPABILITY_HEADER]: session.capability }, body });
        assert.equal(response.status, 202, JSON.stringify(response.json));
        const { executionId } = response.json as { executionId: string };
        const message = JSON.parse(pipeline.workQueue.messages()[0].body) as { inputJson: string };
        assert.equal(message.inputJson, inputText);
        // Dispatch only (the fake host would refuse this input): input.json is written before the execution starts.
        await pipeline.deliverWork();
        const object = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: pipeline.wiring.bucket, Key: `sessions/${session.sessionId}/${executionId}/input.json` }));
        assert.equal(await object.Body!.transformToString(), inputText);
        await pipeline.settled();
    });
});
