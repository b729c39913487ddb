import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import { BUNDLE_ENTRIES } from "../../prover/runner/proofBundle";
import { runProver } from "../../prover/runner/runProver";
import { restoredProofProblems } from "./support/applicationChecks";
import { GOLDEN_ARTIFACTS, goldenHostFiles, goldenText, writeProbeHost, writeReplayHost } from "./support/golden";
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
    UPLOAD_ORDER,
    useProverFixture,
} from "./support/harness";

// Pretty-printed: the host must get exactly the bytes prover-dispatch stored.
const INPUT_TEXT = JSON.stringify(SAMPLE_INPUT, null, 2);

describe("prover runner: successful runs against s3rver", function () {
    const fixture = useProverFixture(INPUT_TEXT);

    async function run(extraEnv: Record<string, string> = {}): Promise<{ code: number; lines: LogLine[] }> {
        const log = captureLog();
        const env = { ...runnerEnv(fixture.workspace, extraEnv), ...fixture.s3.env };
        const code = await runProver(env, { s3: fixture.s3.client, write: log.write });
        return { code, lines: log.lines };
    }

    const key = (name: string): string => `${OUTPUT_PREFIX}/${name}`;
    const uploadOrder = (lines: readonly LogLine[]): string[] =>
        lines.filter((line) => line.msg === "uploaded").map((line) => String(line.key).slice(OUTPUT_PREFIX.length + 1));
    async function published(): Promise<{ bundle: Map<string, string>; included: string; seen: string }> {
        return {
            bundle: await readZip(await getBuffer(fixture.s3.client, key("bundle.zip"))),
            included: (await getObject(fixture.s3.client, key("included-bitmap.json"))).body,
            seen: (await getObject(fixture.s3.client, key("seen-bitmap.json"))).body,
        };
    }

    it("publishes the artifacts, the bitmaps and bundle.zip (last), which the application's checks accept", async () => {
        const { code, lines } = await run();

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(lines.filter((line) => line.level !== "INFO"), []);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [...SUCCESS_OBJECT_NAMES].map(key));
        assert.deepStrictEqual(uploadOrder(lines), [...UPLOAD_ORDER]);
        assert.strictEqual((await getObject(fixture.s3.client, INPUT_KEY)).body, INPUT_TEXT, "the input is left as it was");

        const { bundle, included, seen } = await published();
        assert.deepStrictEqual([...bundle.keys()], [...BUNDLE_ENTRIES]);
        assert.deepStrictEqual(restoredProofProblems(bundle, { included, seen }), []);
        for (const name of BUNDLE_ENTRIES) {
            assert.deepStrictEqual(await getObject(fixture.s3.client, key(name)), {
                body: bundle.get(name),
                contentType: "application/json",
            });
        }
        assert.strictEqual((await getObject(fixture.s3.client, key("bundle.zip"))).contentType, "application/zip");
        // The receipt is the host's file, byte for byte.
        const hostReceipt = fs.readFileSync(path.join(fixture.workspace.scratchDir, "host", "input-receipt.json"), "utf8");
        assert.strictEqual(bundle.get("receipt.json"), hostReceipt);
        // What depends on the input alone is the original runner's output for it, byte for byte.
        for (const name of ["public-input.json", "election-manifest.json", "close-statement.json"]) {
            assert.strictEqual(bundle.get(name), goldenText(name), name);
        }
        const journal = JSON.parse(bundle.get("journal.json")!);
        const golden = JSON.parse(goldenText("journal.json"));
        for (const field of ["electionId", "electionConfigHash", "bulletinRoot", "treeSize", "totalExpected", "sthDigest", "inputCommitment", "methodVersion"]) {
            assert.deepStrictEqual(journal[field], golden[field], field);
        }

        const finished = lines[lines.length - 1];
        assert.strictEqual(finished.msg, "prover finished");
        assert.strictEqual(finished.bundleKey, key("bundle.zip"));
        assert.strictEqual(finished.objects, 8);
    });

    it("publishes exactly what the original runner published for the golden host outputs", async () => {
        fixture.workspace.hostBin = writeReplayHost(fixture.workspace.root, goldenHostFiles(path.join(fixture.workspace.root, "golden")));
        const { code, lines } = await run();

        assert.strictEqual(code, 0, JSON.stringify(errorLines(lines)));
        const { bundle, included, seen } = await published();
        for (const name of GOLDEN_ARTIFACTS) {
            assert.strictEqual(bundle.get(name), goldenText(name), name);
            assert.strictEqual((await getObject(fixture.s3.client, key(name))).body, goldenText(name), name);
        }
        assert.strictEqual(bundle.get("receipt.json"), goldenText("host-receipt.json"));
        assert.strictEqual(included, goldenText("included-bitmap.json"));
        assert.strictEqual(seen, goldenText("seen-bitmap.json"));
        assert.deepStrictEqual(restoredProofProblems(bundle, { included, seen }), []);
    });

    it("calls the host with the input file as its only argument, in its own directory, with TMPDIR, RUST_LOG and no credentials", async () => {
        const report = path.join(fixture.workspace.root, "probe.json");
        fixture.workspace.hostBin = writeProbeHost(fixture.workspace.root, fixture.workspace.hostBin);
        const { code } = await run({ PROBE_REPORT: report });

        assert.strictEqual(code, 0);
        const hostDir = path.join(fixture.workspace.scratchDir, "host");
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(report, "utf8")), {
            argv: [path.join(hostDir, "input.json")],
            cwd: hostDir,
            tmpdir: path.join(fixture.workspace.scratchDir, "tmp"),
            rustLog: "info",
            // No AWS_* variable reaches the host: neither the keys of fixture.s3.env nor the region or endpoint.
            awsVariables: [],
        });
        assert.strictEqual(fs.readFileSync(path.join(hostDir, "input.json"), "utf8"), INPUT_TEXT);

        await run({ PROBE_REPORT: report, RUST_LOG: "risc0_zkvm=debug" });
        assert.strictEqual(JSON.parse(fs.readFileSync(report, "utf8")).rustLog, "risc0_zkvm=debug");
    });

    it("streams the host's stdout and stderr into the log as INFO lines", async () => {
        const { lines } = await run();

        const hostLines = lines.filter((line) => line.msg === "host output");
        assert.deepStrictEqual(hostLines.slice(0, 2).map(({ level, stream, line }) => ({ level, stream, line })), [
            { level: "INFO", stream: "stdout", line: "RISC Zero Host Program v2" },
            { level: "INFO", stream: "stdout", line: `Loading input from: ${path.join(fixture.workspace.scratchDir, "host", "input.json")}` },
        ]);
        assert.ok(hostLines.some((line) => line.stream === "stderr" && line.line === "fake host: proving (placeholder receipt)"));
        for (const line of lines) {
            assert.deepStrictEqual(Object.keys(line).slice(0, 3), ["level", "msg", "time"]);
            assert.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        }
    });

    it("publishes without the bitmaps, with one WARN each, when the host wrote none", async () => {
        const { code, lines } = await run({ FAKE_HOST_MODE: "omit-bitmaps" });

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(uploadOrder(lines), [...BUNDLE_ENTRIES, "bundle.zip"]);
        assert.deepStrictEqual(
            lines.filter((line) => line.level === "WARN").map(({ msg, missing }) => ({ msg, missing })),
            [
                { msg: "host wrote no input-bitmap.json; bitmap proof availability will be reduced", missing: "included-bitmap.json" },
                { msg: "host wrote no input-seen-bitmap.json; per-index explainability will be reduced", missing: "seen-bitmap.json" },
            ],
        );
    });

    it("never publishes files an earlier run left on the scratch volume", async () => {
        for (const [dir, name] of [["host", "input-bitmap.json"], ["host", "input-seen-bitmap.json"], ["publish", "stale.json"]]) {
            fs.mkdirSync(path.join(fixture.workspace.scratchDir, dir), { recursive: true });
            fs.writeFileSync(path.join(fixture.workspace.scratchDir, dir, name), "{}");
        }
        const { code } = await run({ FAKE_HOST_MODE: "omit-bitmaps" });

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [
            "bundle.zip", "close-statement.json", "election-manifest.json", "input.json", "journal.json", "public-input.json", "receipt.json",
        ].map(key));
    });

    it("reads a local INPUT_PATH instead of S3, and counts empty variables as unset", async () => {
        const inputPath = path.join(fixture.workspace.root, "local-input.json");
        const localInput = JSON.stringify(SAMPLE_INPUT);
        fs.writeFileSync(inputPath, localInput);
        const { code } = await run({ INPUT_PATH: inputPath, INPUT_S3_BUCKET: "", INPUT_S3_KEY: "", RUST_LOG: "" });

        assert.strictEqual(code, 0);
        assert.strictEqual(fs.readFileSync(path.join(fixture.workspace.scratchDir, "host", "input.json"), "utf8"), localInput);
        assert.deepEqual(await listKeys(fixture.s3.client), [...SUCCESS_OBJECT_NAMES].map(key));
    });

    it("prove-only (no OUTPUT_S3_BUCKET, local input): builds and checks everything in scratch, uploads nothing", async () => {
        const inputPath = path.join(fixture.workspace.root, "local-input.json");
        fs.writeFileSync(inputPath, INPUT_TEXT);
        const { code, lines } = await run({ INPUT_PATH: inputPath, INPUT_S3_BUCKET: "", INPUT_S3_KEY: "", OUTPUT_S3_BUCKET: "", OUTPUT_S3_PREFIX: "" });

        assert.strictEqual(code, 0);
        assert.deepStrictEqual(await listKeys(fixture.s3.client), [INPUT_KEY]);
        const publishDir = path.join(fixture.workspace.scratchDir, "publish");
        assert.deepStrictEqual(fs.readdirSync(publishDir).sort(), [...UPLOAD_ORDER].sort());
        const finished = lines[lines.length - 1];
        assert.strictEqual(finished.msg, "prover finished (prove-only: nothing uploaded)");
        assert.strictEqual(finished.publishDir, publishDir);
        assert.deepStrictEqual(finished.files, [...UPLOAD_ORDER]);
    });
});
