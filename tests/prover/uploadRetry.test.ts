import * as assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { runProver } from "../../prover/runner/runProver";
import { failPutObjects } from "../../local/s3Faults";
import { LocalS3 } from "../../local/servers";
import { SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";

import {
    assertOneError,
    BUCKET,
    captureLog,
    errorLines,
    listKeys,
    OUTPUT_PREFIX,
    runnerEnv,
    UPLOAD_ORDER,
    useProverFixture,
} from "./support/harness";

/** A real S3 client for s3rver whose first `failures` PutObject calls fail with S3's throttling answer. */
function flakyPutClient(local: LocalS3, failures: number): { client: S3Client; putKeys: string[]; encryption: unknown[] } {
    const putKeys: string[] = [];
    const encryption: unknown[] = [];
    const client = failPutObjects(new S3Client(local.clientConfig(local.env.AWS_REGION)), (input) => {
        putKeys.push(input.Key!);
        encryption.push(input.ServerSideEncryption);
        return putKeys.length <= failures;
    });
    return { client, putKeys, encryption };
}

describe("prover runner: upload retries", function () {
    const fixture = useProverFixture(JSON.stringify(SAMPLE_INPUT));
    let client: S3Client | undefined;

    afterEach(() => {
        client?.destroy();
    });

    /** Runs the prover against s3rver with the first `failures` PutObject calls throttled, recording the backoff sleeps. */
    async function runFlaky(failures: number) {
        const flaky = flakyPutClient(fixture.s3, failures);
        client = flaky.client;
        const sleeps: number[] = [];
        const log = captureLog();
        const code = await runProver(runnerEnv(fixture.workspace), { s3: client, write: log.write, sleep: async (ms) => void sleeps.push(ms) });
        return { code, flaky, sleeps, log };
    }

    it("recovers from two transient failures, backing off 2 s then 4 s", async () => {
        const { code, flaky, sleeps, log } = await runFlaky(2);

        assert.strictEqual(code, EXIT_CODES.SUCCESS);
        // The bundle bucket's policy refuses any PutObject that does not ask for SSE-S3.
        assert.deepEqual(new Set(flaky.encryption), new Set(["AES256"]));
        assert.deepStrictEqual(sleeps, [2000, 4000]);
        const [receipt, ...rest] = UPLOAD_ORDER.map((name) => `${OUTPUT_PREFIX}/${name}`);
        assert.deepStrictEqual(flaky.putKeys, [receipt, receipt, receipt, ...rest]);
        assert.deepStrictEqual(
            log.lines
                .filter((line) => line.level === "WARN")
                .map(({ msg, key, attempt, delayMs }) => ({ msg, key, attempt, delayMs })),
            [
                { msg: "upload attempt failed, retrying", key: receipt, attempt: 1, delayMs: 2000 },
                { msg: "upload attempt failed, retrying", key: receipt, attempt: 2, delayMs: 4000 },
            ],
        );
        assert.deepStrictEqual(
            log.lines.filter((line) => line.msg === "uploaded").map(({ key, attempts }) => ({ key, attempts })),
            [{ key: receipt, attempts: 3 }, ...rest.map((key) => ({ key, attempts: 1 }))],
        );
        assert.deepStrictEqual(errorLines(log.lines), []);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`));
    });

    it("waits for real with an injected backoff base", async () => {
        const flaky = flakyPutClient(fixture.s3, 1);
        client = flaky.client;
        const log = captureLog();
        const started = Date.now();

        const code = await runProver(runnerEnv(fixture.workspace), {
            s3: client,
            write: log.write,
            retryBaseDelayMs: 50,
        });

        assert.strictEqual(code, EXIT_CODES.SUCCESS);
        assert.strictEqual(flaky.putKeys.length, 9);
        assert.ok(Date.now() - started >= 50);
        assert.deepStrictEqual(
            log.lines.filter((line) => line.level === "WARN").map((line) => line.delayMs),
            [50],
        );
    });

    it("UPLOAD_FAILED: gives up after 3 attempts and never uploads bundle.zip", async () => {
        const { code, flaky, sleeps, log } = await runFlaky(Infinity);

        assert.strictEqual(code, EXIT_CODES.UPLOAD_FAILED);
        const receipt = `${OUTPUT_PREFIX}/receipt.json`;
        assert.deepStrictEqual(flaky.putKeys, [receipt, receipt, receipt]);
        assert.deepStrictEqual(sleeps, [2000, 4000]);
        const error = assertOneError(
            log.lines,
            "UPLOAD_FAILED",
            `upload of s3://${BUCKET}/${receipt} failed after 3 attempt(s): SlowDown: Please reduce your request rate.`,
        );
        assert.strictEqual(error.attempts, 3);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [`${OUTPUT_PREFIX}/input.json`]);
    });

    it("UPLOAD_FAILED: does not retry an error waiting cannot fix (NoSuchBucket)", async () => {
        const sleeps: number[] = [];
        const log = captureLog();

        const env = runnerEnv(fixture.workspace, { OUTPUT_S3_BUCKET: "no-such-bucket" });
        const code = await runProver(env, {
            s3: fixture.s3.client,
            write: log.write,
            sleep: async (ms) => void sleeps.push(ms),
        });

        assert.strictEqual(code, EXIT_CODES.UPLOAD_FAILED);
        assert.deepStrictEqual(sleeps, []);
        const [error] = errorLines(log.lines);
        assert.match(
            error.msg,
            new RegExp(
                `^upload of s3://no-such-bucket/${OUTPUT_PREFIX}/receipt\\.json ` +
                    "failed after 1 attempt\\(s\\): NoSuchBucket: ",
            ),
        );
        assertOneError(log.lines, "UPLOAD_FAILED", error.msg);
    });
});
