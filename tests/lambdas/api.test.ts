import * as assert from "node:assert/strict";
import { DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { S3Client } from "@aws-sdk/client-s3";
import { createApp } from "../../lambdas/api/app";
import { createBundleLinkSigner } from "../../lambdas/api/bundleLinks";
import { issueCapability } from "../../lambdas/api/capability";
import type { ApiConfig } from "../../lambdas/api/config";
import type { ApiDeps } from "../../lambdas/api/deps";
import { FixedWindowRateLimiter } from "../../lambdas/api/rateLimit";
import { ProofBudget } from "../../lambdas/api/proofBudget";
import { MAX_FINALIZE_BODY_BYTES } from "../../lambdas/api/requests";
import { DEFAULT_SECRET_TTL_MS, createSecretStore } from "../../lambdas/api/secrets";
import { createExpectedImageIdSource } from "../../lambdas/api/proverImage";
import { PIPELINE_DEFAULTS } from "../../builders/proverPipelineSettings";
import { DISPATCH_DEADLINE_SECONDS } from "../../lambdas/shared/contracts";
import { SessionStore } from "../../lambdas/shared/sessionStore";
import { startLocalDynamo, type LocalDynamo } from "../../local/servers";
import { type HttpCaller, httpCaller, postJson } from "./support/api";
import { captureLogs, type CapturedLogs } from "./support/logs";
import { TABLES, createAllTables } from "./support/tables";

const SECRET = "capability-secret-0123456789abcdef-0123456789";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/stark-ballot-simulator-prover-work-develop";
const PARAMETERS = {
    sessionCapability: "/stark-ballot-simulator/develop/session-capability-secret",
    voteEncryptionKey: "/stark-ballot-simulator/develop/vote-encryption-key",
    captcha: "/stark-ballot-simulator/develop/captcha-secret",
};
const IMAGE_PARAMETER = "/stark-ballot-simulator/develop/prover-image";
const IMAGE_ID = "5a".repeat(32);
/** The prover image record as ProverImageRecord writes it (lambdas/shared/proverImageRecord.ts). */
const imageRecord = (zkvmImageId: string | null) =>
    JSON.stringify({
        repository: "stark-ballot-simulator-prover-develop",
        digest: `sha256:${"ab".repeat(32)}`,
        imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/stark-ballot-simulator-prover-develop@sha256:${"ab".repeat(32)}`,
        zkvmImageId,
    });
const START = Date.parse("2026-03-01T12:00:00.000Z");
/** The fields an attempt started at START writes on the session item (the clock stands still). */
const queuedAttempt = (executionId: string) => ({ status: "pending", executionId, queuedAt: "2026-03-01T12:00:00.000Z", updatedAt: "2026-03-01T12:00:00.000Z" });
const CONFIG: ApiConfig = {
    envName: "develop",
    sessionsTable: TABLES.sessions,
    rateLimitTable: TABLES.rateLimit,
    rateLimitKeyTable: TABLES.rateLimitKey,
    workQueueUrl: QUEUE_URL,
    workQueueMaxMessageBytes: PIPELINE_DEFAULTS.workQueueMaxMessageBytes,
    stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
    bucket: "proofs-test",
    proofPrefix: "sessions/",
    proofBudget: { perHour: 30, perDay: 60 },
    secretParameters: PARAMETERS,
    capabilityTtlSeconds: 86400,
    allowReproving: false,
    proverImageParameter: IMAGE_PARAMETER,
    captchaVerifyUrl: "http://127.0.0.1:9/siteverify",
};

const QUOTED_INPUT = `{"values":[${Array(45000).fill('"a"').join(",")}]}`;
const QUOTED_BODY = `{"sessionId":"a","input":${QUOTED_INPUT}}`;
const QUOTED_MESSAGE_BYTES = Buffer.byteLength(
    JSON.stringify({ sessionId: "a", executionId: "exec-1", queuedAt: "2026-03-01T12:00:00.000Z", inputJson: QUOTED_INPUT }),
);

describe("api", () => {
    let dynamo: LocalDynamo;
    let documents: DynamoDBDocumentClient;
    let sessions: SessionStore;
    let logs: CapturedLogs;
    let clock: number;
    let executionCounter: number;
    let sessionCounter = 0;
    let call: HttpCaller;
    let sqsMock: AwsClientStub<SQSClient>;
    let ssmMock: AwsClientStub<SSMClient>;
    let sfnMock: AwsClientStub<SFNClient>;

    before(async () => {
        // Installed per suite (mockClient stubs the class prototype, shared by every test file).
        sqsMock = mockClient(SQSClient);
        ssmMock = mockClient(SSMClient);
        sfnMock = mockClient(SFNClient);
        dynamo = await startLocalDynamo();
        await createAllTables(dynamo.client);
        documents = DynamoDBDocumentClient.from(dynamo.client);
        sessions = new SessionStore(documents, TABLES.sessions);
    });
    after(async () => {
        sqsMock.restore();
        ssmMock.restore();
        sfnMock.restore();
        await dynamo.stop();
    });
    beforeEach(() => {
        sqsMock.reset();
        ssmMock.reset();
        sfnMock.reset();
        sqsMock.on(SendMessageCommand).resolves({ MessageId: "queued-1" });
        sfnMock.on(DescribeExecutionCommand).resolves({ status: "RUNNING" });
        ssmMock.on(GetParameterCommand, { Name: IMAGE_PARAMETER }).resolves({ Parameter: { Name: IMAGE_PARAMETER, Type: "String", Value: imageRecord(IMAGE_ID) } });
        ssmMock
            .on(GetParameterCommand, { Name: PARAMETERS.sessionCapability, WithDecryption: true })
            .resolves({ Parameter: { Name: PARAMETERS.sessionCapability, Type: "SecureString", Value: SECRET } });
        logs = captureLogs();
        clock = START;
        executionCounter = 0;
        call = httpCaller(createApp(deps()));
    });

    function deps(overrides: Partial<ApiDeps> = {}): ApiDeps {
        return {
            config: CONFIG,
            sessions,
            sqs: new SQSClient({ region: "us-east-1" }),
            sfn: new SFNClient({ region: "us-east-1" }),
            secrets: createSecretStore({ ssm: new SSMClient({ region: "us-east-1" }), parameterNames: PARAMETERS, now: () => clock }),
            rateLimiter: new FixedWindowRateLimiter(documents, TABLES.rateLimitKey, () => clock),
            proofBudget: new ProofBudget(documents, TABLES.rateLimitKey, CONFIG.proofBudget, () => clock),
            // Presigning is local computation: no request leaves the process.
            bundleLinks: createBundleLinkSigner(
                new S3Client({ region: "us-east-1", endpoint: "http://127.0.0.1:9", forcePathStyle: true, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }),
                CONFIG.bucket,
            ),
            expectedImageId: createExpectedImageIdSource({ ssm: new SSMClient({ region: "us-east-1" }), parameterName: IMAGE_PARAMETER, now: () => clock }),
            logger: logs.logger,
            finalizeRateLimit: { limit: 100, windowSeconds: 60 },
            now: () => new Date(clock),
            newExecutionId: () => `exec-${++executionCounter}`,
            ...overrides,
        };
    }

    const newSessionId = () => `api-session-${++sessionCounter}`;
    const capability = (sessionId: string) => ({ "x-session-capability": issueCapability(SECRET, sessionId, new Date(clock)) });
    /** Creates the session (as POST /api/sessions would) if it does not exist yet, then asks for a proof. */
    const finalize = async (sessionId: string, headers: Record<string, string> = capability(sessionId), sourceIp?: string) => {
        await sessions.createSession(sessionId, new Date(START).toISOString());
        return call(postJson("/api/finalize", { sessionId, input: { votes: [1, 2] } }, headers, sourceIp));
    };
    const status = (sessionId: string, headers: Record<string, string> = capability(sessionId)) =>
        call({ method: "GET", path: `/api/sessions/${sessionId}/status`, headers });

    describe("GET /api/health", () => {
        it("answers ok with the environment and touches nothing else", async () => {
            assert.deepEqual(await call({ method: "GET", path: "/api/health" }), {
                status: 200,
                headers: { "content-type": "application/json" },
                json: { status: "ok", environment: "develop" },
            });
            assert.equal(ssmMock.calls().length + sqsMock.calls().length, 0);
        });
    });

    it("answers unknown routes and methods with a JSON 404", async () => {
        for (const request of [{ method: "GET", path: "/api/nope" }, { method: "GET", path: "/api/finalize" }, { method: "DELETE", path: "/api/health" }]) {
            const response = await call(request);
            assert.equal(response.status, 404);
            assert.deepEqual(response.json, { error: { code: "not_found", message: "no such route" } });
        }
    });

    describe("POST /api/finalize", () => {
        it("creates a pending attempt, queues the exact work message and answers 202 with the capability", async () => {
            const sessionId = newSessionId();
            const response = await finalize(sessionId);

            assert.equal(response.status, 202);
            // The image id comes from the prover image record, where the verifier reads it too.
            assert.deepEqual(response.json, { sessionId, executionId: "exec-1", status: "pending", expectedImageId: IMAGE_ID });
            const sends = sqsMock.commandCalls(SendMessageCommand);
            assert.equal(sends.length, 1);
            assert.deepEqual(sends[0].args[0].input, {
                QueueUrl: QUEUE_URL,
                MessageBody: JSON.stringify({ sessionId, executionId: "exec-1", queuedAt: "2026-03-01T12:00:00.000Z", inputJson: '{"votes":[1,2]}' }),
            });
            assert.deepEqual(await sessions.get(sessionId), { sessionId, createdAt: "2026-03-01T12:00:00.000Z", ...queuedAttempt("exec-1") });
        });

        it("starts the first attempt on an item the application created, keeping its attributes", async () => {
            const sessionId = newSessionId();
            await documents.send(new PutCommand({ TableName: TABLES.sessions, Item: { sessionId, ballotTitle: "Budget 2026" } }));
            assert.equal((await finalize(sessionId)).status, 202);
            assert.deepEqual(await sessions.get(sessionId), { sessionId, ballotTitle: "Budget 2026", ...queuedAttempt("exec-1") });
        });

        it("answers 409 while an attempt is pending or running, without queuing", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            const whilePending = await finalize(sessionId, capability(sessionId));
            assert.equal(whilePending.status, 409);
            assert.deepEqual(whilePending.json, { error: { code: "session_busy", message: "a proof for this session is already pending or running" } });

            await sessions.markRunning({ sessionId, executionId: "exec-1", executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1", updatedAt: "2026-03-01T12:00:01.000Z" });
            assert.equal((await finalize(sessionId)).status, 409);
            assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 1);
            assert.equal((await sessions.get(sessionId))?.executionId, "exec-1");
        });

        it("never replaces a succeeded proof unless the stack allows re-proving, and then keeps the earlier bundle", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            const bundleKey = `sessions/${sessionId}/exec-1/bundle.zip`;
            await sessions.markSucceeded({ sessionId, executionId: "exec-1", executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1", bundleKey, updatedAt: "2026-03-01T12:10:00.000Z" });

            const refused = await finalize(sessionId);
            assert.equal(refused.status, 409);
            assert.deepEqual(refused.json, { error: { code: "already_proven", message: "this session's proof succeeded; the stack does not allow proving it again" } });
            const forged = await finalize(sessionId, capability("some-other-session"));
            assert.equal(forged.status, 403);
            assert.deepEqual(forged.json, { error: { code: "invalid_capability", message: "X-Session-Capability does not match this session" } });
            assert.equal((await sessions.get(sessionId))?.bundleKey, bundleKey);

            call = httpCaller(createApp(deps({ config: { ...CONFIG, allowReproving: true } })));
            const again = await finalize(sessionId);
            assert.equal(again.status, 202);
            // exec-2 went to the refused request (the forged one never got an id: its capability failed first).
            assert.equal((again.json as { executionId: string }).executionId, "exec-3");
            assert.deepEqual(await sessions.get(sessionId), {
                sessionId,
                createdAt: "2026-03-01T12:00:00.000Z",
                ...queuedAttempt("exec-3"),
                earlierBundles: [{ executionId: "exec-1", bundleKey, succeededAt: "2026-03-01T12:10:00.000Z" }],
            });
            const view = (await status(sessionId)).json as { earlierBundles: { bundleKey: string; bundleUrl: string }[] };
            assert.equal(view.earlierBundles.length, 1);
            assert.equal(view.earlierBundles[0].bundleKey, bundleKey);
            assert.equal(new URL(view.earlierBundles[0].bundleUrl).pathname, `/proofs-test/${bundleKey}`);
            assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 2);
        });

        it("needs a live capability for every attempt, checked before the session is looked up", async () => {
            const unknown = "never-created";
            const missing = await call(postJson("/api/finalize", { sessionId: unknown, input: {} }));
            assert.equal(missing.status, 401);
            assert.deepEqual(missing.json, { error: { code: "capability_required", message: "X-Session-Capability header is required" } });
            const forged = await call(postJson("/api/finalize", { sessionId: unknown, input: {} }, capability("other")));
            assert.deepEqual([forged.status, forged.json], [403, { error: { code: "invalid_capability", message: "X-Session-Capability does not match this session" } }]);
            // Only a holder learns that the session does not exist.
            const holder = await call(postJson("/api/finalize", { sessionId: unknown, input: {} }, capability(unknown)));
            assert.deepEqual([holder.status, holder.json], [404, { error: { code: "session_not_found", message: "no such session; create one with POST /api/sessions" } }]);

            const sessionId = newSessionId();
            const token = capability(sessionId);
            clock += 86400 * 1000 + 1000;
            const expired = await finalize(sessionId, token);
            assert.deepEqual([expired.status, expired.json], [403, { error: { code: "capability_expired", message: "X-Session-Capability has expired; create a new session" } }]);
            assert.equal(sqsMock.calls().length, 0);
            assert.equal((await sessions.get(sessionId))?.status, undefined);
        });

        const rejections: [string, { body: string; contentType?: string }, number, string, string][] = [
            ["invalid JSON", { body: "{" }, 400, "invalid_json", "request body is not valid JSON"],
            ["a non-JSON content type", { body: "{}", contentType: "text/plain" }, 415, "unsupported_media_type", "Content-Type must be application/json"],
            ["a JSON array", { body: "[]" }, 400, "invalid_request", "request body must be a JSON object {sessionId, input}"],
            ["an unexpected field", { body: JSON.stringify({ sessionId: "a", input: {}, admin: true }) }, 400, "invalid_request", "unexpected field(s): admin"],
            ["a missing sessionId", { body: JSON.stringify({ input: {} }) }, 400, "invalid_session_id", "sessionId must be 1-128 characters of A-Z a-z 0-9 - _"],
            ["a sessionId with a slash", { body: JSON.stringify({ sessionId: "../x", input: {} }) }, 400, "invalid_session_id", "sessionId must be 1-128 characters of A-Z a-z 0-9 - _"],
            ["a 129-character sessionId", { body: JSON.stringify({ sessionId: "a".repeat(129), input: {} }) }, 400, "invalid_session_id", "sessionId must be 1-128 characters of A-Z a-z 0-9 - _"],
            ["a missing input", { body: JSON.stringify({ sessionId: "a" }) }, 400, "invalid_input", "input must be a JSON object"],
            ["an array input", { body: JSON.stringify({ sessionId: "a", input: [] }) }, 400, "invalid_input", "input must be a JSON object"],
            ["an oversized body", { body: JSON.stringify({ sessionId: "a", input: { blob: "x".repeat(MAX_FINALIZE_BODY_BYTES) } }) }, 413, "payload_too_large", `request body exceeds ${MAX_FINALIZE_BODY_BYTES} bytes`],
            // What SQS would refuse is the client's error, found before an attempt exists (never a 503).
            ["U+FFFF in the input", { body: JSON.stringify({ sessionId: "a", input: { name: "\uFFFF" } }) }, 400, "invalid_characters", "input contains U+FFFF, which the work queue cannot carry"],
            // Escaped quotes double in the message (the input travels as a JSON string): over the queue's 256 KiB.
            ["input whose work message exceeds the queue's MaximumMessageSize", { body: QUOTED_BODY }, 413, "payload_too_large", `the proof request serializes to ${QUOTED_MESSAGE_BYTES} bytes; the work queue takes at most 262144`],
            // A number JavaScript would change is refused, never rounded.
            ["a number that does not round-trip (1e20)", { body: '{"sessionId":"a","input":{"v":1e20}}' }, 400, "invalid_number", "the number 1e20 does not survive a round trip through a JSON parser; send it as 100000000000000000000 or as a string"],
            ["a number beyond double precision", { body: '{"sessionId":"a","input":{"v":12345678901234567890}}' }, 400, "invalid_number", "the number 12345678901234567890 does not survive a round trip through a JSON parser; send it as 12345678901234567000 or as a string"],
            ["1.0", { body: '{"sessionId":"a","input":{"v":1.0}}' }, 400, "invalid_number", "the number 1.0 does not survive a round trip through a JSON parser; send it as 1 or as a string"],
            ["input nested 65 levels deep", { body: `{"sessionId":"a","input":${"[".repeat(64)}${"]".repeat(64)}}`.replace('"input":[', '"input":{"x":[').replace(/]}$/, "]}}") }, 400, "too_deep", "input nests deeper than 64 levels"],
            ["a duplicate top-level field", { body: '{"sessionId":"a","input":{},"input":{}}' }, 400, "invalid_request", "duplicate field input"],
        ];
        for (const [label, request, code, errorCode, message] of rejections) {
            it(`answers ${code} ${errorCode} for ${label}, queuing nothing`, async () => {
                const response = await call({
                    method: "POST",
                    path: "/api/finalize",
                    body: request.body,
                    headers: { "content-type": request.contentType ?? "application/json", ...capability("a") },
                });
                assert.equal(response.status, code);
                assert.deepEqual(response.json, { error: { code: errorCode, message } });
                assert.equal(sqsMock.calls().length, 0);
                assert.equal(await sessions.get("a"), undefined);
            });
        }

        it("rate-limits per source IP in fixed windows and answers 429 with Retry-After", async () => {
            call = httpCaller(createApp(deps({ finalizeRateLimit: { limit: 2, windowSeconds: 60 } })));
            const finalizeFrom = (sourceIp: string) => {
                const sessionId = newSessionId();
                return finalize(sessionId, capability(sessionId), sourceIp);
            };
            clock = Date.parse("2026-03-01T12:00:50.000Z");
            const ip = "203.0.113.9";
            assert.equal((await finalizeFrom(ip)).status, 202);
            assert.equal((await call(postJson("/api/finalize", [], {}, ip))).status, 400);

            const limited = await finalizeFrom(ip);
            assert.equal(limited.status, 429);
            assert.equal(limited.headers["retry-after"], "10");
            assert.deepEqual(limited.json, { error: { code: "rate_limited", message: "too many proof requests; retry later" } });
            assert.equal((await finalizeFrom("203.0.113.10")).status, 202);

            const windowStart = Date.parse("2026-03-01T12:00:00.000Z") / 1000;
            const { Item } = await documents.send(new GetCommand({ TableName: TABLES.rateLimitKey, Key: { key: `finalize#${ip}#${windowStart}` } }));
            assert.deepEqual(Item, { key: `finalize#${ip}#${windowStart}`, count: 3, expiresAt: windowStart + 60 });

            clock = Date.parse("2026-03-01T12:01:00.000Z");
            assert.equal((await finalizeFrom(ip)).status, 202);
            assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 3);
        });

        describe("global proof budget", () => {
            const budgetItem = async (key: string) => (await documents.send(new GetCommand({ TableName: TABLES.rateLimitKey, Key: { key } }))).Item;
            // Days of their own: the other tests' counters (same table) live in 2026-03-01's windows.
            const hour = (d: string) => Date.parse(`2026-03-${d}T12:00:00.000Z`) / 1000;
            const day = (d: string) => Date.parse(`2026-03-${d}T00:00:00.000Z`) / 1000;
            /** A proof request for a new session, with its capability, from `ip`. */
            const finalizeNew = (ip: string, sessionId = newSessionId()) => finalize(sessionId, capability(sessionId), ip);

            it("over the hour's budget: 429 with Retry-After to the hour's end; no attempt, nothing queued", async () => {
                call = httpCaller(createApp(deps({ proofBudget: new ProofBudget(documents, TABLES.rateLimitKey, { perHour: 2, perDay: 5 }, () => clock) })));
                clock = Date.parse("2026-03-07T12:59:30.000Z");
                // Different source IPs: the per-IP limit plays no part.
                assert.equal((await finalizeNew("198.51.100.1")).status, 202);
                assert.equal((await finalizeNew("198.51.100.2")).status, 202);
                const refused = newSessionId();
                const over = await finalizeNew("198.51.100.3", refused);
                assert.equal(over.status, 429);
                assert.equal(over.headers["retry-after"], "30");
                assert.deepEqual(over.json, { error: { code: "proof_budget_exhausted", message: "the hour's proof budget is spent; retry later" } });
                // The session exists (created before the request) and holds no attempt.
                assert.deepEqual(await sessions.get(refused), { sessionId: refused, createdAt: new Date(START).toISOString() });
                assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 2);
                assert.deepEqual(await budgetItem(`proof-budget#hour#${hour("07")}`), { key: `proof-budget#hour#${hour("07")}`, count: 2, expiresAt: hour("07") + 3600 });
                assert.deepEqual(await budgetItem(`proof-budget#day#${day("07")}`), { key: `proof-budget#day#${day("07")}`, count: 2, expiresAt: day("07") + 86400 });
                // The next hour has a fresh budget.
                clock = Date.parse("2026-03-07T13:00:00.000Z");
                assert.equal((await finalizeNew("198.51.100.4")).status, 202);
            });

            it("over the day's budget: 429 until the UTC day ends, and the hour spent for it is given back", async () => {
                call = httpCaller(createApp(deps({ proofBudget: new ProofBudget(documents, TABLES.rateLimitKey, { perHour: 5, perDay: 1 }, () => clock) })));
                clock = Date.parse("2026-03-08T12:00:00.000Z");
                assert.equal((await finalizeNew("198.51.100.5")).status, 202);
                const over = await finalizeNew("198.51.100.6");
                assert.equal(over.status, 429);
                assert.equal(over.headers["retry-after"], String(12 * 3600));
                assert.deepEqual(await budgetItem(`proof-budget#hour#${hour("08")}`), { key: `proof-budget#hour#${hour("08")}`, count: 1, expiresAt: hour("08") + 3600 });
                assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 1);
            });

            it("a request that creates no attempt (409: already running) gives its budget back", async () => {
                call = httpCaller(createApp(deps({ proofBudget: new ProofBudget(documents, TABLES.rateLimitKey, { perHour: 2, perDay: 2 }, () => clock) })));
                clock = Date.parse("2026-03-09T12:00:00.000Z");
                const sessionId = newSessionId();
                assert.equal((await finalize(sessionId)).status, 202);
                assert.equal((await finalize(sessionId, capability(sessionId))).status, 409);
                assert.deepEqual((await budgetItem(`proof-budget#day#${day("09")}`))?.count, 1);
            });
        });

        it("answers 503 and marks the attempt failed when the work queue rejects the message", async () => {
            sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error("queue down"), { name: "InternalError", $metadata: { httpStatusCode: 500 } }));
            const sessionId = newSessionId();

            const response = await finalize(sessionId);

            assert.equal(response.status, 503);
            assert.deepEqual(response.json, {
                error: { code: "queue_unavailable", message: "the proof request could not be queued; retry later" },
                sessionId,
            });
            assert.deepEqual(await sessions.get(sessionId), {
                sessionId,
                createdAt: "2026-03-01T12:00:00.000Z",
                status: "failed",
                executionId: "exec-1",
                error: { Error: "EnqueueFailed", Cause: "the work message could not be sent to the prover work queue" },
                queuedAt: "2026-03-01T12:00:00.000Z",
                updatedAt: "2026-03-01T12:00:00.000Z",
            });
            assert.deepEqual(logs.at("ERROR").map((entry) => [entry.msg, entry.errorName]), [["could not queue proof work", "InternalError"]]);

            // The client retries with its capability.
            sqsMock.on(SendMessageCommand).resolves({ MessageId: "queued-2" });
            assert.equal((await finalize(sessionId)).status, 202);
        });
    });

    describe("GET /api/sessions/{id}/status", () => {
        it("needs the session's capability before revealing anything", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            assert.deepEqual(await status(sessionId, {}), {
                status: 401,
                headers: { "content-type": "application/json" },
                json: { error: { code: "capability_required", message: "X-Session-Capability header is required" } },
            });
            const forged = await status(sessionId, capability("other"));
            assert.equal(forged.status, 403);
            assert.deepEqual(forged.json, { error: { code: "invalid_capability", message: "X-Session-Capability does not match this session" } });
        });

        it("answers 404 for an unknown session and 400 for an invalid id", async () => {
            const unknown = await status("never-finalized");
            assert.equal(unknown.status, 404);
            assert.deepEqual(unknown.json, { error: { code: "session_not_found", message: "no such session" } });
            const invalid = await status("a.b");
            assert.equal(invalid.status, 400);
            assert.deepEqual(invalid.json, { error: { code: "invalid_session_id", message: "sessionId must be 1-128 characters of A-Z a-z 0-9 - _" } });
        });

        /** Writes attempt exec-1 as succeeded at 12:20 with its bundle, as finalize-callback would, plus `extra`. */
        const storeSucceeded = (sessionId: string, extra: Record<string, string>) =>
            documents.send(
                new PutCommand({
                    TableName: TABLES.sessions,
                    Item: { sessionId, status: "succeeded", executionId: "exec-1", bundleKey: `sessions/${sessionId}/exec-1/bundle.zip`, updatedAt: "2026-03-01T12:20:00.000Z", ...extra },
                }),
            );
        /** The public fields the status route shows for that attempt. */
        const succeededView = (sessionId: string) => ({
            sessionId,
            status: "succeeded",
            executionId: "exec-1",
            updatedAt: "2026-03-01T12:20:00.000Z",
            bundleKey: `sessions/${sessionId}/exec-1/bundle.zip`,
        });

        it("shows only the public fields: pending, then succeeded with the bundle key", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            assert.deepEqual((await status(sessionId)).json, { sessionId, status: "pending", executionId: "exec-1", updatedAt: "2026-03-01T12:00:00.000Z" });

            await storeSucceeded(sessionId, { executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1", ballotSecret: "application-owned" });
            const succeeded = await status(sessionId);
            const { bundleUrl, ...rest } = succeeded.json as Record<string, unknown>;
            assert.equal(succeeded.status, 200);
            assert.deepEqual(rest, { ...succeededView(sessionId), bundleUrlExpiresInSeconds: 300 });
            const url = new URL(String(bundleUrl));
            assert.equal(`${url.origin}${url.pathname}`, `http://127.0.0.1:9/proofs-test/sessions/${sessionId}/exec-1/bundle.zip`);
            assert.equal(url.searchParams.get("X-Amz-Expires"), "300");
            assert.ok(url.searchParams.get("X-Amz-Signature"), "the link is signed");
        });

        it("links the verifier's report like the bundle once a verified proof succeeded", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            await storeSucceeded(sessionId, { verificationReportKey: `sessions/${sessionId}/exec-1/verification.json` });
            const { bundleUrl: _bundleUrl, verificationReportUrl, ...rest } = (await status(sessionId)).json as Record<string, unknown>;
            assert.deepEqual(rest, {
                ...succeededView(sessionId),
                verificationReportKey: `sessions/${sessionId}/exec-1/verification.json`,
                bundleUrlExpiresInSeconds: 300,
                verificationReportUrlExpiresInSeconds: 300,
            });
            const url = new URL(String(verificationReportUrl));
            assert.equal(`${url.origin}${url.pathname}`, `http://127.0.0.1:9/proofs-test/sessions/${sessionId}/exec-1/verification.json`);
            assert.equal(url.searchParams.get("X-Amz-Expires"), "300");
        });

        it("shows the error of a failed attempt", async () => {
            const sessionId = newSessionId();
            await finalize(sessionId);
            await sessions.markFailed({ sessionId, executionId: "exec-1", executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1", error: { Error: "ImageSignatureVerificationFailed", Cause: "MISSING" }, updatedAt: "2026-03-01T12:05:00.000Z" });
            assert.deepEqual((await status(sessionId)).json, {
                sessionId,
                status: "failed",
                executionId: "exec-1",
                updatedAt: "2026-03-01T12:05:00.000Z",
                // A fixed code: the stored Cause (digests, ARNs, task JSON) never leaves the api.
                error: { code: "image_unverified", message: "the prover image failed its signature or scan check; no proof was attempted" },
            });
            assert.deepEqual((await sessions.get(sessionId))?.error, { Error: "ImageSignatureVerificationFailed", Cause: "MISSING" });
        });
    });

    describe("GET /api/sessions/{id}/status of a running session whose execution ended without a result", () => {
        const EXECUTION_ARN = "arn:aws:states:us-east-1:123456789012:execution:sm:exec-1";

        async function runningSession(): Promise<string> {
            const sessionId = newSessionId();
            const { executionId } = (await finalize(sessionId)).json as { executionId: string };
            await sessions.markRunning({ sessionId, executionId, executionArn: EXECUTION_ARN, updatedAt: "2026-03-01T12:00:01.000Z" });
            clock = Date.parse("2026-03-01T12:30:00.000Z");
            return sessionId;
        }

        it("asks Step Functions and leaves a still-running execution alone", async () => {
            const sessionId = await runningSession();
            assert.equal(((await status(sessionId)).json as { status: string }).status, "running");
            assert.deepEqual(sfnMock.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input), [{ executionArn: EXECUTION_ARN }]);
        });

        it("records a FAILED execution's own error on the session and logs a WARN", async () => {
            const sessionId = await runningSession();
            sfnMock.on(DescribeExecutionCommand).resolves({ status: "FAILED", error: "States.Runtime", cause: "An error occurred while executing the state 'RunProver'" });

            const view = (await status(sessionId)).json;

            const error = { Error: "States.Runtime", Cause: "An error occurred while executing the state 'RunProver'" };
            assert.deepEqual(view, { sessionId, status: "failed", executionId: "exec-1", updatedAt: "2026-03-01T12:30:00.000Z", error: { code: "prover_failed", message: "the prover could not produce a proof for this input" } });
            assert.deepEqual((await sessions.get(sessionId))?.error, error);
            assert.deepEqual(logs.at("WARN").map((e) => [e.msg, e.executionStatus, e.error]), [
                ["attempt ended without a result; session marked failed", "FAILED", "States.Runtime"],
            ]);
        });

        it("names an ABORTED or TIMED_OUT execution that reported no error", async () => {
            for (const [executionStatus, expected, code, message] of [
                ["ABORTED", "ExecutionAborted", "execution_aborted", "the proof was stopped by an operator"],
                ["TIMED_OUT", "States.Timeout", "prover_timed_out", "the proof took longer than allowed"],
            ] as const) {
                const sessionId = await runningSession();
                sfnMock.on(DescribeExecutionCommand).resolves({ status: executionStatus });
                assert.deepEqual(((await status(sessionId)).json as { error: unknown }).error, { code, message });
                assert.deepEqual((await sessions.get(sessionId))?.error, {
                    Error: expected,
                    Cause: `the execution ended ${executionStatus} without reporting a result to the session`,
                });
            }
        });

        it("keeps the callback's result when it lands first", async () => {
            const sessionId = await runningSession();
            sfnMock.on(DescribeExecutionCommand).callsFake(async () => {
                await sessions.markSucceeded({ sessionId, executionId: "exec-1", executionArn: EXECUTION_ARN, bundleKey: "sessions/x/exec-1/bundle.zip", updatedAt: "2026-03-01T12:29:59.000Z" });
                return { status: "FAILED", error: "States.Runtime" };
            });
            const view = (await status(sessionId)).json as { status: string; bundleKey: string };
            assert.equal(view.status, "succeeded");
            assert.equal(view.bundleKey, "sessions/x/exec-1/bundle.zip");
        });

        it("answers the stored record when Step Functions cannot be asked, and never asks for a pending session", async () => {
            const pending = newSessionId();
            await finalize(pending);
            await status(pending);
            assert.equal(sfnMock.commandCalls(DescribeExecutionCommand).length, 0);

            const sessionId = await runningSession();
            sfnMock.on(DescribeExecutionCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
            const response = await status(sessionId);
            assert.equal(response.status, 200);
            assert.equal((response.json as { status: string }).status, "running");
            assert.deepEqual(logs.at("WARN").map((e) => [e.msg, e.errorName]), [["could not describe the session's execution; status left as recorded", "ThrottlingException"]]);
        });
    });

    describe("GET /api/sessions/{id}/status of a pending session whose work message was never dispatched", () => {
        it("keeps the queue's whole redelivery budget inside the dispatch deadline", () => {
            const budget = PIPELINE_DEFAULTS.workQueueVisibilityTimeoutSeconds * PIPELINE_DEFAULTS.maxReceiveCount;
            assert.equal(DISPATCH_DEADLINE_SECONDS, 3600);
            assert.ok(budget < DISPATCH_DEADLINE_SECONDS, `${budget} s of redeliveries must end before the ${DISPATCH_DEADLINE_SECONDS} s deadline`);
        });

        it("leaves a pending attempt alone up to the deadline, then records DispatchTimedOut; the capability starts it again", async () => {
            const sessionId = newSessionId();
            const token = capability(sessionId)["x-session-capability"];
            await finalize(sessionId);
            clock = START + DISPATCH_DEADLINE_SECONDS * 1000;
            assert.equal(((await status(sessionId)).json as { status: string }).status, "pending");

            clock += 1;
            const view = (await status(sessionId)).json;

            assert.deepEqual(view, {
                sessionId,
                status: "failed",
                executionId: "exec-1",
                updatedAt: new Date(clock).toISOString(),
                error: { code: "dispatch_timed_out", message: "the proof request was not picked up in time" },
            });
            assert.deepEqual((await sessions.get(sessionId))?.error, { Error: "DispatchTimedOut", Cause: "the work message was not dispatched within 3600 s; it is in the prover work DLQ or was lost" });
            assert.deepEqual(logs.at("WARN").map((e) => [e.msg, e.pendingSeconds, e.error]), [
                ["attempt ended without a result; session marked failed", 3600, "DispatchTimedOut"],
            ]);
            assert.equal(sfnMock.commandCalls(DescribeExecutionCommand).length, 0);
            assert.equal((await finalize(sessionId, { "x-session-capability": token })).status, 202);
        });
    });

    describe("secrets", () => {
        it("reads the capability secret from SSM with decryption and caches it for the TTL", async () => {
            await finalize(newSessionId());
            await status(newSessionId());
            clock += DEFAULT_SECRET_TTL_MS - 1;
            await status(newSessionId());
            const calls = ssmMock.commandCalls(GetParameterCommand);
            // The finalize also read the prover image record (a String parameter: no decryption asked).
            assert.deepEqual(calls.map((c) => c.args[0].input), [{ Name: PARAMETERS.sessionCapability, WithDecryption: true }, { Name: IMAGE_PARAMETER }]);

            clock += 1;
            await status(newSessionId());
            assert.equal(ssmMock.commandCalls(GetParameterCommand).length, 3);
        });

        it("never takes a secret from the environment", async () => {
            ssmMock
                .on(GetParameterCommand, { Name: PARAMETERS.sessionCapability })
                .resolves({ Parameter: { Type: "SecureString", Value: "rotated-secret-0123456789abcdef-0123456789" } });
            const sessionId = newSessionId();
            const response = await finalize(sessionId, { "x-session-capability": issueCapability("rotated-secret-0123456789abcdef-0123456789", sessionId, new Date(clock)) });
            assert.equal(response.status, 202);
        });

        it("refuses a plain String parameter with a 500 that reveals nothing, and does not cache the failure", async () => {
            const store = createSecretStore({ ssm: new SSMClient({ region: "us-east-1" }), parameterNames: PARAMETERS, now: () => clock });
            ssmMock.on(GetParameterCommand, { Name: PARAMETERS.captcha }).resolvesOnce({ Parameter: { Type: "String", Value: "plain" } })
                .resolves({ Parameter: { Type: "SecureString", Value: "captcha-secret" } });
            await assert.rejects(store.get("captcha"), /SSM parameter \/stark-ballot-simulator\/develop\/captcha-secret must be a SecureString/);
            assert.equal(await store.get("captcha"), "captcha-secret");
            assert.equal(await store.get("captcha"), "captcha-secret");
            assert.equal(ssmMock.commandCalls(GetParameterCommand, { Name: PARAMETERS.captcha }).length, 2);

            ssmMock.on(GetParameterCommand, { Name: PARAMETERS.sessionCapability }).resolves({ Parameter: { Type: "String", Value: SECRET } });
            const response = await finalize(newSessionId());
            assert.deepEqual(response, {
                status: 500,
                headers: { "content-type": "application/json" },
                json: { error: { code: "internal_error", message: "internal server error" } },
            });
            const errors = logs.at("ERROR");
            assert.equal(errors.length, 1);
            assert.equal(errors[0].msg, "unhandled api error");
            assert.equal(errors[0].path, "/api/finalize");
        });

        it("shares one GetParameter call between concurrent first requests", async () => {
            const store = createSecretStore({ ssm: new SSMClient({ region: "us-east-1" }), parameterNames: PARAMETERS, now: () => clock });
            ssmMock.on(GetParameterCommand, { Name: PARAMETERS.voteEncryptionKey }).resolves({ Parameter: { Type: "SecureString", Value: "vote-key" } });
            assert.deepEqual(await Promise.all([store.get("voteEncryptionKey"), store.get("voteEncryptionKey")]), ["vote-key", "vote-key"]);
            assert.equal(ssmMock.commandCalls(GetParameterCommand).length, 1);
        });
    });

    describe("the expected image id (prover image record)", () => {
        const imageReads = () => ssmMock.commandCalls(GetParameterCommand, { Name: IMAGE_PARAMETER }).length;

        it("is null in the 202 when the record holds none (the stack verifies nothing)", async () => {
            ssmMock.on(GetParameterCommand, { Name: IMAGE_PARAMETER }).resolves({ Parameter: { Type: "String", Value: imageRecord(null) } });
            const sessionId = newSessionId();
            const response = await finalize(sessionId);
            assert.equal(response.status, 202);
            assert.deepEqual(response.json, { sessionId, executionId: "exec-1", status: "pending", expectedImageId: null });
        });

        it("is read once per TTL; a deploy that records another id is picked up after it", async () => {
            await finalize(newSessionId());
            clock += DEFAULT_SECRET_TTL_MS - 1;
            await finalize(newSessionId());
            assert.equal(imageReads(), 1);

            const next = "c3".repeat(32);
            ssmMock.on(GetParameterCommand, { Name: IMAGE_PARAMETER }).resolves({ Parameter: { Type: "String", Value: imageRecord(next) } });
            clock += 1;
            const sessionId = newSessionId();
            const response = await finalize(sessionId);
            assert.equal(imageReads(), 2);
            assert.deepEqual(response.json, { sessionId, executionId: "exec-3", status: "pending", expectedImageId: next });
        });

        for (const [label, answer] of [
            ["missing (ParameterNotFound)", { name: "ParameterNotFound", message: "Parameter not found." }],
            ["throttled", { name: "ThrottlingException", message: "Rate exceeded" }],
            ["not a record (bad JSON)", undefined],
        ] as const) {
            it(`${label}: 500 before anything exists (no attempt, no message), and the failure is not cached`, async () => {
                const stub = ssmMock.on(GetParameterCommand, { Name: IMAGE_PARAMETER });
                const good = { Parameter: { Type: "String" as const, Value: imageRecord(IMAGE_ID) } };
                if (answer === undefined) stub.resolvesOnce({ Parameter: { Type: "String", Value: "{not json" } }).resolves(good);
                else stub.rejectsOnce(Object.assign(new Error(answer.message), { name: answer.name })).resolves(good);
                const sessionId = newSessionId();
                const refused = await finalize(sessionId);
                assert.equal(refused.status, 500);
                assert.deepEqual(refused.json, { error: { code: "internal_error", message: "internal server error" } });
                assert.deepEqual(await sessions.get(sessionId), { sessionId, createdAt: "2026-03-01T12:00:00.000Z" });
                assert.equal(sqsMock.commandCalls(SendMessageCommand).length, 0);
                assert.deepEqual(logs.at("ERROR").map((e) => [e.msg, e.path]), [["unhandled api error", "/api/finalize"]]);

                const accepted = await finalize(sessionId);
                assert.equal(accepted.status, 202);
                assert.deepEqual(accepted.json, { sessionId, executionId: "exec-2", status: "pending", expectedImageId: IMAGE_ID });
                assert.equal(imageReads(), 2);
            });
        }
    });

    it("answers unexpected failures with a JSON 500 and logs them", async () => {
        call = httpCaller(createApp(deps({ sessions: new SessionStore(documents, "missing-table") })));
        const response = await status("any-session");
        assert.deepEqual(response.json, { error: { code: "internal_error", message: "internal server error" } });
        assert.equal(response.status, 500);
        assert.deepEqual(logs.at("ERROR").map((entry) => [entry.msg, entry.errorName, entry.method]), [
            ["unhandled api error", "ResourceNotFoundException", "GET"],
        ]);
    });
});
