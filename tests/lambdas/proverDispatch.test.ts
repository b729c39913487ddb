import * as assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { executionArnFor, loadDispatchConfig, type DispatchConfig } from "../../lambdas/prover-dispatch/config";
import { createDispatchHandler } from "../../lambdas/prover-dispatch/dispatch";
import { SessionStore } from "../../lambdas/shared/sessionStore";
import { startLocalDynamo, startLocalS3, type LocalDynamo, type LocalS3 } from "../../local/servers";
import { captureLogs, type CapturedLogs } from "./support/logs";
import { sqsEvent, sqsRecord } from "../../local/events";
import { recordCommands, type RecordedCommand } from "./support/recorder";
import { TABLES, createAllTables } from "./support/tables";

const BUCKET = "proofs-test";
const STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-develop";
const EXECUTION_ARN_BASE = "arn:aws:states:us-east-1:123456789012:execution:stark-ballot-simulator-prover-dispatcher-develop";
const NOW = new Date("2026-03-01T12:00:05.000Z");
const QUEUED_AT = "2026-03-01T12:00:00.000Z";

function throttling(): Error {
    return Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
}

describe("prover-dispatch", () => {
    let s3: LocalS3;
    let dynamo: LocalDynamo;
    let s3Client: S3Client;
    let s3Requests: RecordedCommand[];
    let sessions: SessionStore;
    let logs: CapturedLogs;
    let sessionCounter = 0;
    let sfnMock: AwsClientStub<SFNClient>;
    const config: DispatchConfig = { stateMachineArn: STATE_MACHINE_ARN, bucket: BUCKET, proofPrefix: "sessions/", sessionsTable: TABLES.sessions };

    before(async () => {
        // Installed per suite (mockClient stubs the class prototype, shared by every test file).
        sfnMock = mockClient(SFNClient);
        s3 = await startLocalS3([BUCKET]);
        dynamo = await startLocalDynamo();
        await createAllTables(dynamo.client);
        s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
        s3Requests = recordCommands(s3Client);
        sessions = new SessionStore(DynamoDBDocumentClient.from(dynamo.client), TABLES.sessions);
    });
    after(async () => {
        sfnMock.restore();
        s3Client.destroy();
        await s3.stop();
        await dynamo.stop();
    });
    beforeEach(() => {
        sfnMock.reset();
        s3Requests.length = 0;
        logs = captureLogs();
    });

    function dispatcher(overrides: Partial<DispatchConfig> = {}) {
        return createDispatchHandler({
            config: { ...config, ...overrides },
            s3: s3Client,
            sfn: new SFNClient({ region: "us-east-1" }),
            sessions,
            logger: logs.logger,
            now: () => NOW,
        });
    }

    /** A fresh session with a pending attempt, as the api leaves it. */
    async function pendingSession(executionId: string): Promise<string> {
        const sessionId = `session-${++sessionCounter}`;
        assert.equal(await sessions.createSession(sessionId, QUEUED_AT), true);
        const created = await sessions.createAttempt({ sessionId, executionId, queuedAt: QUEUED_AT, allowReproving: false });
        assert.deepEqual(created, { applied: true });
        return sessionId;
    }

    function workBody(sessionId: string, executionId: string, input: Record<string, unknown> = { votes: [1, 0, 1] }): string {
        return JSON.stringify({ sessionId, executionId, queuedAt: QUEUED_AT, inputJson: JSON.stringify(input) });
    }

    async function storedInput(key: string): Promise<{ body: string; contentType: string | undefined }> {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return { body: await object.Body!.transformToString(), contentType: object.ContentType };
    }

    it("writes input.json, starts the execution named after the attempt and marks the session running", async () => {
        const sessionId = await pendingSession("exec-1");
        const executionArn = `${EXECUTION_ARN_BASE}:exec-1`;
        sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: NOW });

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-1", workBody(sessionId, "exec-1", { votes: [1, 0, 1], nested: { a: "b" } }))));

        assert.deepEqual(response, { batchItemFailures: [] });
        const inputKey = `sessions/${sessionId}/exec-1/input.json`;
        assert.deepEqual(await storedInput(inputKey), { body: '{"votes":[1,0,1],"nested":{"a":"b"}}', contentType: "application/json" });
        assert.deepEqual(
            s3Requests,
            [
                {
                    command: "PutObjectCommand",
                    input: {
                        Bucket: BUCKET,
                        Key: inputKey,
                        Body: '{"votes":[1,0,1],"nested":{"a":"b"}}',
                        ContentType: "application/json",
                        IfNoneMatch: "*",
                        ServerSideEncryption: "AES256",
                    },
                },
            ],
        );

        const starts = sfnMock.commandCalls(StartExecutionCommand);
        assert.equal(starts.length, 1);
        assert.deepEqual(starts[0].args[0].input, {
            stateMachineArn: STATE_MACHINE_ARN,
            name: "exec-1",
            input: JSON.stringify({
                payload: { sessionId, executionId: "exec-1", inputS3Key: inputKey, queuedAt: QUEUED_AT },
                messageId: "msg-1",
                receivedAt: NOW.toISOString(),
            }),
        });

        assert.deepEqual(await sessions.get(sessionId), {
            sessionId,
            createdAt: QUEUED_AT,
            status: "running",
            executionId: "exec-1",
            executionArn,
            queuedAt: QUEUED_AT,
            updatedAt: NOW.toISOString(),
        });
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.executionArn, entry.alreadyStarted]), [
            ["INFO", "dispatched proof execution", executionArn, false],
        ]);
    });

    it("writes the client's input text byte for byte (whitespace, escapes, key order, big integers as sent)", async () => {
        const sessionId = await pendingSession("exec-raw");
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_BASE}:exec-raw`, startDate: NOW });
        const inputJson = '{ "2": "b", "1": "a",\n  "name": "\\u00e9l\\u00e8ve", "n": 12345, "x": [] }';
        const body = JSON.stringify({ sessionId, executionId: "exec-raw", queuedAt: QUEUED_AT, inputJson });

        assert.deepEqual(await dispatcher()(sqsEvent(sqsRecord("msg-raw", body))), { batchItemFailures: [] });

        // JSON.stringify(JSON.parse(...)) would have moved "1" before "2", decoded the escapes and dropped the whitespace.
        assert.equal((await storedInput(`sessions/${sessionId}/exec-raw/input.json`)).body, inputJson);
    });

    it("never rewrites an input.json that exists (If-None-Match: *): a redelivery starts the execution with the first input", async () => {
        const sessionId = await pendingSession("exec-once");
        const inputKey = `sessions/${sessionId}/exec-once/input.json`;
        // What an earlier delivery wrote before StartExecution failed (and a running prover may have read).
        await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: inputKey, Body: '{"first":true}', ContentType: "application/json" }));
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_BASE}:exec-once`, startDate: NOW });

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-again", workBody(sessionId, "exec-once", { second: true }), 2)));

        assert.deepEqual(response, { batchItemFailures: [] });
        assert.equal((await storedInput(inputKey)).body, '{"first":true}');
        assert.equal(sfnMock.commandCalls(StartExecutionCommand).length, 1);
        assert.equal((await sessions.get(sessionId))?.status, "running");
        assert.deepEqual(logs.entries().map((entry) => [entry.msg, entry.inputWritten]), [["dispatched proof execution", false]]);
    });

    it("writes a message an older api queued with `input` as an object", async () => {
        const sessionId = await pendingSession("exec-legacy");
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_BASE}:exec-legacy`, startDate: NOW });
        const body = JSON.stringify({ sessionId, executionId: "exec-legacy", queuedAt: QUEUED_AT, input: { votes: [1] } });
        assert.deepEqual(await dispatcher()(sqsEvent(sqsRecord("msg-legacy", body))), { batchItemFailures: [] });
        assert.equal((await storedInput(`sessions/${sessionId}/exec-legacy/input.json`)).body, '{"votes":[1]}');
    });

    describe("the local S3 stand-in's conditional writes (as S3 answers them)", () => {
        it("refuses If-None-Match: * on an existing key with 412 PreconditionFailed, and any other value with 501", async () => {
            const key = "conditional/exists.json";
            await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "one", IfNoneMatch: "*" }));
            await assert.rejects(
                s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "two", IfNoneMatch: "*" })),
                (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => error.name === "PreconditionFailed" && error.$metadata?.httpStatusCode === 412,
            );
            await assert.rejects(
                s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "two", IfNoneMatch: '"etag"' })),
                (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => error.name === "NotImplemented" && error.$metadata?.httpStatusCode === 501,
            );
            assert.equal(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString(), "one");
        });
    });

    it("treats ExecutionAlreadyExists as success and records the computed execution ARN", async () => {
        const sessionId = await pendingSession("exec-2");
        sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error("exists"), { name: "ExecutionAlreadyExists" }));

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-2", workBody(sessionId, "exec-2"), 2)));

        assert.deepEqual(response, { batchItemFailures: [] });
        const record = await sessions.get(sessionId);
        assert.equal(record?.status, "running");
        assert.equal(record?.executionArn, `${EXECUTION_ARN_BASE}:exec-2`);
        assert.equal(logs.entries()[0].alreadyStarted, true);
    });

    it("reports a throttled StartExecution as a batch item failure and leaves the session pending", async () => {
        const sessionId = await pendingSession("exec-3");
        sfnMock.on(StartExecutionCommand).rejects(throttling());

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-3", workBody(sessionId, "exec-3"))));

        assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "msg-3" }] });
        assert.equal((await sessions.get(sessionId))?.status, "pending");
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.errorName, entry.messageId, entry.receiveCount]), [
            ["WARN", "transient failure; SQS will redeliver the message", "ThrottlingException", "msg-3", "1"],
        ]);
    });

    it("reports a non-transient failure as a batch item failure with an ERROR line", async () => {
        const sessionId = await pendingSession("exec-4");
        sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }));

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-4", workBody(sessionId, "exec-4"))));

        assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "msg-4" }] });
        const errors = logs.at("ERROR");
        assert.equal(errors.length, 1);
        assert.equal(errors[0].msg, "dispatch failed; SQS will redeliver the message");
        assert.equal(errors[0].errorName, "AccessDeniedException");
    });

    it("reports an S3 failure as a batch item failure without starting an execution", async () => {
        const sessionId = await pendingSession("exec-5");
        const response = await dispatcher({ bucket: "no-such-bucket" })(sqsEvent(sqsRecord("msg-5", workBody(sessionId, "exec-5"))));

        assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "msg-5" }] });
        assert.equal(sfnMock.commandCalls(StartExecutionCommand).length, 0);
        assert.equal(logs.at("ERROR")[0].errorName, "NoSuchBucket");
    });

    const valid = { sessionId: "s-1", executionId: "e-1", queuedAt: QUEUED_AT, inputJson: "{}" };
    const malformed: [string, string, string[]][] = [
        ["a body that is not JSON", "{not json", ["body is not valid JSON"]],
        ["a JSON array", "[]", ["body must be a JSON object"]],
        ["a missing sessionId", JSON.stringify({ ...valid, sessionId: undefined }), ["sessionId must be a non-empty string"]],
        ["a sessionId with a slash", JSON.stringify({ ...valid, sessionId: "a/b" }), ["sessionId must be 1-128 characters of A-Z a-z 0-9 - _"]],
        ["an executionId too long for an execution name", JSON.stringify({ ...valid, executionId: "e".repeat(81) }), ["executionId must be 1-80 characters of A-Z a-z 0-9 - _ (a Step Functions execution name)"]],
        ["an executionId with a colon", JSON.stringify({ ...valid, executionId: "a:b" }), ["executionId must be 1-80 characters of A-Z a-z 0-9 - _ (a Step Functions execution name)"]],
        ["a queuedAt that is not an ISO time", JSON.stringify({ ...valid, queuedAt: "yesterday" }), ["queuedAt must be an ISO-8601 date-time with a time zone"]],
        ["an input that is an array", JSON.stringify({ ...valid, inputJson: "[1]" }), ["inputJson must be the text of a JSON object"]],
        ["an input that is not JSON", JSON.stringify({ ...valid, inputJson: "{" }), ["inputJson must be the text of a JSON object"]],
        ["a legacy input that is an array", JSON.stringify({ ...valid, inputJson: undefined, input: [1] }), ["inputJson must be the text of a JSON object"]],
        ["no fields at all", "{}", [
            "sessionId must be a non-empty string",
            "executionId must be a non-empty string",
            "queuedAt must be an ISO-8601 date-time with a time zone",
            "inputJson must be the text of a JSON object",
        ]],
    ];
    for (const [label, body, problems] of malformed) {
        it(`reports ${label} as a batch item failure with exactly one ERROR line`, async () => {
            const response = await dispatcher()(sqsEvent(sqsRecord("bad-msg", body, 3)));

            assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "bad-msg" }] });
            assert.deepEqual(logs.entries(), [
                {
                    level: "ERROR",
                    msg: "malformed work message; reported as a batch item failure so it reaches the DLQ",
                    time: "2026-03-01T00:00:00.000Z",
                    messageId: "bad-msg",
                    receiveCount: "3",
                    problems,
                },
            ]);
            assert.equal(s3Requests.length, 0);
            assert.equal(sfnMock.calls().length, 0);
        });
    }

    it("ignores fields beyond the contract", async () => {
        const sessionId = await pendingSession("exec-6");
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_BASE}:exec-6`, startDate: NOW });
        const body = JSON.stringify({ ...JSON.parse(workBody(sessionId, "exec-6")), attempt: 2 });
        assert.deepEqual(await dispatcher()(sqsEvent(sqsRecord("msg-6", body))), { batchItemFailures: [] });
        assert.equal((await sessions.get(sessionId))?.status, "running");
    });

    it("reports only the failed records of a batch", async () => {
        const sessionId = await pendingSession("exec-7");
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_BASE}:exec-7`, startDate: NOW });
        const response = await dispatcher()(sqsEvent(sqsRecord("bad", "nope"), sqsRecord("good", workBody(sessionId, "exec-7"))));
        assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "bad" }] });
        assert.equal((await sessions.get(sessionId))?.status, "running");
    });

    it("starts nothing for a stale message: the session has a newer attempt", async () => {
        const sessionId = await pendingSession("exec-new");
        const before = await sessions.get(sessionId);

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-old", workBody(sessionId, "exec-old"))));

        assert.deepEqual(response, { batchItemFailures: [] });
        assert.equal(sfnMock.commandCalls(StartExecutionCommand).length, 0);
        assert.deepEqual(await sessions.get(sessionId), before);
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.currentExecutionId]), [
            ["WARN", "stale work message: session has a newer attempt; proof not started", "exec-new"],
        ]);
    });

    it("starts nothing when a finished attempt's message is redelivered", async () => {
        const sessionId = await pendingSession("exec-8");
        await sessions.markSucceeded({
            sessionId,
            executionId: "exec-8",
            executionArn: `${EXECUTION_ARN_BASE}:exec-8`,
            bundleKey: `sessions/${sessionId}/exec-8/bundle.zip`,
            updatedAt: QUEUED_AT,
        });

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-8", workBody(sessionId, "exec-8"), 2)));

        assert.deepEqual(response, { batchItemFailures: [] });
        assert.equal(sfnMock.commandCalls(StartExecutionCommand).length, 0);
        assert.equal((await sessions.get(sessionId))?.status, "succeeded");
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.currentStatus]), [
            ["INFO", "attempt already finished; proof not started", "succeeded"],
        ]);
    });

    it("starts nothing, with a WARN, when the session does not exist", async () => {
        const response = await dispatcher()(sqsEvent(sqsRecord("msg-9", workBody("never-created", "exec-9"))));
        assert.deepEqual(response, { batchItemFailures: [] });
        assert.equal(sfnMock.commandCalls(StartExecutionCommand).length, 0);
        assert.equal(await sessions.get("never-created"), undefined);
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg]), [["WARN", "session not found; proof not started"]]);
    });

    it("never marks a newer attempt running when one replaces the attempt while its execution starts", async () => {
        const sessionId = await pendingSession("exec-old");
        sfnMock.on(StartExecutionCommand).callsFake(async () => {
            await sessions.markFailed({ sessionId, executionId: "exec-old", error: { Error: "EnqueueFailed" }, updatedAt: QUEUED_AT });
            await sessions.createAttempt({ sessionId, executionId: "exec-new", queuedAt: QUEUED_AT, allowReproving: false });
            return { executionArn: `${EXECUTION_ARN_BASE}:exec-old`, startDate: NOW };
        });

        const response = await dispatcher()(sqsEvent(sqsRecord("msg-old", workBody(sessionId, "exec-old"))));

        assert.deepEqual(response, { batchItemFailures: [] });
        const after = await sessions.get(sessionId);
        assert.deepEqual([after?.executionId, after?.status], ["exec-new", "pending"]);
        assert.deepEqual(logs.entries().map((entry) => [entry.level, entry.msg, entry.currentExecutionId]), [
            ["WARN", "stale work message: session has a newer attempt; not marked running", "exec-new"],
        ]);
    });

    describe("config", () => {
        const env = {
            STATE_MACHINE_ARN,
            S3_PROOF_BUCKET: BUCKET,
            S3_PROOF_PREFIX: "sessions/",
            SESSIONS_TABLE: TABLES.sessions,
        };

        it("reads exactly LAMBDA_ENV.proverDispatch", () => {
            assert.deepEqual(loadDispatchConfig(env), config);
            assert.equal(loadDispatchConfig({ ...env, S3_PROOF_PREFIX: "" }).proofPrefix, "");
        });

        it("fails clearly on a missing variable, a bad ARN or a bad prefix", () => {
            assert.throws(() => loadDispatchConfig({ ...env, STATE_MACHINE_ARN: undefined }), /missing required environment variable\(s\): STATE_MACHINE_ARN/);
            assert.throws(() => loadDispatchConfig({ ...env, STATE_MACHINE_ARN: "sm" }), /STATE_MACHINE_ARN must be a state machine ARN, got "sm"/);
            assert.throws(() => loadDispatchConfig({ ...env, S3_PROOF_PREFIX: "sessions" }), /S3_PROOF_PREFIX: "sessions" must be empty or end in "\/"/);
        });

        it("derives execution ARNs in any partition", () => {
            assert.equal(executionArnFor(STATE_MACHINE_ARN, "e-1"), `${EXECUTION_ARN_BASE}:e-1`);
            assert.equal(
                executionArnFor("arn:aws-cn:states:cn-north-1:123456789012:stateMachine:sm", "e-2"),
                "arn:aws-cn:states:cn-north-1:123456789012:execution:sm:e-2",
            );
            assert.throws(() => executionArnFor("arn:aws:states:us-east-1:123456789012:activity:a", "e"), /not a state machine ARN/);
        });
    });
});
