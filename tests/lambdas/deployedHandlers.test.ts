/**
 * The exported `handler` of each index.ts, as the Lambda runtime calls it: configuration from the
 * environment, SDK clients from the default chain (pointed at the local servers by
 * AWS_ENDPOINT_URL_*), logs on stdout. Services without a local server are mocked per class.
 */
import * as assert from "node:assert/strict";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { handler as apiHandler } from "../../lambdas/api/index";
import { issueCapability } from "../../lambdas/api/capability";
import { handler as finalizeHandler } from "../../lambdas/finalize-callback/index";
import { handler as dispatchHandler } from "../../lambdas/prover-dispatch/index";
import { SessionStore } from "../../lambdas/shared/sessionStore";
import { startLocalDynamo, startLocalS3, type LocalDynamo, type LocalS3 } from "../../local/servers";
import { captureStdout, withEnv } from "./support/env";
import { httpApiEvent, sqsEvent, sqsRecord } from "../../local/events";
import { TABLES, createAllTables } from "./support/tables";

const BUCKET = "proofs-deployed";
const STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:sm";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const SECRET = "deployed-secret-0123456789abcdef-0123456789";

describe("deployed handlers (index.ts)", () => {
    let s3: LocalS3;
    let dynamo: LocalDynamo;
    let sessions: SessionStore;
    let chain: Record<string, string>;
    let sfnMock: AwsClientStub<SFNClient>;
    let sqsMock: AwsClientStub<SQSClient>;
    let ssmMock: AwsClientStub<SSMClient>;

    before(async () => {
        // Installed per suite (mockClient stubs the class prototype, shared by every test file).
        sfnMock = mockClient(SFNClient);
        sqsMock = mockClient(SQSClient);
        ssmMock = mockClient(SSMClient);
        s3 = await startLocalS3([BUCKET]);
        dynamo = await startLocalDynamo();
        await createAllTables(dynamo.client);
        sessions = new SessionStore(DynamoDBDocumentClient.from(dynamo.client), TABLES.sessions);
        chain = { ...s3.env, ...dynamo.env };
    });
    after(async () => {
        sfnMock.restore();
        sqsMock.restore();
        ssmMock.restore();
        await s3.stop();
        await dynamo.stop();
    });

    it("prover-dispatch fails clearly without its environment, then dispatches once configured", async () => {
        const missing = await withEnv({ ...chain, STATE_MACHINE_ARN: undefined, S3_PROOF_BUCKET: undefined, S3_PROOF_PREFIX: undefined, SESSIONS_TABLE: undefined }, () =>
            captureStdout(() => dispatchHandler(sqsEvent())),
        );
        assert.equal((missing.error as Error).message, "missing required environment variable(s): STATE_MACHINE_ARN, S3_PROOF_BUCKET, S3_PROOF_PREFIX, SESSIONS_TABLE");
        assert.deepEqual(missing.lines.map((line) => JSON.parse(line).level), ["ERROR"]);

        await sessions.createSession("deployed-1", "2026-03-01T00:00:00.000Z");
        await sessions.createAttempt({ sessionId: "deployed-1", executionId: "e-1", queuedAt: "2026-03-01T00:00:00.000Z", allowReproving: false });
        sfnMock.on(StartExecutionCommand).resolves({ executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:e-1", startDate: new Date() });
        const env = { ...chain, STATE_MACHINE_ARN, S3_PROOF_BUCKET: BUCKET, S3_PROOF_PREFIX: "sessions/", SESSIONS_TABLE: TABLES.sessions };
        const body = JSON.stringify({ sessionId: "deployed-1", executionId: "e-1", queuedAt: "2026-03-01T00:00:00.000Z", inputJson: '{"a":1}' });
        const { result, lines } = await withEnv(env, () => captureStdout(() => dispatchHandler(sqsEvent(sqsRecord("m-1", body)))));

        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(lines.map((line) => JSON.parse(line).message), ["dispatched proof execution"]);
        const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "sessions/deployed-1/e-1/input.json" }));
        assert.equal(await object.Body!.transformToString(), '{"a":1}');
        assert.equal(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn, STATE_MACHINE_ARN);
        assert.equal((await sessions.get("deployed-1"))?.status, "running");
    });

    it("finalize-callback writes the terminal state through the default client chain", async () => {
        await sessions.createSession("deployed-2", "2026-03-01T00:00:00.000Z");
        await sessions.createAttempt({ sessionId: "deployed-2", executionId: "e-2", queuedAt: "2026-03-01T00:00:00.000Z", allowReproving: false });
        const event = {
            status: "SUCCEEDED",
            payload: { sessionId: "deployed-2", executionId: "e-2", inputS3Key: "p/deployed-2/e-2/input.json", queuedAt: "2026-03-01T00:00:00.000Z" },
            executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:e-2",
            proverResult: {},
        };
        const { result } = await withEnv({ ...chain, SESSIONS_TABLE: TABLES.sessions, S3_PROOF_PREFIX: "p/", STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:sm" }, () => captureStdout(() => finalizeHandler(event)));
        assert.deepEqual(result, { sessionId: "deployed-2", executionId: "e-2", status: "succeeded", outcome: "updated" });
        assert.equal((await sessions.get("deployed-2"))?.bundleKey, "p/deployed-2/e-2/bundle.zip");
    });

    it("api serves HTTP API v2 events, with secrets from SSM and the queue URL from the environment", async () => {
        ssmMock.on(GetParameterCommand, { Name: "/app/capability", WithDecryption: true }).resolves({ Parameter: { Type: "SecureString", Value: SECRET } });
        const imageId = "5a".repeat(32);
        const digest = `sha256:${"ab".repeat(32)}`;
        ssmMock.on(GetParameterCommand, { Name: "/app/prover-image" }).resolves({
            Parameter: { Type: "String", Value: JSON.stringify({ repository: "r", digest, imageUri: `1.dkr.ecr.x.amazonaws.com/r@${digest}`, zkvmImageId: imageId }) },
        });
        sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
        const env = {
            ...chain,
            ENV_NAME: "develop",
            SESSIONS_TABLE: TABLES.sessions,
            RATE_LIMIT_TABLE: TABLES.rateLimit,
            RATE_LIMIT_KEY_TABLE: TABLES.rateLimitKey,
            PROVER_WORK_QUEUE_URL: QUEUE_URL,
            PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144",
            PROVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
            S3_PROOF_BUCKET: BUCKET,
            S3_PROOF_PREFIX: "sessions/",
            SECRET_PARAMETER_SESSION_CAPABILITY: "/app/capability",
            SECRET_PARAMETER_VOTE_ENCRYPTION_KEY: "/app/vote-key",
            SECRET_PARAMETER_CAPTCHA: "/app/captcha",
            PROOFS_PER_HOUR: "30",
            PROOFS_PER_DAY: "60",
            SESSION_CAPABILITY_TTL_SECONDS: "86400",
            ALLOW_REPROVING: "false",
            PROVER_IMAGE_PARAMETER: "/app/prover-image",
        };
        await sessions.createSession("deployed-3", "2026-03-01T00:00:00.000Z");
        const issuedAt = new Date();
        const { result } = await withEnv(env, () =>
            captureStdout(() =>
                apiHandler(httpApiEvent({ method: "POST", path: "/api/finalize", body: JSON.stringify({ sessionId: "deployed-3", input: {} }), headers: { "content-type": "application/json", "x-session-capability": issueCapability(SECRET, "deployed-3", issuedAt) } })),
            ),
        );
        assert.equal(result?.statusCode, 202);
        assert.equal(JSON.parse(result!.body).status, "pending");
        assert.equal(JSON.parse(result!.body).expectedImageId, imageId);
        assert.equal(sqsMock.commandCalls(SendMessageCommand)[0].args[0].input.QueueUrl, QUEUE_URL);
        assert.equal((await sessions.get("deployed-3"))?.status, "pending");
    });
});
