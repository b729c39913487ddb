/**
 * The fake host the tests and the local pipeline use must speak the real host's language
 * (zkvm/host/src/main.rs of the original repository), or a green e2e run would prove nothing.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FAKE_IMAGE_ID, SAMPLE_INPUT, writeFakeHost } from "../../local/fakeHost";
import { buildCloseStatement } from "../../prover/runner/artifacts/closeStatement";
import { checkPublicAuditArtifacts } from "../../prover/runner/artifacts/consistency";
import { buildElectionManifest } from "../../prover/runner/artifacts/electionManifest";
import { buildJournal } from "../../prover/runner/artifacts/journal";
import { buildPublicInput } from "../../prover/runner/artifacts/publicInput";
import { bitmapProblems, journalProblems } from "./support/applicationChecks";

describe("fake zkVM host: the real host's calling convention", () => {
    let dir: string;
    let host: string;
    let inputFile: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-host-"));
        host = writeFakeHost(dir);
        inputFile = path.join(dir, "input.json");
        fs.writeFileSync(inputFile, JSON.stringify(SAMPLE_INPUT));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (...args: string[]) => spawnSync(host, args, { encoding: "utf8", env: { ...process.env, FAKE_HOST_MODE: "" } });
    const files = (): string[] => fs.readdirSync(dir).sort();

    it("takes one argument and writes the four results next to the input, named after it", () => {
        const result = run(inputFile);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(files(), ["fake-host", "input-bitmap.json", "input-output.json", "input-receipt.json", "input-seen-bitmap.json", "input.json"]);
        const output = JSON.parse(fs.readFileSync(path.join(dir, "input-output.json"), "utf8"));
        // camelCase, hashes as byte arrays, imageId a 0x string, as serde writes JsonOutput.
        assert.deepStrictEqual(Object.keys(output), [
            "electionId", "electionConfigHash", "bulletinRoot", "treeSize", "totalExpected", "sthDigest", "verifiedTally",
            "totalVotes", "validVotes", "invalidVotes", "seenIndicesCount", "missingSlots", "invalidPresentedSlots",
            "rejectedRecords", "seenBitmapRoot", "includedBitmapRoot", "excludedSlots", "inputCommitment", "methodVersion", "imageId",
        ]);
        assert.deepStrictEqual(output.electionId, SAMPLE_INPUT.election_id);
        assert.strictEqual(output.sthDigest.length, 32);
        assert.strictEqual(output.imageId, FAKE_IMAGE_ID);
        assert.deepStrictEqual(output.verifiedTally, [0, 0, 1, 0, 0]);
        const receipt = JSON.parse(fs.readFileSync(path.join(dir, "input-receipt.json"), "utf8"));
        assert.deepStrictEqual(Object.keys(receipt), ["receipt", "image_id"]);
        assert.strictEqual(receipt.image_id, FAKE_IMAGE_ID);
    });

    it("refuses a second argument with 'Unexpected argument' and exit 1, writing nothing", () => {
        const result = run(inputFile, path.join(dir, "out"));
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /Error: Custom \{ kind: InvalidInput, error: "Unexpected argument: .*\/out" \}/);
        assert.match(result.stderr, /^Usage: .* <input-json-file>$/m);
        assert.deepStrictEqual(files(), ["fake-host", "input.json"]);
    });

    it("refuses no argument and unknown options, and prints the image id on request", () => {
        assert.match(run().stderr, /error: "Input file required"/);
        assert.strictEqual(run("--verbose", inputFile).status, 1);
        assert.match(run("--verbose", inputFile).stderr, /error: "Unknown option: --verbose"/);
        assert.strictEqual(run("--print-image-id").stdout, `${FAKE_IMAGE_ID}\n`);
        assert.deepStrictEqual(JSON.parse(run("--print-image-id", "--json").stdout), { imageId: FAKE_IMAGE_ID, methodVersion: 14 });
    });

    it("reads the input as the host's serde struct: byte arrays of the exact length, snake_case", () => {
        fs.writeFileSync(inputFile, JSON.stringify({ ...SAMPLE_INPUT, election_id: "550e8400-e29b-41d4-a716-446655440000" }));
        assert.strictEqual(run(inputFile).status, 1);
        fs.writeFileSync(inputFile, JSON.stringify({ ...SAMPLE_INPUT, log_id: SAMPLE_INPUT.log_id.slice(1) }));
        const short = run(inputFile);
        assert.strictEqual(short.status, 1);
        assert.match(short.stderr, /Invalid byte array length for 32-byte value: got 31/);
        const { tree_size: _, ...camel } = { ...SAMPLE_INPUT, treeSize: 64 };
        fs.writeFileSync(inputFile, JSON.stringify(camel));
        assert.match(run(inputFile).stderr, /missing field `tree_size`/);
        assert.deepStrictEqual(files(), ["fake-host", "input.json"]);
    });

    it("replaces every .json of the path, as Rust's str::replace does", () => {
        const nested = path.join(dir, "x.json");
        fs.mkdirSync(nested);
        for (const suffix of ["-output.json", "-receipt.json", "-bitmap.json", "-seen-bitmap.json"]) {
            fs.mkdirSync(path.join(dir, `x${suffix}`));
        }
        const file = path.join(nested, "in.json");
        fs.writeFileSync(file, JSON.stringify(SAMPLE_INPUT));
        assert.strictEqual(run(file).status, 0);
        for (const suffix of ["-output.json", "-receipt.json", "-bitmap.json", "-seen-bitmap.json"]) {
            assert.ok(fs.existsSync(path.join(dir, `x${suffix}`, `in${suffix}`)), suffix);
        }
    });

    it("writes outputs the original runner's builders and cross-check accept, and bitmaps the application accepts", () => {
        assert.strictEqual(run(inputFile).status, 0);
        const output: unknown = JSON.parse(fs.readFileSync(path.join(dir, "input-output.json"), "utf8"));
        const journal = buildJournal(output);
        assert.deepStrictEqual(journalProblems(journal), []);
        checkPublicAuditArtifacts(journal, buildPublicInput(SAMPLE_INPUT, output), buildElectionManifest(SAMPLE_INPUT), buildCloseStatement(SAMPLE_INPUT, output));
        for (const [file, kind] of [["input-bitmap.json", "included"], ["input-seen-bitmap.json", "seen"]] as const) {
            assert.deepStrictEqual(bitmapProblems(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")), kind, journal), []);
        }
    });
});
