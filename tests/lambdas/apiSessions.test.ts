/** `POST /api/sessions` against a Turnstile stand-in on 127.0.0.1: the captcha check, the capability it hands out, the session it creates. */
import * as assert from "node:assert/strict";
import { ProofBudget } from "../../lambdas/api/proofBudget";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { createApp } from "../../lambdas/api/app";
import { createBundleLinkSigner } from "../../lambdas/api/bundleLinks";
import { issueCapability, verifyCapability } from "../../lambdas/api/capability";
import { CAPTCHA_DISABLED_SECRET } from "../../lambdas/api/captcha";
import type { ApiConfig } from "../../lambdas/api/config";
import type { ApiDeps } from "../../lambdas/api/deps";
import { FixedWindowRateLimiter } from "../../lambdas/api/rateLimit";
import { createSecretStore } from "../../lambdas/api/secrets";
import { SessionStore } from "../../lambdas/shared/sessionStore";
import { startLocalDynamo, type LocalDynamo } from "../../local/servers";
import { type LocalTurnstile, startLocalTurnstile } from "../../local/turnstile";
import { httpCaller, postJson } from "./support/api";
import { captureLogs } from "./support/logs";
import { TABLES, createAllTables } from "./support/tables";

const SECRET = "capability-secret-0123456789abcdef-0123456789";
const CAPTCHA_SECRET = "0x4AAAAAAA-turnstile-secret";
const PARAMETERS = { sessionCapability: "/test/capability", voteEncryptionKey: "/test/vote", captcha: "/test/captcha" };
const NOW = new Date("2026-03-01T12:00:00.000Z");

