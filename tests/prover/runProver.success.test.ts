import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runProver } from "../../prover/runner/runProver";
import { expectedHostFiles, SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import {
    captureLog,
    errorLines,
    getBuffer,
    getObject,
    INPUT_KEY,
    listKeys,
    LogLine,
    OUTPUT_PREFIX,
    readZip,
    runnerEnv,
    useProverFixture,
} from "./support/harness";

// Pretty-printed so "the host got the exact bytes" is a real check (journal.json holds their sha256).
const INPUT_TEXT = JSON.stringify(SAMPLE_INPUT, null, 2);

describe("prover runner: successful runs against s3rver", function () {
    const fixture = useProverFixture(INPUT_TEXT);

    async function run(extraEnv: Record<string, string> = {}): Promise<{ code: number; lines: LogLine[] }> {
        const log = captureLog();
        const env = { ...runnerEnv(fixture.workspace, extraEnv), ...fixture.s3.env };
        const code = await runProver(env, { s3: fixture.s3.client, write: log.write });
        return { code, lines: log.lines };
    }

    it("uploads every host output and a bundle.zip of the bundle files under OUTPUT_S3_PREFIX", async () => {
        const { code, lines } = await run();

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(errorLines(lines), []);
        assert.deepStrictEqual(
            await listKeys(fixture.s3.client),
            [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`),
        );
        const expected = expectedHostFiles(INPUT_TEXT);
        for (const [name, body] of Object.entries(expected)) {
            assert.deepStrictEqual(await getObject(fixture.s3.client, `${OUTPUT_PREFIX}/${name}`), {
                body,
                contentType: "application/json",
            });
        }
        assert.deepStrictEqual(await getObject(fixture.s3.client, `${OUTPUT_PREFIX}/logs/host.log`), {
            body: "proved election-42\n",
            contentType: "text/plain; charset=utf-8",
        });
        // The input written by prover-dispatch is left as it was.
        assert.strictEqual((await getObject(fixture.s3.client, INPUT_KEY)).body, INPUT_TEXT);

        const bundle = await getObject(fixture.s3.client, `${OUTPUT_PREFIX}/bundle.zip`);
        assert.strictEqual(bundle.contentType, "application/zip");
        const entries = await readZip(await getBuffer(fixture.s3.client, `${OUTPUT_PREFIX}/bundle.zip`));
        assert.deepStrictEqual([...entries.keys()], [
            "receipt.json",
            "journal.json",
            "public-input.json",
            "election-manifest.json",
            "close-statement.json",
        ]);
        assert.deepStrictEqual(Object.fromEntries(entries), expected);

        const finished = lines[lines.length - 1];
        assert.strictEqual(finished.level, "INFO");
        assert.strictEqual(finished.msg, "prover finished");
        assert.strictEqual(finished.bundleKey, `${OUTPUT_PREFIX}/bundle.zip`);
        assert.strictEqual(finished.objects, 8);
    });

    it("calls `HOST_BIN <inputFile> <outputDir>` in scratch, with TMPDIR there and no credentials", async () => {
        const { code } = await run();

        assert.strictEqual(code, 0);
        const report = JSON.parse((await getObject(fixture.s3.client, `${OUTPUT_PREFIX}/host-report.json`)).body);
        assert.deepStrictEqual(report, {
            argv: [path.join(fixture.workspace.scratchDir, "input.json"), path.join(fixture.workspace.scratchDir, "output")],
            cwd: fixture.workspace.scratchDir,
            tmpdir: path.join(fixture.workspace.scratchDir, "tmp"),
            // AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of fixture.s3.env are withheld from the host.
            awsVariables: ["AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_S3_FORCE_PATH_STYLE"],
        });
        assert.strictEqual(fs.readFileSync(path.join(fixture.workspace.scratchDir, "input.json"), "utf8"), INPUT_TEXT);
    });

    it("streams the host's stdout and stderr into the log as INFO lines", async () => {
        const { lines } = await run();

        const hostLines = lines
            .filter((line) => line.msg === "host output")
            .map(({ level, stream, line }) => ({ level, stream, line }));
        assert.deepStrictEqual(
            hostLines.sort((a, b) => String(a.stream).localeCompare(String(b.stream))),
            [
                { level: "INFO", stream: "stderr", line: "fake host: progress 100%" },
                { level: "INFO", stream: "stdout", line: "fake host: proving election-42" },
            ],
        );
        for (const line of lines) {
            assert.deepStrictEqual(Object.keys(line).slice(0, 3), ["level", "msg", "time"]);
            assert.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        }
    });

    it("packs only the required files when the host wrote no optional ones", async () => {
        const { code } = await run({ FAKE_HOST_MODE: "minimal" });

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [
            `${OUTPUT_PREFIX}/bundle.zip`,
            `${OUTPUT_PREFIX}/input.json`,
            `${OUTPUT_PREFIX}/journal.json`,
            `${OUTPUT_PREFIX}/receipt.json`,
        ]);
        const entries = await readZip(await getBuffer(fixture.s3.client, `${OUTPUT_PREFIX}/bundle.zip`));
        const expected = expectedHostFiles(INPUT_TEXT);
        assert.deepStrictEqual(Object.fromEntries(entries), {
            "receipt.json": expected["receipt.json"],
            "journal.json": expected["journal.json"],
        });
    });

    it("never lets host files named input.json or bundle.zip overwrite the runner's objects", async () => {
        const { code, lines } = await run({ FAKE_HOST_MODE: "reserved-names" });

        assert.strictEqual(code, 0);
        assert.strictEqual((await getObject(fixture.s3.client, INPUT_KEY)).body, INPUT_TEXT);
        const entries = await readZip(await getBuffer(fixture.s3.client, `${OUTPUT_PREFIX}/bundle.zip`));
        assert.strictEqual(entries.size, 5);
        assert.deepStrictEqual(
            lines.filter((line) => line.level === "WARN").map(({ msg, name, reason }) => ({ msg, name, reason })),
            [
                { msg: "host output not uploaded", name: "bundle.zip", reason: "name is reserved for the runner" },
                { msg: "host output not uploaded", name: "input.json", reason: "name is reserved for the runner" },
            ],
        );
    });

    it("reads a local INPUT_PATH instead of S3 when given one", async () => {
        const inputPath = path.join(fixture.workspace.root, "local-input.json");
        // Compact, unlike the pretty-printed S3 copy: the journal's digest tells which one the host read.
        const localInput = JSON.stringify(SAMPLE_INPUT);
        fs.writeFileSync(inputPath, localInput);
        const env: Record<string, string> = { ...runnerEnv(fixture.workspace), INPUT_PATH: inputPath };
        delete env.INPUT_S3_BUCKET;
        delete env.INPUT_S3_KEY;
        const log = captureLog();

        const code = await runProver(env, { s3: fixture.s3.client, write: log.write });

        assert.strictEqual(code, 0);
        assert.strictEqual(
            (await getObject(fixture.s3.client, `${OUTPUT_PREFIX}/journal.json`)).body,
            expectedHostFiles(localInput)["journal.json"],
        );
    });
});
