import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { runProver } from "../../prover/runner/runProver";
import { isRunning, parseSleepingPids, SAMPLE_INPUT } from "../../local/fakeHost";
import { goldenHostFiles, writeReplayHost } from "./support/golden";
import {
    assertOneError,
    errorLines,
    BUCKET,
    captureLog,
    INPUT_KEY,
    listKeys,
    LogLine,
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
        // An empty variable counts as unset (the original image declares OUTPUT_S3_BUCKET= empty).
        const env = runnerEnv(fixture.workspace, { ZKVM_TIMEOUT_SECONDS: "0", OUTPUT_S3_BUCKET: "" });

        const { code, lines } = await run(env);

        assert.strictEqual(code, EXIT_CODES.CONFIG_INVALID);
        const error = assertOneError(
            lines,
            "CONFIG_INVALID",
            "invalid configuration: OUTPUT_S3_BUCKET is required when the input comes from S3 (prove-only needs INPUT_PATH); " +
                "OUTPUT_S3_PREFIX is set but OUTPUT_S3_BUCKET is not (set both, or neither for prove-only); " +
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
        const error = assertOneError(lines, "HOST_FAILED", "zkVM host exited with code 1");
        assert.strictEqual(error.hostExitCode, 1);
        assert.ok(
            lines.some(
                (line) =>
                    line.level === "INFO" &&
                    line.stream === "stderr" &&
                    line.line === 'Error: "guest panicked: constraint failed"',
            ),
        );
        await assertNothingUploaded();
    });

    it("HOST_FAILED: an input the host's serde struct refuses (the runner checks only the original's fields)", async () => {
        const { log_id: logId, ...rest } = SAMPLE_INPUT;
        await putText(fixture.s3.client, INPUT_KEY, JSON.stringify({ ...rest, log_id: logId.slice(1) }));

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.HOST_FAILED);
        assertOneError(lines, "HOST_FAILED", "zkVM host exited with code 1");
        assert.ok(lines.some((line) => line.line === "Error: Invalid byte array length for 32-byte value: got 31"));
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

    it("BUNDLE_INCOMPLETE: the host exits 0 without its receipt file", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "omit-receipt" }));

        assert.strictEqual(code, EXIT_CODES.BUNDLE_INCOMPLETE);
        const error = assertOneError(lines, "BUNDLE_INCOMPLETE", "zkVM host exited 0 but did not write input-receipt.json");
        assert.deepStrictEqual(error.missing, ["input-receipt.json"]);
        await assertNothingUploaded();
    });

    it("BUNDLE_INCOMPLETE: a host that wrote nothing next to the input (both files named)", async () => {
        const noop = path.join(fixture.workspace.root, "noop-host");
        fs.writeFileSync(noop, "#!/bin/sh\nexit 0\n", { mode: 0o755 });

        const { code, lines } = await run(runnerEnv(fixture.workspace, { HOST_BIN: noop }));

        assert.strictEqual(code, EXIT_CODES.BUNDLE_INCOMPLETE);
        assertOneError(lines, "BUNDLE_INCOMPLETE", "zkVM host exited 0 but did not write input-receipt.json, input-output.json");
        await assertNothingUploaded();
    });

    it("BUNDLE_FAILED: the published set cannot be written (a host that clobbered the publish directory)", async () => {
        const replay = writeReplayHost(fixture.workspace.root, goldenHostFiles(path.join(fixture.workspace.root, "golden")));
        const clobber = path.join(fixture.workspace.root, "clobbering-host");
        // Runs the replay host, then puts a file where the runner's publish directory was.
        fs.writeFileSync(clobber, `#!/bin/sh\n"${replay}" "$1" || exit $?\nrm -rf ../publish && echo x > ../publish\n`, { mode: 0o755 });

        const { code, lines } = await run(runnerEnv(fixture.workspace, { HOST_BIN: clobber }));

        assert.strictEqual(code, EXIT_CODES.BUNDLE_FAILED);
        const [error] = errorLines(lines);
        assert.match(error.msg, /^cannot write receipt\.json: Error: ENOTDIR: not a directory, open /);
        assertOneError(lines, "BUNDLE_FAILED", error.msg);
        await assertNothingUploaded();
    });

    it("INPUT_MISSING_FIELD: an input without one of the original's required fields; the host never runs", async () => {
        const { votes: _votes, ...withoutVotes } = SAMPLE_INPUT;
        await putText(fixture.s3.client, INPUT_KEY, JSON.stringify(withoutVotes));

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.INPUT_MISSING_FIELD);
        const error = assertOneError(lines, "INPUT_MISSING_FIELD", `input lacks a required field: votes: ${INPUT_URL}`);
        assert.strictEqual(error.field, "votes");
        assert.ok(!lines.some((line) => line.msg === "zkVM host starting"));
        await assertNothingUploaded();
    });

    it("ELECTION_MANIFEST_INVALID: a config the input's hash does not commit to fails before the host runs", async () => {
        const tampered = { ...SAMPLE_INPUT, election_config: { ...SAMPLE_INPUT.election_config, botCount: 62 } };
        await putText(fixture.s3.client, INPUT_KEY, JSON.stringify(tampered));

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.ELECTION_MANIFEST_INVALID);
        const error = assertOneError(
            lines,
            "ELECTION_MANIFEST_INVALID",
            "election-manifest.json cannot be built from the input: election_config hash does not match zkVM input",
        );
        assert.strictEqual(error.reason, "election_config hash does not match zkVM input");
        assert.ok(!lines.some((line) => line.msg === "zkVM host starting"));
        await assertNothingUploaded();
    });

    it("JOURNAL_INVALID: the host reports a method version the application does not support", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "old-method-version" }));

        assert.strictEqual(code, EXIT_CODES.JOURNAL_INVALID);
        assertOneError(
            lines,
            "JOURNAL_INVALID",
            "journal.json cannot be built from the host output: Unsupported methodVersion in zkVM output: 13",
        );
        await assertNothingUploaded();
    });

    it("JOURNAL_INVALID: the host output is not JSON", async () => {
        const broken = path.join(fixture.workspace.root, "broken");
        goldenHostFiles(broken);
        fs.writeFileSync(path.join(broken, "host-output.json"), "{not json");
        fixture.workspace.hostBin = writeReplayHost(fixture.workspace.root, broken);

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.JOURNAL_INVALID);
        const [error] = errorLines(lines);
        assert.match(error.msg, /^journal\.json cannot be built from the host output: input-output\.json is not JSON \(SyntaxError: /);
        await assertNothingUploaded();
    });

    it("PUBLIC_INPUT_INVALID: the input has no contract_generation", async () => {
        const { contract_generation: _generation, ...withoutGeneration } = SAMPLE_INPUT;
        await putText(fixture.s3.client, INPUT_KEY, JSON.stringify(withoutGeneration));

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.PUBLIC_INPUT_INVALID);
        assertOneError(lines, "PUBLIC_INPUT_INVALID", "public-input.json cannot be built: Missing contract_generation in zkVM input");
        await assertNothingUploaded();
    });

    it("CLOSE_STATEMENT_INVALID: a log id public-input takes as given but that is not hex", async () => {
        // Only a host that ignores its input gets this far with such an input; the replay host does.
        fixture.workspace.hostBin = writeReplayHost(fixture.workspace.root, goldenHostFiles(path.join(fixture.workspace.root, "golden")));
        await putText(fixture.s3.client, INPUT_KEY, JSON.stringify({ ...SAMPLE_INPUT, log_id: "zz".repeat(32) }));

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.CLOSE_STATEMENT_INVALID);
        assertOneError(lines, "CLOSE_STATEMENT_INVALID", "close-statement.json cannot be built: Invalid hex in logId");
        await assertNothingUploaded();
    });

    it("ARTIFACTS_INCONSISTENT: the host's STH digest is not the one of the input's log", async () => {
        const { code, lines } = await run(runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "drift-sth-digest" }));

        assert.strictEqual(code, EXIT_CODES.ARTIFACTS_INCONSISTENT);
        assertOneError(
            lines,
            "ARTIFACTS_INCONSISTENT",
            "the public audit artifacts disagree: close-statement.sthDigest drifted from journal",
        );
        await assertNothingUploaded();
    });

    it("ARTIFACTS_INCONSISTENT: a host output proving another input (commitment)", async () => {
        const drifted = goldenHostFiles(path.join(fixture.workspace.root, "drifted"), (output) => {
            (output.inputCommitment as number[])[0] ^= 1;
        });
        fixture.workspace.hostBin = writeReplayHost(fixture.workspace.root, drifted);

        const { code, lines } = await run(runnerEnv(fixture.workspace));

        assert.strictEqual(code, EXIT_CODES.ARTIFACTS_INCONSISTENT);
        assertOneError(lines, "ARTIFACTS_INCONSISTENT", "the public audit artifacts disagree: public-input commitment drifted from journal");
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
