import * as assert from "node:assert/strict";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { runNode } from "./support/childProcess";
import { isRunning, parseSleepingPids, SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import {
    assertOneError,
    BUCKET,
    errorLines,
    INPUT_KEY,
    listKeys,
    OUTPUT_PREFIX,
    readZip,
    getBuffer,
    runnerEnv,
    useProverFixture,
} from "./support/harness";

const MAIN = ["-r", "ts-node/register/transpile-only", "prover/runner/main.ts"];

describe("prover runner: main.ts as a process, configured only by environment variables", function () {
    const fixture = useProverFixture(JSON.stringify(SAMPLE_INPUT));

    it("reaches s3rver through AWS_ENDPOINT_URL_S3 and AWS_S3_FORCE_PATH_STYLE and exits 0", async () => {
        const result = await runNode(MAIN, { ...fixture.s3.env, ...runnerEnv(fixture.workspace) });

        assert.strictEqual(result.code, EXIT_CODES.SUCCESS, result.stderr);
        assert.deepStrictEqual(errorLines(result.lines), []);
        assert.strictEqual(result.lines[0].msg, "prover starting");
        assert.strictEqual(result.lines[0].output, `s3://${BUCKET}/${OUTPUT_PREFIX}/`);
        assert.strictEqual(result.lines[0].envName, "develop");
        assert.strictEqual(result.lines[result.lines.length - 1].msg, "prover finished");
        assert.deepStrictEqual(
            await listKeys(fixture.s3.client, `${OUTPUT_PREFIX}/`),
            [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`),
        );
        const entries = await readZip(await getBuffer(fixture.s3.client, `${OUTPUT_PREFIX}/bundle.zip`));
        assert.strictEqual(entries.size, 5);
    });

    it("exits with the host failure code and one ERROR line", async () => {
        const result = await runNode(MAIN, { ...fixture.s3.env, ...runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "fail" }) });

        assert.strictEqual(result.code, EXIT_CODES.HOST_FAILED);
        assertOneError(result.lines, "HOST_FAILED", "zkVM host exited with code 1");
    });

    it("exits with the config code when the task overrides are missing", async () => {
        const result = await runNode(MAIN, fixture.s3.env);

        assert.strictEqual(result.code, EXIT_CODES.CONFIG_INVALID);
        assertOneError(
            result.lines,
            "CONFIG_INVALID",
            "invalid configuration: an input is required: set INPUT_S3_BUCKET and INPUT_S3_KEY, or INPUT_PATH",
        );
    });

    it("on SIGTERM (ECS StopTask) kills the host and exits with the stopped code", async () => {
        let pids: number[] = [];

        const result = await runNode(
            MAIN,
            { ...fixture.s3.env, ...runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "sleep" }) },
            (line, kill) => {
                const sleeping = parseSleepingPids(String(line.line));
                if (sleeping) {
                    pids = sleeping;
                    kill("SIGTERM");
                }
            },
        );

        assert.strictEqual(result.code, EXIT_CODES.STOPPED);
        assertOneError(result.lines, "STOPPED", "prover stopped by SIGTERM before it finished");
        assert.strictEqual(pids.length, 2);
        assert.deepStrictEqual(pids.map(isRunning), [false, false]);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [INPUT_KEY]);
    });
});
