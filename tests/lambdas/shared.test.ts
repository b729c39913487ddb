import * as assert from "node:assert/strict";
import { LAMBDA_ENV } from "../../lambdas/shared/contracts";
import { MissingEnvironmentError, checkProofPrefix, readEnv } from "../../lambdas/shared/env";
import { isTransientAwsError, hasErrorName } from "../../lambdas/shared/awsErrors";
import { createLogger, errorFields } from "../../lambdas/shared/log";
import {
    RATE_LIMIT_KEY_TABLE_SCHEMA,
    RATE_LIMIT_TABLE_SCHEMA,
    SESSIONS_TABLE_SCHEMA,
} from "../../lambdas/shared/tables";
import {
    EXECUTION_ID_PATTERN,
    SESSION_ID_PATTERN,
    checkNoExtraKeys,
    checkString,
    isIsoTimestamp,
    isPlainObject,
} from "../../lambdas/shared/validation";

describe("lambdas/shared", () => {
    describe("readEnv", () => {
        const complete = {
            STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
            S3_PROOF_BUCKET: "proofs",
            S3_PROOF_PREFIX: "",
            SESSIONS_TABLE: "sessions",
            UNRELATED: "ignored",
        };

        it("returns exactly the named variables", () => {
            assert.deepEqual(readEnv(LAMBDA_ENV.proverDispatch, complete, { allowEmpty: ["S3_PROOF_PREFIX"] }), {
                STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
                S3_PROOF_BUCKET: "proofs",
                S3_PROOF_PREFIX: "",
                SESSIONS_TABLE: "sessions",
            });
        });

        it("names every missing or empty variable in one error", () => {
            const env = { ...complete, S3_PROOF_BUCKET: "", SESSIONS_TABLE: undefined };
            assert.throws(
                () => readEnv(LAMBDA_ENV.proverDispatch, env, { allowEmpty: ["S3_PROOF_PREFIX"] }),
                (error: unknown) =>
                    error instanceof MissingEnvironmentError &&
                    error.message === "missing required environment variable(s): S3_PROOF_BUCKET, SESSIONS_TABLE" &&
                    error.missing.join() === "S3_PROOF_BUCKET,SESSIONS_TABLE",
            );
        });

        it("treats an empty value as missing unless allowed", () => {
            assert.throws(() => readEnv(LAMBDA_ENV.proverDispatch, complete), /S3_PROOF_PREFIX/);
        });
    });

    it("checkProofPrefix accepts empty or slash-terminated prefixes only", () => {
        assert.equal(checkProofPrefix(""), "");
        assert.equal(checkProofPrefix("sessions/"), "sessions/");
        assert.throws(() => checkProofPrefix("sessions"), {
            message: 'S3_PROOF_PREFIX: "sessions" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)',
        });
        // The config's rule, not a weaker copy: a brace would break the States.Format literal.
        assert.throws(() => checkProofPrefix("a{b}/"), { message: /^S3_PROOF_PREFIX: "a\{b\}\/" must be empty or end in "\/"/ });
    });

    describe("validation", () => {
        it("session ids: 1-128 of [A-Za-z0-9-_]", () => {
            for (const ok of ["a", "Session_1-x", "x".repeat(128)]) assert.ok(SESSION_ID_PATTERN.test(ok), ok);
            for (const bad of ["", "x".repeat(129), "a/b", "a b", "ä", "a.b"]) assert.ok(!SESSION_ID_PATTERN.test(bad), bad);
        });

        it("execution ids: 1-80 of [A-Za-z0-9-_] (Step Functions execution names)", () => {
            for (const ok of ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "y".repeat(80)]) assert.ok(EXECUTION_ID_PATTERN.test(ok), ok);
            for (const bad of ["", "y".repeat(81), "a:b", "a b", "a/b"]) assert.ok(!EXECUTION_ID_PATTERN.test(bad), bad);
        });

        it("ISO timestamps need a date, a time and a zone, and must be real instants", () => {
            for (const ok of ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00.123Z", "2026-03-01T09:00:00+09:00"]) {
                assert.equal(isIsoTimestamp(ok), true, ok);
            }
            for (const bad of ["2026-03-01", "2026-03-01T00:00:00", "2026-13-01T00:00:00Z", "yesterday", 1772323200000, null]) {
                assert.equal(isIsoTimestamp(bad), false, String(bad));
            }
        });

        it("plain objects exclude arrays and null", () => {
            assert.deepEqual([{}, [], null, "x", 1].map(isPlainObject), [true, false, false, false, false]);
        });

        it("checkString and checkNoExtraKeys collect problems naming the field and the rule", () => {
            const problems: string[] = [];
            assert.equal(checkString({ a: "ok" }, "a", problems, /^ok$/, "ok"), "ok");
            assert.equal(checkString({ a: 5 }, "a", problems), "");
            checkString({ a: "no" }, "a", problems, /^ok$/, "the word ok");
            checkNoExtraKeys({ a: 1, b: 2, c: 3 }, ["a"], problems, "x.");
            assert.deepEqual(problems, [
                "a must be a non-empty string",
                "a must be the word ok",
                "unexpected field x.b",
                "unexpected field x.c",
            ]);
        });
    });

    describe("awsErrors", () => {
        const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
        const status = (code: number) => ({ $metadata: { httpStatusCode: code } });
        const cases: [string, unknown, boolean][] = [
            ["ThrottlingException", named("ThrottlingException"), true],
            ["ProvisionedThroughputExceededException (DynamoDB)", named("ProvisionedThroughputExceededException"), true],
            ["TooManyRequestsException (Lambda, Step Functions)", named("TooManyRequestsException"), true],
            ["any error answered with 429", named("Whatever", status(429)), true],
            ["the SDK's $retryable trait", named("Whatever", { $retryable: {} }), true],
            ["503", named("InternalError", status(503)), true],
            ["501, a server error outside the transient statuses", named("NotImplemented", status(501)), true],
            ["an SDK timeout", named("TimeoutError"), true],
            ["a connection reset", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
            ["AccessDeniedException", named("AccessDeniedException", status(400)), false],
            ["ConditionalCheckFailedException", named("ConditionalCheckFailedException", status(400)), false],
            ["ExecutionAlreadyExists", named("ExecutionAlreadyExists", status(400)), false],
            ["an abort, even with a 503", named("AbortError", status(503)), false],
            ["an error without name or status", new Error("bug"), false],
            ["a string", "ThrottlingException", false],
            ["undefined", undefined, false],
        ];
        for (const [label, error, transient] of cases) {
            it(`isTransientAwsError: ${label} -> ${transient}`, () => assert.equal(isTransientAwsError(error), transient));
        }

        it("hasErrorName compares the name only", () => {
            assert.equal(hasErrorName(named("ExecutionAlreadyExists"), "ExecutionAlreadyExists"), true);
            assert.equal(hasErrorName(undefined, "ExecutionAlreadyExists"), false);
        });
    });

    describe("log", () => {
        it("writes one JSON object per line with level, msg and time first", () => {
            const lines: string[] = [];
            const logger = createLogger((line) => lines.push(line), () => new Date("2026-03-01T00:00:00.000Z"));
            logger.error("boom", { sessionId: "s1" });
            logger.warn("careful");
            logger.info("fine", { n: 1 });
            assert.deepEqual(lines, [
                '{"level":"ERROR","msg":"boom","time":"2026-03-01T00:00:00.000Z","sessionId":"s1"}',
                '{"level":"WARN","msg":"careful","time":"2026-03-01T00:00:00.000Z"}',
                '{"level":"INFO","msg":"fine","time":"2026-03-01T00:00:00.000Z","n":1}',
            ]);
        });

        it("a field named level, msg or time cannot change what the error metric filter and the dashboard read", () => {
            const lines: string[] = [];
            const logger = createLogger((line) => lines.push(line), () => new Date("2026-03-01T00:00:00.000Z"));
            logger.error("upload failed", { level: "INFO", msg: "spoofed", time: "1970-01-01T00:00:00.000Z", key: "a/b" });
            logger.info("fine", { level: "ERROR" });
            assert.deepEqual(lines, [
                '{"level":"ERROR","msg":"upload failed","time":"2026-03-01T00:00:00.000Z","key":"a/b"}',
                '{"level":"INFO","msg":"fine","time":"2026-03-01T00:00:00.000Z"}',
            ]);
        });

        it("describes errors without a stack unless asked", () => {
            const error = new TypeError("bad");
            assert.deepEqual(errorFields(error), { errorName: "TypeError", errorMessage: "bad" });
            assert.equal(errorFields(error, true).stack, error.stack);
            assert.deepEqual(errorFields("text"), { errorName: "string", errorMessage: "text" });
        });
    });

    it("table schemas match the parity key schemas", () => {
        assert.deepEqual(SESSIONS_TABLE_SCHEMA, { hashKey: { name: "sessionId", type: "S" } });
        assert.deepEqual(RATE_LIMIT_TABLE_SCHEMA, {
            hashKey: { name: "scope", type: "S" },
            rangeKey: { name: "timestamp", type: "N" },
            ttlAttribute: "expiresAt",
        });
        assert.deepEqual(RATE_LIMIT_KEY_TABLE_SCHEMA, { hashKey: { name: "key", type: "S" }, ttlAttribute: "expiresAt" });
        assert.ok(Object.isFrozen(SESSIONS_TABLE_SCHEMA) && Object.isFrozen(RATE_LIMIT_TABLE_SCHEMA.hashKey));
    });
});
