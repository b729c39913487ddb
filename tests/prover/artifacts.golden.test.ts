/**
 * Golden tests: for the fixed input of the original's scripts/tests/entrypoint-bundle.test.sh, the
 * artifacts equal the original runner's, byte for byte (tests/prover/golden, produced by the original
 * code) and field for field against the values that test asserts, recomputed here independently.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { buildCloseStatement } from "../../prover/runner/artifacts/closeStatement";
import { checkPublicAuditArtifacts } from "../../prover/runner/artifacts/consistency";
import { buildElectionManifest } from "../../prover/runner/artifacts/electionManifest";
import { buildJournal, CURRENT_METHOD_VERSION } from "../../prover/runner/artifacts/journal";
import { buildPublicInput } from "../../prover/runner/artifacts/publicInput";
import { pythonJsonDump } from "../../prover/runner/artifacts/pythonJson";
import { bitmapRoot, recomputeInputCommitment } from "./support/applicationChecks";
import { goldenJson, goldenText } from "./support/golden";

const input = goldenJson("input.json");
const output = goldenJson("host-output.json");

// The values entrypoint-bundle.test.sh builds its fixture from and asserts.
const ELECTION_ID = "550e8400-e29b-41d4-a716-446655440000";
const CONFIG = { totalExpected: 64, choices: ["A", "B", "C", "D", "Legacy"], version: "legacy-v0", botCount: 63, merkleTreeDepth: 6 };
const CONFIG_HASH = `0x${createHash("sha256").update(JSON.stringify(CONFIG)).digest("hex")}`;
const LOG_ID = `0x${"66".repeat(32)}`;
const BULLETIN_ROOT = `0x${"22".repeat(32)}`;
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const STH_DIGEST = `0x${createHash("sha256")
    .update(Buffer.from("66".repeat(32), "hex")).update(u32(64)).update(u64(1700000000)).update(Buffer.from("22".repeat(32), "hex"))
    .digest("hex")}`;
const ALL_SEEN_ROOT = bitmapRoot(new Array<boolean>(64).fill(true));
const VOTES = [{ index: 0, commitment: `0x${"aa".repeat(32)}`, merklePath: [`0x${"cc".repeat(32)}`, `0x${"dd".repeat(32)}`] }];
const PUBLIC_INPUT = {
    schema: "stark-ballot.public_input",
    version: "1.1",
    contractGeneration: "2026-04-zkvm-current-v3",
    electionId: ELECTION_ID,
    electionConfigHash: CONFIG_HASH,
    bulletinRoot: BULLETIN_ROOT,
    treeSize: 64,
    totalExpected: 64,
    logId: LOG_ID,
    timestamp: 1700000000,
    methodVersion: 14,
    votes: VOTES,
};
const INPUT_COMMITMENT = recomputeInputCommitment(PUBLIC_INPUT);

describe("prover artifacts: golden values of the original runner", () => {
    it("uses the original test's input as the sample every other test proves", () => {
        assert.deepStrictEqual(SAMPLE_INPUT, input);
        assert.strictEqual(CURRENT_METHOD_VERSION, 14);
    });

    it("pins the digests the original test computes", () => {
        // Fixed points, so a change in the independent recomputation above cannot go unnoticed either.
        assert.strictEqual(CONFIG_HASH, "0x1c94acb5d531a35c571dab754dec1d858da522063d1c0fd391562c87051dbdbd");
        assert.strictEqual(STH_DIGEST, "0x8fc2997e1d5ee5971d7cd6220acfa22e852156e205ba77e2ffae5e72f463f792");
        assert.strictEqual(ALL_SEEN_ROOT, "0xee54b85d7f3da78880615bc9be51df9fc2f44caf8507f2c64ccf982569eb0c01");
        assert.strictEqual(INPUT_COMMITMENT, "0x22b0602c67321876f4cfc772a15f44756f7fea312e447599f3eccae97be38fc0");
    });

    it("journal.json: field for field and byte for byte", () => {
        const journal = buildJournal(output);
        assert.deepStrictEqual(journal, {
            electionId: ELECTION_ID,
            electionConfigHash: CONFIG_HASH,
            bulletinRoot: BULLETIN_ROOT,
            treeSize: 64,
            totalExpected: 64,
            sthDigest: STH_DIGEST,
            verifiedTally: [1, 2, 3, 4, 5],
            totalVotes: 64,
            validVotes: 64,
            invalidVotes: 0,
            seenIndicesCount: 64,
            missingSlots: 0,
            invalidPresentedSlots: 0,
            rejectedRecords: 0,
            seenBitmapRoot: ALL_SEEN_ROOT,
            includedBitmapRoot: ALL_SEEN_ROOT,
            excludedSlots: 0,
            inputCommitment: INPUT_COMMITMENT,
            methodVersion: 14,
            imageId: `0x${"ab".repeat(32)}`,
        });
        assert.strictEqual(pythonJsonDump(journal), goldenText("journal.json"));
    });

    it("public-input.json: field for field (no choice, no randomness) and byte for byte", () => {
        const publicInput = buildPublicInput(input, output);
        assert.deepStrictEqual(publicInput, PUBLIC_INPUT);
        assert.deepStrictEqual(Object.keys(publicInput.votes[0]), ["index", "commitment", "merklePath"]);
        assert.strictEqual(pythonJsonDump(publicInput), goldenText("public-input.json"));
    });

    it("election-manifest.json: field for field and byte for byte", () => {
        const manifest = buildElectionManifest(input);
        assert.deepStrictEqual(manifest, { electionId: ELECTION_ID, ...CONFIG, electionConfigHash: CONFIG_HASH });
        assert.strictEqual(pythonJsonDump(manifest), goldenText("election-manifest.json"));
    });

    it("close-statement.json: field for field and byte for byte", () => {
        const close = buildCloseStatement(input, output);
        assert.deepStrictEqual(close, {
            logId: LOG_ID,
            treeSize: 64,
            timestamp: 1700000000,
            bulletinRoot: BULLETIN_ROOT,
            sthDigest: STH_DIGEST,
        });
        assert.strictEqual(pythonJsonDump(close), goldenText("close-statement.json"));
    });

    it("the four golden artifacts pass the cross-check", () => {
        assert.doesNotThrow(() =>
            checkPublicAuditArtifacts(
                goldenJson("journal.json"),
                goldenJson("public-input.json"),
                goldenJson("election-manifest.json"),
                goldenJson("close-statement.json"),
            ),
        );
    });

    // The negative cases of the original test, with the original's messages.
    it("refuses a close statement whose timestamp drifted", () => {
        const drifted = { ...(goldenJson("close-statement.json") as Record<string, number>) };
        drifted.timestamp += 1;
        assert.throws(
            () => checkPublicAuditArtifacts(goldenJson("journal.json"), goldenJson("public-input.json"), goldenJson("election-manifest.json"), drifted),
            { name: "ArtifactError", message: "close-statement.timestamp drifted from public-input" },
        );
    });

    const record = output as Record<string, unknown>;
    const snakeCase = Object.fromEntries(
        Object.entries(record).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]),
    );
    const cases: [string, unknown, string][] = [
        ["legacy snake_case output", snakeCase, "Missing electionId in zkVM output"],
        ["an unsupported methodVersion", { ...record, methodVersion: 13 }, "Unsupported methodVersion in zkVM output: 13"],
        ["output without seenBitmapRoot", Object.fromEntries(Object.entries(record).filter(([key]) => key !== "seenBitmapRoot")), "Missing seenBitmapRoot in zkVM output"],
    ];
    for (const [name, candidate, message] of cases) {
        it(`journal.json refuses ${name}`, () => {
            assert.throws(() => buildJournal(candidate), { name: "ArtifactError", message });
        });
    }

    it("public-input.json refuses legacy snake_case output", () => {
        assert.throws(() => buildPublicInput(input, snakeCase), { name: "ArtifactError", message: "Missing methodVersion in zkVM output" });
    });
});
