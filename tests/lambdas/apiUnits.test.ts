import * as assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { type CapabilityCheck, MAX_CLOCK_SKEW_SECONDS, MIN_SECRET_LENGTH, capabilityExpiresAt, issueCapability, verifyCapability } from "../../lambdas/api/capability";
import { CLIENT_ERRORS, clientError } from "../../lambdas/api/clientErrors";
import { loadApiConfig } from "../../lambdas/api/config";
import { FINALIZE_RATE_LIMIT } from "../../lambdas/api/rateLimit";
import { publicView } from "../../lambdas/api/statusRoute";
import { LAMBDA_ENV } from "../../lambdas/shared/contracts";

const SECRET = "k".repeat(MIN_SECRET_LENGTH);

describe("api units", () => {
    describe("capability tokens", () => {
        const ISSUED = new Date("2026-03-01T12:00:00.500Z");
        const ISSUED_SECONDS = 1772366400;
        const TTL = 3600;
        const at = (secondsAfter: number) => new Date((ISSUED_SECONDS + secondsAfter) * 1000);

        it("are v2.<issued epoch seconds>.<base64url HMAC-SHA256 of the context, session id and issue time>", () => {
            // Computed independently of the module, from the documented format.
            const mac = createHmac("sha256", SECRET).update(`stark-ballot-simulator/session-capability/v2\nsession-1\n${ISSUED_SECONDS}`).digest("base64url");
            assert.equal(issueCapability(SECRET, "session-1", ISSUED), `v2.${ISSUED_SECONDS}.${mac}`);
            assert.equal(capabilityExpiresAt(issueCapability(SECRET, "session-1", ISSUED), TTL).toISOString(), "2026-03-01T13:00:00.000Z");
        });

        it("verify only for the same secret and session, unaltered, in canonical form", () => {
            const token = issueCapability(SECRET, "session-1", ISSUED);
            const [, , mac] = token.split(".");
            const table: [string, string, string, CapabilityCheck][] = [
                ["the token", "session-1", token, "valid"],
                ["another session", "session-2", token, "invalid"],
                ["an issue time moved forward (the MAC covers it)", "session-1", `v2.${ISSUED_SECONDS + 1000}.${mac}`, "invalid"],
                ["a v1 token (never expired)", "session-1", `v1.${mac}`, "invalid"],
                ["a padded token", "session-1", `${token}=`, "invalid"],
                ["a leading zero in the time", "session-1", `v2.0${ISSUED_SECONDS}.${mac}`, "invalid"],
                ["an empty token", "session-1", "", "invalid"],
                ["a flipped MAC character", "session-1", token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"), "invalid"],
            ];
            for (const [label, sessionId, presented, expected] of table) {
                assert.equal(verifyCapability(SECRET, sessionId, presented, at(10), TTL), expected, label);
            }
            assert.equal(verifyCapability("j".repeat(MIN_SECRET_LENGTH), "session-1", token, at(10), TTL), "invalid");
        });

        it("expire after the lifetime, and a token from beyond the clock skew is refused", () => {
            const token = issueCapability(SECRET, "session-1", ISSUED);
            assert.equal(verifyCapability(SECRET, "session-1", token, at(TTL), TTL), "valid");
            assert.equal(verifyCapability(SECRET, "session-1", token, at(TTL + 1), TTL), "expired");
            assert.equal(verifyCapability(SECRET, "session-1", token, at(-MAX_CLOCK_SKEW_SECONDS), TTL), "valid");
            assert.equal(verifyCapability(SECRET, "session-1", token, at(-MAX_CLOCK_SKEW_SECONDS - 1), TTL), "invalid");
        });

        it("refuse a secret shorter than the minimum", () => {
            assert.throws(() => issueCapability("short", "s", ISSUED), /at least 32 characters/);
        });
    });

    describe("client error codes", () => {
        const table: [string, string][] = [
            ["ImageSignatureVerificationFailed", "image_unverified"],
            ["ImageScanFindingsRefused", "image_unverified"],
            ["ImageScanIncomplete", "image_unverified"],
            ["DispatchTimedOut", "dispatch_timed_out"],
            ["EnqueueFailed", "queue_unavailable"],
            ["States.Timeout", "prover_timed_out"],
            ["ExecutionAborted", "execution_aborted"],
            ["States.TaskFailed", "prover_failed"],
            ["States.Runtime", "prover_failed"],
            ["ECS.AmazonECSException", "prover_failed"],
        ];
        for (const [stored, code] of table) {
            it(`${stored} → ${code}, never the Cause`, () => {
                const shown = clientError({ Error: stored, Cause: "arn:aws:ecs:us-east-1:123456789012:task/x sha256:abc stack trace" });
                assert.deepEqual(shown, { code, message: CLIENT_ERRORS[code as keyof typeof CLIENT_ERRORS] });
                assert.ok(!JSON.stringify(shown).includes("arn:"), "no ARN leaves the api");
            });
        }
    });

    describe("config", () => {
        const env = {
            ...Object.fromEntries(LAMBDA_ENV.api.map((name) => [name, `${name.toLowerCase()}-value`])),
            PROOFS_PER_HOUR: "30",
            PROOFS_PER_DAY: "60",
            SESSION_CAPABILITY_TTL_SECONDS: "86400",
            ALLOW_REPROVING: "false",
        };

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
                capabilityTtlSeconds: 86400,
                allowReproving: false,
                proverImageParameter: "prover_image_parameter-value",
                captchaVerifyUrl: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
            });
        });

        const refusals: [Record<string, string>, string][] = [
            [{ SESSION_CAPABILITY_TTL_SECONDS: "899" }, 'SESSION_CAPABILITY_TTL_SECONDS: "899" must be an integer from 900 to 2592000'],
            [{ SESSION_CAPABILITY_TTL_SECONDS: "2592001" }, 'SESSION_CAPABILITY_TTL_SECONDS: "2592001" must be an integer from 900 to 2592000'],
            [{ ALLOW_REPROVING: "yes" }, 'ALLOW_REPROVING: "yes" must be "true" or "false"'],
            [{ CAPTCHA_VERIFY_URL: "http://challenges.example/siteverify" }, 'CAPTCHA_VERIFY_URL: "http://challenges.example/siteverify" must be an https:// URL or http://127.0.0.1:<port>/...'],
        ];
        for (const [override, message] of refusals) {
            it(`refuses ${JSON.stringify(override)}`, () => {
                assert.throws(() => loadApiConfig({ ...env, S3_PROOF_PREFIX: "", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144", ...override }), { message });
            });
        }

        it("takes a loopback captcha endpoint for local runs, and re-proving when enabled", () => {
            const config = loadApiConfig({ ...env, S3_PROOF_PREFIX: "", PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144", ALLOW_REPROVING: "true", CAPTCHA_VERIFY_URL: "http://127.0.0.1:8125/siteverify" });
            assert.deepEqual([config.allowReproving, config.captchaVerifyUrl], [true, "http://127.0.0.1:8125/siteverify"]);
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
        assert.deepEqual(publicView(record), {
            sessionId: "s",
            status: "failed",
            executionId: "e",
            updatedAt: "2026-03-01T00:00:00.000Z",
            error: { code: "prover_failed", message: "the prover could not produce a proof for this input" },
        });
    });
});
