import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { runProver } from "../../prover/runner/runProver";
import { isRunning, parseSleepingPids, SAMPLE_INPUT } from "../../local/fakeHost";
import {
    assertOneError,
    BUCKET,
    captureLog,
    INPUT_KEY,
    listKeys,
    LogLine,
    OUTPUT_PREFIX,
    putText,
    runnerEnv,
    useProverFixture,
} from "./support/harness";

const INPUT_TEXT = JSON.stringify(SAMPLE_INPUT);
const INPUT_URL = `s3://${BUCKET}/${INPUT_KEY}`;

describe("prover runner: every failure has its exit code and one ERROR line", function () {
    const fixture = useProverFixture(INPUT_TEXT);

    interface RunOptions {
        killGraceMs?: number;
        signal?: AbortSignal;
        onLine?: (line: LogLine) => void;
    }

    async function run(env: Record<string, string>, options: RunOptions = {}) {
        const log = captureLog(options.onLine);
        const code = await runProver(env, {
            s3: fixture.s3.client,
            write: log.write,
            killGraceMs: options.killGraceMs,
            signal: options.signal,
        });
        return { code, lines: log.lines };
    }

    /** Failed runs upload nothing: only the input prover-dispatch wrote is under the prefix. */
    async function assertNothingUploaded(): Promise<void> {
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [INPUT_KEY]);
    }

    it("CONFIG_INVALID: lists every configuration problem in one line", async () => {
        const env = runnerEnv(fixture.workspace, { ZKVM_TIMEOUT_SECONDS: "0", OUTPUT_S3_PREFIX: `${OUTPUT_PREFIX}/` });
        delete env.OUTPUT_S3_BUCKET;

        const { code, lines } = await run(env);

        assert.strictEqual(code, EXIT_CODES.CONFIG_INVALID);
        const error = assertOneError(
            lines,
            "CONFIG_INVALID",
            "invalid configuration: OUTPUT_S3_BUCKET is required; " +
                `OUTPUT_S3_PREFIX must not end with '/' (got '${OUTPUT_PREFIX}/'); ` +
                "ZKVM_TIMEOUT_SECONDS must be a positive whole number of seconds (got '0')",
        );
        assert.strictEqual((error.problems as string[]).length, 3);
        assert.strictEqual(lines.length, 1);
    });

    it("INPUT_NOT_FOUND: the input object does not exist", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { INPUT_S3_KEY: "sessions/missing/input.json" }));

        assert.strictEqual(code, EXIT_CODES.INPUT_NOT_FOUND);
        assertOneError(lines, "INPUT_NOT_FOUND", `input not found: s3://${BUCKET}/sessions/missing/input.json`);
        await assertNothingUploaded();
    });

    it("INPUT_NOT_FOUND: a local INPUT_PATH does not exist", async () => {
        const missing = path.join(fixture.workspace.root, "missing.json");
        const env: Record<string, string> = { ...runnerEnv(fixture.workspace), INPUT_PATH: missing };
        delete env.INPUT_S3_BUCKET;
        delete env.INPUT_S3_KEY;

        const { code, lines } = await run(env);

        assert.strictEqual(code, EXIT_CODES.INPUT_NOT_FOUND);
        assertOneError(lines, "INPUT_NOT_FOUND", `input not found: ${missing}`);
    });

    it("INPUT_UNREADABLE: the input cannot be read", async () => {
        const env: Record<string, string> = { ...runnerEnv(fixture.workspace), INPUT_PATH: fixture.workspace.root };
        delete env.INPUT_S3_BUCKET;
        delete env.INPUT_S3_KEY;

        const { code, lines } = await run(env);

        assert.strictEqual(code, EXIT_CODES.INPUT_UNREADABLE);
        assertOneError(
            lines,
            "INPUT_UNREADABLE",
            `input could not be read: ${fixture.workspace.root}: Error: EISDIR: illegal operation on a directory, read`,
        );
    });

    for (const [body, description] of [
        ["[1, 2]", "input is an array, not a JSON object"],
        ["null", "input is null, not a JSON object"],
        ["42", "input is a number, not a JSON object"],
        ['"ballots"', "input is a string, not a JSON object"],
    ] as const) {
        it(`INPUT_NOT_JSON_OBJECT: refuses ${body}`, async () => {
            await putText(fixture.s3.client, INPUT_KEY, body);

            const { code, lines } = await run(runnerEnv(fixture.workspace));

            assert.strictEqual(code, EXIT_CODES.INPUT_NOT_JSON_OBJECT);
            assertOneError(lines, "INPUT_NOT_JSON_OBJECT", `${description}: ${INPUT_URL}`);
            assert.deepStrictEqual(fs.readdirSync(fixture.workspace.scratchDir), []);
        });
    }

    it("INPUT_NOT_JSON_OBJECT: refuses text that is not JSON", async () => {
        await putText(fixture.s3.client, INPUT_KEY, "{ballots: [1]");

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.INPUT_NOT_JSON_OBJECT);
        const [error] = lines.filter((line) => line.level === "ERROR");
        assert.match(error.msg, new RegExp(`^input is not valid JSON: ${INPUT_URL}: SyntaxError: `));
        assertOneError(lines, "INPUT_NOT_JSON_OBJECT", error.msg);
    });

    it("SCRATCH_UNAVAILABLE: SCRATCH_DIR cannot hold the run's files", async () => {
        const notADirectory = path.join(fixture.workspace.root, "scratch-file");
        fs.writeFileSync(notADirectory, "");

        const { code, lines } = await run(runnerEnv(fixture.workspace, { SCRATCH_DIR: notADirectory }));

        assert.strictEqual(code, EXIT_CODES.SCRATCH_UNAVAILABLE);
        assertOneError(
            lines,
            "SCRATCH_UNAVAILABLE",
            `scratch directory ${notADirectory} is not usable: ` +
                `Error: EEXIST: file already exists, mkdir '${notADirectory}'`,
        );
    });

    it("HOST_NOT_FOUND: HOST_BIN does not exist", async () => {
        const missing = path.join(fixture.workspace.root, "no-such-host");

        const { code, lines } = await run(runnerEnv(fixture.workspace, { HOST_BIN: missing }));

        assert.strictEqual(code, EXIT_CODES.HOST_NOT_FOUND);
        assertOneError(
            lines,
            "HOST_NOT_FOUND",
            `zkVM host ${missing} cannot be used: Error: ENOENT: no such file or directory, stat '${missing}'`,
        );
        await assertNothingUploaded();
    });

    it("HOST_NOT_EXECUTABLE: HOST_BIN has no execute permission", async () => {
        fs.chmodSync(fixture.workspace.hostBin, 0o644);

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.HOST_NOT_EXECUTABLE);
        assertOneError(lines, "HOST_NOT_EXECUTABLE", `zkVM host ${fixture.workspace.hostBin} is not executable by this user`);
    });

    it("HOST_NOT_EXECUTABLE: HOST_BIN is a directory", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { HOST_BIN: fixture.workspace.scratchDir }));

        assert.strictEqual(code, EXIT_CODES.HOST_NOT_EXECUTABLE);
        assertOneError(lines, "HOST_NOT_EXECUTABLE", `zkVM host ${fixture.workspace.scratchDir} is not a regular file`);
    });

    it("HOST_FAILED: the host exits non-zero; its stderr is in the log", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "fail" }));

        assert.strictEqual(code, EXIT_CODES.HOST_FAILED);
        const error = assertOneError(lines, "HOST_FAILED", "zkVM host exited with code 3");
        assert.strictEqual(error.hostExitCode, 3);
        assert.ok(
            lines.some(
                (line) =>
                    line.level === "INFO" && line.stream === "stderr" && line.line === "fake host: constraint failed",
            ),
        );
        await assertNothingUploaded();
    });

    it("HOST_TIMEOUT: kills the host and its workers after ZKVM_TIMEOUT_SECONDS", async () => {
        let pids: number[] = [];
        const started = Date.now();

        const env = runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "sleep", ZKVM_TIMEOUT_SECONDS: "1" });
        const { code, lines } = await run(env, {
            onLine: (line) => (pids = parseSleepingPids(String(line.line)) ?? pids),
        });

        const elapsed = Date.now() - started;
        assert.strictEqual(code, EXIT_CODES.HOST_TIMEOUT);
        assertOneError(lines, "HOST_TIMEOUT", "zkVM host timed out after 1 s and was killed");
        assert.ok(elapsed >= 1000 && elapsed < 5000, `took ${elapsed} ms`);
        assert.strictEqual(pids.length, 2);
        assert.deepStrictEqual(pids.map(isRunning), [false, false]);
        await assertNothingUploaded();
    });

    it("HOST_TIMEOUT: sends SIGKILL after the grace period to a host that ignores SIGTERM", async () => {
        let pids: number[] = [];
        const started = Date.now();

        const { code, lines } = await run(
            runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "ignore-sigterm", ZKVM_TIMEOUT_SECONDS: "1" }),
            { killGraceMs: 300, onLine: (line) => (pids = parseSleepingPids(String(line.line)) ?? pids) },
        );

        const elapsed = Date.now() - started;
        assert.strictEqual(code, EXIT_CODES.HOST_TIMEOUT);
        assertOneError(lines, "HOST_TIMEOUT", "zkVM host timed out after 1 s and was killed");
        assert.ok(lines.some((line) => line.line === "fake host: ignoring SIGTERM"));
        assert.ok(elapsed >= 1300 && elapsed < 5000, `took ${elapsed} ms`);
        assert.deepStrictEqual(pids.map(isRunning), [false, false]);
    });

    it("BUNDLE_INCOMPLETE: the host exits 0 without receipt.json", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "omit-receipt" }));

        assert.strictEqual(code, EXIT_CODES.BUNDLE_INCOMPLETE);
        const error = assertOneError(
            lines,
            "BUNDLE_INCOMPLETE",
            "zkVM host did not write required bundle file(s): receipt.json",
        );
        assert.deepStrictEqual(error.missing, ["receipt.json"]);
        await assertNothingUploaded();
    });

    it("STOPPED: a stop request (SIGTERM in main.ts) kills the host and ends the run", async () => {
        const stop = new AbortController();
        let pids: number[] = [];

        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "sleep" }), {
            signal: stop.signal,
            onLine: (line) => {
                const sleeping = parseSleepingPids(String(line.line));
                if (sleeping) {
                    pids = sleeping;
                    stop.abort("SIGTERM");
                }
            },
        });

        assert.strictEqual(code, EXIT_CODES.STOPPED);
        assertOneError(lines, "STOPPED", "prover stopped by SIGTERM before it finished");
        assert.deepStrictEqual(pids.map(isRunning), [false, false]);
        await assertNothingUploaded();
    });
});
