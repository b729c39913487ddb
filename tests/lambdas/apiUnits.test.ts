import * as assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { MIN_SECRET_LENGTH, issueCapability, verifyCapability } from "../../lambdas/api/capability";
import { loadApiConfig } from "../../lambdas/api/config";
import { FINALIZE_RATE_LIMIT } from "../../lambdas/api/rateLimit";
import { publicView } from "../../lambdas/api/statusRoute";
import { LAMBDA_ENV } from "../../lambdas/shared/contracts";

const SECRET = "k".repeat(MIN_SECRET_LENGTH);

describe("api units", () => {
    describe("capability tokens", () => {
        it("are v1. plus the base64url HMAC-SHA256 of the context and session id", () => {
            // Computed independently of the module, from the documented format.
            const mac = createHmac("sha256", SECRET).update("stark-ballot-simulator/session-capability/v1\nsession-1").digest("base64url");
            assert.equal(issueCapability(SECRET, "session-1"), `v1.${mac}`);
            assert.match(issueCapability(SECRET, "session-1"), /^v1\.[A-Za-z0-9_-]{43}$/);
        });

        it("verify only for the same secret and session, in canonical form", () => {
            const token = issueCapability(SECRET, "session-1");
            assert.equal(verifyCapability(SECRET, "session-1", token), true);
            assert.equal(verifyCapability(SECRET, "session-2", token), false);
            assert.equal(verifyCapability("j".repeat(MIN_SECRET_LENGTH), "session-1", token), false);
            assert.equal(verifyCapability(SECRET, "session-1", token.replace("v1.", "v2.")), false);
            assert.equal(verifyCapability(SECRET, "session-1", `${token}=`), false);
            assert.equal(verifyCapability(SECRET, "session-1", ""), false);
            const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
            assert.equal(verifyCapability(SECRET, "session-1", flipped), false);
        });

        it("refuse a secret shorter than the minimum", () => {
            assert.throws(() => issueCapability("short", "s"), /at least 32 characters/);
        });
    });

    describe("config", () => {
        const env = { ...Object.fromEntries(LAMBDA_ENV.api.map((name) => [name, `${name.toLowerCase()}-value`])), PROOFS_PER_HOUR: "30", PROOFS_PER_DAY: "60" };

        it("reads exactly LAMBDA_ENV.api, keeping only parameter names for secrets", () => {
            assert.deepEqual(loadApiConfig({ ...env, S3_PROOF_PREFIX: "sessions/", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144" }), {
                envName: "env_name-value",
                sessionsTable: "sessions_table-value",
                rateLimitTable: "rate_limit_table-value",
                rateLimitKeyTable: "rate_limit_key_table-value",
                workQueueUrl: "prover_work_queue_url-value",
                workQueueMaxMessageBytes: 262144,
                stateMachineArn: "prover_state_machine_arn-value",
                bucket: "s3_proof_bucket-value",
                proofPrefix: "sessions/",
                proofBudget: { perHour: 30, perDay: 60 },
                secretParameters: {
                    sessionCapability: "secret_parameter_session_capability-value",
                    voteEncryptionKey: "secret_parameter_vote_encryption_key-value",
                    captcha: "secret_parameter_captcha-value",
                },
            });
        });

        for (const bytes of ["1023", "1048577", "256KiB", "262144.5", "-1", " 262144"]) {
            it(`refuses PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES "${bytes}" (SQS MaximumMessageSize is 1024-1048576)`, () => {
                assert.throws(
                    () => loadApiConfig({ ...env, S3_PROOF_PREFIX: "sessions/", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: bytes }),
                    { message: `PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "${bytes}" must be an integer from 1024 to 1048576 (SQS MaximumMessageSize)` },
                );
            });
        }

        for (const [perHour, perDay, message] of [
            ["0", "60", 'PROOFS_PER_HOUR: "0" must be a positive integer'],
            ["30", "1.5", 'PROOFS_PER_DAY: "1.5" must be a positive integer'],
            ["61", "60", "PROOFS_PER_HOUR: 61 must not exceed PROOFS_PER_DAY (60)"],
        ]) {
            it(`refuses the proof budget ${perHour}/h, ${perDay}/day`, () => {
                assert.throws(() => loadApiConfig({ ...env, S3_PROOF_PREFIX: "sessions/", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144", PROOFS_PER_HOUR: perHour, PROOFS_PER_DAY: perDay }), { message });
            });
        }

        it("accepts both ends of SQS's MaximumMessageSize range", () => {
            for (const bytes of [1024, 1048576]) {
                const config = loadApiConfig({ ...env, S3_PROOF_PREFIX: "sessions/", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: String(bytes) });
                assert.equal(config.workQueueMaxMessageBytes, bytes);
            }
        });

        it("names every missing variable", () => {
            assert.throws(
                () => loadApiConfig({ ...env, S3_PROOF_PREFIX: "", SECRET_PARAMETER_CAPTCHA: undefined, ENV_NAME: "" }),
                /^MissingEnvironmentError: missing required environment variable\(s\): ENV_NAME, SECRET_PARAMETER_CAPTCHA$/,
            );
        });
    });

    it("the default finalize rate limit is 10 per 10 minutes", () => {
        assert.deepEqual(FINALIZE_RATE_LIMIT, { limit: 10, windowSeconds: 600 });
    });

    it("publicView drops the execution ARN and application attributes", () => {
        const record = {
            sessionId: "s",
            status: "failed" as const,
            executionId: "e",
            executionArn: "arn:aws:states:us-east-1:123456789012:execution:sm:e",
            error: { Error: "E" },
            updatedAt: "2026-03-01T00:00:00.000Z",
            ballotSecret: "x",
        };
        assert.deepEqual(publicView(record), { sessionId: "s", status: "failed", executionId: "e", updatedAt: "2026-03-01T00:00:00.000Z", error: { Error: "E" } });
    });
});