describe("api POST /api/sessions", () => {
    let dynamo: LocalDynamo;
    let documents: DynamoDBDocumentClient;
    let sessions: SessionStore;
    let turnstile: LocalTurnstile;
    let ssmMock: AwsClientStub<SSMClient>;
    let counter = 0;

    before(async () => {
        ssmMock = mockClient(SSMClient);
        dynamo = await startLocalDynamo();
        await createAllTables(dynamo.client);
        documents = DynamoDBDocumentClient.from(dynamo.client);
        sessions = new SessionStore(documents, TABLES.sessions);
        turnstile = await startLocalTurnstile(CAPTCHA_SECRET);
    });
    after(async () => {
        ssmMock.restore();
        await turnstile.stop();
        await dynamo.stop();
    });

    function app(captchaSecret: string, overrides: Partial<ApiConfig> = {}) {
        ssmMock.reset();
        ssmMock.on(GetParameterCommand, { Name: PARAMETERS.sessionCapability }).resolves({ Parameter: { Type: "SecureString", Value: SECRET } });
        ssmMock.on(GetParameterCommand, { Name: PARAMETERS.captcha }).resolves({ Parameter: { Type: "SecureString", Value: captchaSecret } });
        const deps: ApiDeps = {
            config: {
                envName: "develop",
                sessionsTable: TABLES.sessions,
                rateLimitTable: TABLES.rateLimit,
                rateLimitKeyTable: TABLES.rateLimitKey,
                workQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                workQueueMaxMessageBytes: 262144,
                stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
                bucket: "proofs-test",
                proofPrefix: "sessions/",
                secretParameters: PARAMETERS,
                capabilityTtlSeconds: 3600,
                allowReproving: false,
                proverImageParameter: "/stark-ballot-simulator/develop/prover-image",
                captchaVerifyUrl: turnstile.url,
                proofBudget: { perHour: 1000, perDay: 1000 },
                ...overrides,
            },
            sessions,
            sqs: new SQSClient({ region: "us-east-1" }),
            sfn: new SFNClient({ region: "us-east-1" }),
            secrets: createSecretStore({ ssm: new SSMClient({ region: "us-east-1" }), parameterNames: PARAMETERS }),
            rateLimiter: new FixedWindowRateLimiter(documents, TABLES.rateLimitKey, () => NOW.getTime()),
            proofBudget: new ProofBudget(documents, TABLES.rateLimitKey, { perHour: 1000, perDay: 1000 }, () => NOW.getTime()),
            bundleLinks: createBundleLinkSigner(new S3Client({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "A", secretAccessKey: "s" } }), "proofs-test"),
            // The sessions route never asks for it.
            expectedImageId: async () => {
                throw new Error("POST /api/sessions must not read the prover image record");
            },
            logger: captureLogs().logger,
            sessionRateLimit: { limit: 1000, windowSeconds: 60 },
            now: () => NOW,
            newSessionId: () => `created-${++counter}`,
        };
        return httpCaller(createApp(deps));
    }

    it("checks the captcha at the provider, creates the session and answers its capability with the expiry", async () => {
        const call = app(CAPTCHA_SECRET);
        const token = turnstile.issueToken();
        const before = turnstile.requests.length;

        const response = await call(postJson("/api/sessions", { captchaToken: token }, {}, "198.51.100.7"));

        assert.equal(response.status, 201);
        const body = response.json as { sessionId: string; capability: string; expiresAt: string };
        assert.deepEqual(body, { sessionId: `created-${counter}`, capability: issueCapability(SECRET, body.sessionId, NOW), expiresAt: "2026-03-01T13:00:00.000Z" });
        assert.equal(verifyCapability(SECRET, body.sessionId, body.capability, NOW, 3600), "valid");
        assert.deepEqual(turnstile.requests.slice(before), [{ secret: CAPTCHA_SECRET, response: token, remoteip: "198.51.100.7" }]);
        assert.deepEqual(await sessions.get(body.sessionId), { sessionId: body.sessionId, createdAt: NOW.toISOString() });

        const status = await call({ method: "GET", path: `/api/sessions/${body.sessionId}/status`, headers: { "x-session-capability": body.capability } });
        assert.deepEqual([status.status, status.json], [200, { sessionId: body.sessionId, status: "created" }]);
    });

    const refusals: [string, () => Record<string, unknown> | undefined, number, string, string][] = [
        ["no body", () => undefined, 400, "captcha_required", "captchaToken is required"],
        ["an empty token", () => ({ captchaToken: "" }), 400, "captcha_required", "captchaToken is required"],
        ["a token over 2048 characters", () => ({ captchaToken: "t".repeat(2049) }), 400, "captcha_invalid", "captchaToken must be at most 2048 characters"],
        ["a token the provider never issued", () => ({ captchaToken: "forged" }), 403, "captcha_failed", "the captcha was not solved or has expired"],
        ["an unexpected field", () => ({ captchaToken: "x", sessionId: "mine" }), 400, "invalid_request", "unexpected field(s): sessionId"],
    ];
    for (const [label, body, code, errorCode, message] of refusals) {
        it(`answers ${code} ${errorCode} for ${label}, creating nothing`, async () => {
            const call = app(CAPTCHA_SECRET);
            const next = counter;
            const request = body() === undefined ? { method: "POST", path: "/api/sessions" } : postJson("/api/sessions", body()!);
            const response = await call(request);
            assert.deepEqual([response.status, response.json], [code, { error: { code: errorCode, message } }]);
            assert.equal(counter, next, "no session id was drawn");
        });
    }

    it("refuses a token that was already redeemed (Turnstile tokens are single use)", async () => {
        const call = app(CAPTCHA_SECRET);
        const token = turnstile.issueToken();
        assert.equal((await call(postJson("/api/sessions", { captchaToken: token }))).status, 201);
        const replay = await call(postJson("/api/sessions", { captchaToken: token }));
        assert.deepEqual([replay.status, replay.json], [403, { error: { code: "captcha_failed", message: "the captcha was not solved or has expired" } }]);
    });

    it("answers 503 captcha_unavailable when the provider cannot be reached, creating nothing", async () => {
        const call = app(CAPTCHA_SECRET, { captchaVerifyUrl: "http://127.0.0.1:9/siteverify" });
        const next = counter;
        const response = await call(postJson("/api/sessions", { captchaToken: turnstile.issueToken() }));
        assert.deepEqual([response.status, response.json], [503, { error: { code: "captcha_unavailable", message: "the captcha could not be checked; retry later" } }]);
        assert.equal(counter, next);
    });

    it("skips the check when the captcha secret is the documented sentinel", async () => {
        const call = app(CAPTCHA_DISABLED_SECRET);
        const before = turnstile.requests.length;
        const response = await call({ method: "POST", path: "/api/sessions" });
        assert.equal(response.status, 201);
        assert.equal(turnstile.requests.length, before, "the provider was not asked");
        assert.equal(CAPTCHA_DISABLED_SECRET, "captcha-disabled");
    });

    it("draws another id when the first is taken, never handing out a capability to an existing session", async () => {
        await sessions.createSession(`created-${counter + 1}`, NOW.toISOString());
        const call = app(CAPTCHA_DISABLED_SECRET);
        const response = await call({ method: "POST", path: "/api/sessions" });
        assert.equal((response.json as { sessionId: string }).sessionId, `created-${counter}`);
        assert.equal(counter >= 2, true);
    });
});
