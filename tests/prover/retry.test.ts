import * as assert from "node:assert/strict";
import {
    backoffDelayMs,
    isRetryableS3Error,
    RetriesExhaustedError,
    retry,
    UPLOAD_RETRY_POLICY,
} from "../../prover/runner/retry";

const s3Error = (name: string, status?: number) =>
    Object.assign(new Error(name), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });

describe("prover runner: retry policy", () => {
    it("is 3 attempts backing off 2 s then 4 s", () => {
        assert.deepStrictEqual(UPLOAD_RETRY_POLICY, { attempts: 3, baseDelayMs: 2000 });
        assert.deepStrictEqual([1, 2].map((attempt) => backoffDelayMs(UPLOAD_RETRY_POLICY, attempt)), [2000, 4000]);
    });

    const table: [string, unknown, boolean][] = [
        ["5xx", s3Error("InternalError", 500), true],
        ["503 SlowDown", s3Error("SlowDown", 503), true],
        ["429", s3Error("TooManyRequestsException", 429), true],
        ["408", s3Error("RequestTimeout", 408), true],
        ["RequestTimeout answered as 400", s3Error("RequestTimeout", 400), true],
        ["network error without a response", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
        ["DNS failure without a response", Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" }), true],
        ["the SDK's own timeout", s3Error("TimeoutError"), true],
        ["InternalError inside a 200 OK", s3Error("InternalError", 200), true],
        ["ExpiredToken (credentials rotated)", s3Error("ExpiredToken", 400), true],
        ["RequestTimeTooSkewed", s3Error("RequestTimeTooSkewed", 403), true],
        ["a bug in the runner (no name, no status)", new TypeError("x is not a function"), false],
        ["AccessDenied", s3Error("AccessDenied", 403), false],
        ["NoSuchBucket", s3Error("NoSuchBucket", 404), false],
        ["aborted on purpose", s3Error("AbortError"), false],
        ["aborted on purpose while S3 answered 503", s3Error("AbortError", 503), false],
    ];
    for (const [name, error, expected] of table) {
        it(`${expected ? "retries" : "does not retry"} ${name}`, () => {
            assert.strictEqual(isRetryableS3Error(error), expected);
        });
    }

    it("stops at the first success and reports the attempts used", async () => {
        const sleeps: number[] = [];
        let calls = 0;
        const result = await retry(
            { attempts: 3, baseDelayMs: 10 },
            { sleep: async (ms) => void sleeps.push(ms), isRetryable: () => true, onRetry: () => undefined },
            async (attempt) => {
                calls++;
                if (attempt < 2) throw new Error("transient");
                return "done";
            },
        );
        assert.deepStrictEqual(result, { value: "done", attempts: 2 });
        assert.strictEqual(calls, 2);
        assert.deepStrictEqual(sleeps, [10]);
    });

    it("gives up at once on an error that is not retryable", async () => {
        const permanent = new Error("permanent");
        const failure = await retry(
            { attempts: 3, baseDelayMs: 10 },
            { sleep: async () => assert.fail("must not wait"), isRetryable: () => false, onRetry: () => undefined },
            async () => {
                throw permanent;
            },
        ).catch((error: unknown) => error);
        assert.ok(failure instanceof RetriesExhaustedError);
        assert.strictEqual(failure.attempts, 1);
        assert.strictEqual(failure.lastError, permanent);
    });
});
