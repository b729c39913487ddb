/** Every rule of the artifact builders and of the cross-check, each with the original's message. */
import * as assert from "node:assert/strict";
import { buildCloseStatement } from "../../prover/runner/artifacts/closeStatement";
import { checkPublicAuditArtifacts } from "../../prover/runner/artifacts/consistency";
import { buildElectionManifest, ElectionConfig, electionConfigHash } from "../../prover/runner/artifacts/electionManifest";
import { firstMissingInputField } from "../../prover/runner/artifacts/inputFields";
import { buildJournal } from "../../prover/runner/artifacts/journal";
import { buildPublicInput } from "../../prover/runner/artifacts/publicInput";
import { pythonJsonDump } from "../../prover/runner/artifacts/pythonJson";
import { hostArtifactPaths } from "../../prover/runner/hostContract";
import { goldenJson } from "./support/golden";

type Rec = Record<string, unknown>;
const input = (): Rec => structuredClone(goldenJson("input.json")) as Rec;
const output = (): Rec => structuredClone(goldenJson("host-output.json")) as Rec;
const edited = (base: () => Rec, edit: (value: Rec) => void): Rec => {
    const value = base();
    edit(value);
    return value;
};
const without = (base: () => Rec, ...keys: string[]): Rec => edited(base, (value) => keys.forEach((key) => delete value[key]));
const throwsArtifact = (run: () => unknown, message: string): void => {
    assert.throws(run, (error: Error) => {
        assert.strictEqual(error.name, "ArtifactError");
        assert.strictEqual(error.message, message);
        return true;
    });
};

describe("prover artifacts: input fields the original requires", () => {
    it("accepts the golden input and either spelling of each field", () => {
        assert.strictEqual(firstMissingInputField(input()), undefined);
        const camel = { electionId: 1, electionConfigHash: 1, bulletinRoot: 1, treeSize: 0, logId: 1, timestamp: 0, totalExpected: 0, votes: [] };
        assert.strictEqual(firstMissingInputField(camel), undefined);
    });

    const cases: [string, Rec, string][] = [
        ["election_id missing", without(input, "election_id"), "election_id (or electionId)"],
        ["election_config_hash null", edited(input, (v) => (v.election_config_hash = null)), "election_config_hash (or electionConfigHash)"],
        ["bulletin_root false (jq's // skips false)", edited(input, (v) => (v.bulletin_root = false)), "bulletin_root (or bulletinRoot)"],
        ["tree_size missing", without(input, "tree_size"), "tree_size (or treeSize)"],
        ["log_id missing", without(input, "log_id"), "log_id (or logId)"],
        ["timestamp missing", without(input, "timestamp"), "timestamp"],
        ["total_expected missing", without(input, "total_expected"), "total_expected (or totalExpected)"],
        ["votes missing", without(input, "votes"), "votes"],
        ["two missing: the first is named", without(input, "votes", "log_id"), "log_id (or logId)"],
    ];
    for (const [name, value, label] of cases) {
        it(`names ${label} when ${name}`, () => assert.strictEqual(firstMissingInputField(value), label));
    }
    it("counts 0 and an empty list as present, as jq does", () => {
        assert.strictEqual(firstMissingInputField(edited(input, (v) => { v.tree_size = 0; v.votes = []; })), undefined);
    });
});

describe("prover artifacts: journal.json (convert_output_to_journal)", () => {
    it("takes hex strings too, lowercased, and a dashed or compact UUID string", () => {
        const journal = buildJournal(edited(output, (v) => {
            v.electionId = "550E8400E29B41D4A716446655440000";
            v.bulletinRoot = "0x" + "AB".repeat(32);
            v.sthDigest = "cd".repeat(32);
        }));
        assert.strictEqual(journal.electionId, "550e8400-e29b-41d4-a716-446655440000");
        assert.strictEqual(journal.bulletinRoot, `0x${"ab".repeat(32)}`);
        assert.strictEqual(journal.sthDigest, `0x${"cd".repeat(32)}`);
    });

    const cases: [string, unknown, string][] = [
        ["an array", [], "Invalid zkVM output payload"],
        ["a 15-byte election id", edited(output, (v) => (v.electionId = new Array(15).fill(1))), "Missing electionId in zkVM output"],
        ["a byte over 255", edited(output, (v) => ((v.electionConfigHash as number[])[0] = 256)), "Missing electionConfigHash in zkVM output"],
        ["a 31-byte bulletin root", edited(output, (v) => (v.bulletinRoot = new Array(31).fill(0))), "Missing bulletinRoot in zkVM output"],
        ["an odd-length hex sthDigest", edited(output, (v) => (v.sthDigest = "abc")), "Missing sthDigest in zkVM output"],
        ["no includedBitmapRoot", without(output, "includedBitmapRoot"), "Missing includedBitmapRoot in zkVM output"],
        ["a non-hex inputCommitment", edited(output, (v) => (v.inputCommitment = "zz".repeat(32))), "Missing inputCommitment in zkVM output"],
        ["no imageId", without(output, "imageId"), "Missing imageId in zkVM output"],
        ["a four-entry tally", edited(output, (v) => (v.verifiedTally = [1, 2, 3, 4])), "Invalid verifiedTally in zkVM output"],
        ["a negative tally entry", edited(output, (v) => (v.verifiedTally = [1, 2, 3, 4, -5])), "Invalid verifiedTally in zkVM output"],
        ["a negative treeSize", edited(output, (v) => (v.treeSize = -1)), "Invalid treeSize in zkVM output"],
        ["a fractional totalVotes", edited(output, (v) => (v.totalVotes = 1.5)), "Invalid totalVotes in zkVM output"],
        ["a string excludedSlots", edited(output, (v) => (v.excludedSlots = "0")), "Invalid excludedSlots in zkVM output"],
        ["no methodVersion", without(output, "methodVersion"), "Invalid methodVersion in zkVM output"],
        ["methodVersion 15", edited(output, (v) => (v.methodVersion = 15)), "Unsupported methodVersion in zkVM output: 15"],
    ];
    for (const [name, value, message] of cases) {
        it(`refuses ${name}`, () => throwsArtifact(() => buildJournal(value), message));
    }
});

describe("prover artifacts: public-input.json (build_public_input)", () => {
    it("keeps hex strings as given (only 0x added) and takes camelCase input names", () => {
        const camel = edited(input, (v) => {
            v.bulletinRoot = "AB".repeat(32);
            delete v.bulletin_root;
            v.contractGeneration = v.contract_generation;
            delete v.contract_generation;
        });
        const publicInput = buildPublicInput(camel, output());
        assert.strictEqual(publicInput.bulletinRoot, `0x${"AB".repeat(32)}`);
        assert.strictEqual(publicInput.contractGeneration, "2026-04-zkvm-current-v3");
    });

    const cases: [string, Rec, Rec, string][] = [
        ["output that is not an object", input(), [] as unknown as Rec, "Invalid zkVM output payload"],
        ["no election_id", without(input, "election_id"), output(), "Missing election_id in zkVM input"],
        ["no contract_generation", without(input, "contract_generation"), output(), "Missing contract_generation in zkVM input"],
        ["a 31-byte election_config_hash", edited(input, (v) => (v.election_config_hash = new Array(31).fill(0))), output(), "Missing election_config_hash in zkVM input"],
        ["no bulletin_root", without(input, "bulletin_root"), output(), "Missing bulletin_root in zkVM input"],
        ["a string tree_size", edited(input, (v) => (v.tree_size = "64")), output(), "Invalid tree_size in zkVM input"],
        ["no total_expected", without(input, "total_expected"), output(), "Invalid total_expected in zkVM input"],
        ["a 33-byte log_id", edited(input, (v) => (v.log_id = new Array(33).fill(0))), output(), "Missing log_id in zkVM input"],
        ["a null timestamp", edited(input, (v) => (v.timestamp = null)), output(), "Invalid timestamp in zkVM input"],
        ["output without methodVersion", input(), without(output, "methodVersion"), "Missing methodVersion in zkVM output"],
        ["output with methodVersion 13", input(), edited(output, (v) => (v.methodVersion = 13)), "Unsupported methodVersion in zkVM output: 13"],
        ["votes that are not a list", edited(input, (v) => (v.votes = {})), output(), "Invalid votes in zkVM input"],
        ["a vote that is not an object", edited(input, (v) => (v.votes = [1])), output(), "Invalid vote entry"],
        ["a vote without index", edited(input, (v) => delete (v.votes as Rec[])[0].index), output(), "Invalid vote index"],
        ["a short commitment", edited(input, (v) => ((v.votes as Rec[])[0].commitment = [1, 2])), output(), "Invalid vote commitment"],
        ["a vote without merkle_path", edited(input, (v) => delete (v.votes as Rec[])[0].merkle_path), output(), "Invalid vote merkle_path"],
        ["a short merkle path node", edited(input, (v) => ((v.votes as Rec[])[0].merkle_path = [[1]])), output(), "Invalid merkle path node"],
    ];
    for (const [name, inputValue, outputValue, message] of cases) {
        it(`refuses ${name}`, () => throwsArtifact(() => buildPublicInput(inputValue, outputValue), message));
    }
});

describe("prover artifacts: election-manifest.json (build_election_manifest)", () => {
    const config = (edit: (config: Rec) => void): Rec => edited(input, (v) => edit(v.election_config as Rec));
    const cases: [string, Rec, string][] = [
        ["no election_id", without(input, "election_id"), "Missing election_id in zkVM input"],
        ["an election_config_hash string of the wrong length", edited(input, (v) => (v.election_config_hash = "0xabcd")), "Missing election_config_hash in zkVM input"],
        ["no total_expected", without(input, "total_expected"), "Invalid total_expected in zkVM input"],
        ["no election_config", without(input, "election_config"), "Missing election_config in zkVM input"],
        ["an election_config that is a list", edited(input, (v) => (v.election_config = [])), "Invalid election_config in zkVM input"],
        ["a config without totalExpected", config((c) => delete c.totalExpected), "Invalid election_config.totalExpected in zkVM input"],
        ["no choices", config((c) => (c.choices = [])), "Invalid election_config.choices in zkVM input"],
        ["an empty choice", config((c) => (c.choices = ["A", ""])), "Invalid election_config.choices in zkVM input"],
        ["an empty version", config((c) => (c.version = "")), "Invalid election_config.version in zkVM input"],
        ["a negative botCount", config((c) => (c.botCount = -1)), "Invalid election_config.botCount in zkVM input"],
        ["a zero merkleTreeDepth", config((c) => (c.merkleTreeDepth = 0)), "Invalid election_config.merkleTreeDepth in zkVM input"],
        ["a config totalExpected other than the input's", edited(input, (v) => (v.total_expected = 63)), "election_config.totalExpected does not match zkVM input"],
        ["a config the hash does not commit to", config((c) => (c.version = "legacy-v1")), "election_config hash does not match zkVM input"],
        ["the right hash in uppercase (compared as a string)", edited(input, (v) => (v.election_config_hash = "0x" + Buffer.from(v.election_config_hash as number[]).toString("hex").toUpperCase())), "election_config hash does not match zkVM input"],
    ];
    for (const [name, value, message] of cases) {
        it(`refuses ${name}`, () => throwsArtifact(() => buildElectionManifest(value), message));
    }
    it("takes the snake_case config names too", () => {
        const snake = config((c) => {
            c.total_expected = c.totalExpected; delete c.totalExpected;
            c.bot_count = c.botCount; delete c.botCount;
            c.merkle_tree_depth = c.merkleTreeDepth; delete c.merkleTreeDepth;
        });
        assert.deepStrictEqual(buildElectionManifest(snake), buildElectionManifest(input()));
    });
});

describe("prover artifacts: close-statement.json (build_close_statement)", () => {
    const cases: [string, Rec, Rec, string][] = [
        ["no log_id", without(input, "log_id"), output(), "Missing log_id in zkVM input"],
        ["a string timestamp", edited(input, (v) => (v.timestamp = "1700000000")), output(), "Invalid timestamp in zkVM input"],
        ["output without treeSize", input(), without(output, "treeSize"), "Invalid treeSize in zkVM output"],
        ["output without bulletinRoot", input(), without(output, "bulletinRoot"), "Missing bulletinRoot in zkVM output"],
        ["a log_id string that is not hex", edited(input, (v) => (v.log_id = "zz".repeat(32))), output(), "Invalid hex in logId"],
        ["a treeSize beyond 32 bits", input(), edited(output, (v) => (v.treeSize = 2 ** 32)), "treeSize does not fit in 32 bits: 4294967296"],
    ];
    for (const [name, inputValue, outputValue, message] of cases) {
        it(`refuses ${name}`, () => throwsArtifact(() => buildCloseStatement(inputValue, outputValue), message));
    }
});

describe("prover artifacts: the cross-check (validate_public_audit_artifacts)", () => {
    const golden = (): Rec[] => ["journal.json", "public-input.json", "election-manifest.json", "close-statement.json"].map((name) => structuredClone(goldenJson(name)) as Rec);
    const other = `0x${"99".repeat(32)}`;
    // [name, index of the artifact to edit (journal, public-input, manifest, close), edit, message]
    const cases: [string, number, (value: Rec) => void, string][] = [
        ["a journal that is not an object", 0, () => undefined, "Invalid journal"],
        ["another public-input schema", 1, (v) => (v.schema = "x"), "Invalid public-input schema"],
        ["another public-input version", 1, (v) => (v.version = "1.0"), "Invalid public-input version"],
        ["an empty contractGeneration", 1, (v) => (v.contractGeneration = ""), "Invalid public-input contractGeneration"],
        ["a numeric contractGeneration", 1, (v) => (v.contractGeneration = 3), "Invalid public-input contractGeneration"],
        ["another public-input electionId", 1, (v) => (v.electionId = "650e8400-e29b-41d4-a716-446655440000"), "public-input.electionId drifted from journal"],
        ["another public-input electionConfigHash", 1, (v) => (v.electionConfigHash = other), "public-input.electionConfigHash drifted from journal"],
        ["another public-input bulletinRoot", 1, (v) => (v.bulletinRoot = other), "public-input.bulletinRoot drifted from journal"],
        ["another public-input treeSize", 1, (v) => (v.treeSize = 63), "public-input.treeSize drifted from journal"],
        ["another public-input totalExpected", 1, (v) => (v.totalExpected = 63), "public-input.totalExpected drifted from journal"],
        ["another public-input methodVersion", 1, (v) => (v.methodVersion = 13), "public-input.methodVersion drifted from journal"],
        ["another vote commitment", 1, (v) => ((v.votes as Rec[])[0].commitment = other), "public-input commitment drifted from journal"],
        ["a vote merkle path that is not a list", 1, (v) => ((v.votes as Rec[])[0].merklePath = "x"), "Invalid vote.merklePath"],
        ["another journal inputCommitment", 0, (v) => (v.inputCommitment = other), "public-input commitment drifted from journal"],
        ["manifest choices that are not strings", 2, (v) => (v.choices = [1]), "Invalid election-manifest.choices"],
        ["another manifest electionId", 2, (v) => (v.electionId = "650e8400-e29b-41d4-a716-446655440000"), "election-manifest.electionId drifted from journal"],
        ["another manifest totalExpected", 2, (v) => (v.totalExpected = 63), "election-manifest.totalExpected drifted from journal"],
        ["an edited manifest (self-hash)", 2, (v) => (v.version = "legacy-v1"), "election-manifest self-hash mismatch"],
        ["a journal committing to another config", 0, (v) => (v.electionConfigHash = other), "public-input.electionConfigHash drifted from journal"],
        ["another close-statement logId", 3, (v) => (v.logId = other), "close-statement.logId drifted from public-input"],
        ["another close-statement timestamp", 3, (v) => (v.timestamp = 1), "close-statement.timestamp drifted from public-input"],
        ["another close-statement treeSize", 3, (v) => (v.treeSize = 63), "close-statement.treeSize drifted from journal"],
        ["another close-statement bulletinRoot", 3, (v) => (v.bulletinRoot = other), "close-statement.bulletinRoot drifted from journal"],
        ["a close-statement sthDigest of other fields", 3, (v) => (v.sthDigest = other), "close-statement.sthDigest self-check failed"],
        ["a journal sthDigest of another log", 0, (v) => (v.sthDigest = other), "close-statement.sthDigest drifted from journal"],
        ["a short journal bulletinRoot", 0, (v) => (v.bulletinRoot = "0x22"), "Unexpected hex length"],
        ["a journal without treeSize", 0, (v) => delete v.treeSize, "Invalid treeSize"],
        ["a public-input without electionId", 1, (v) => delete v.electionId, "Missing public-input.electionId"],
    ];
    for (const [name, index, edit, message] of cases) {
        it(`refuses ${name}`, () => {
            const artifacts: unknown[] = golden();
            if (name === "a journal that is not an object") artifacts[0] = [];
            else edit(artifacts[index] as Rec);
            throwsArtifact(() => checkPublicAuditArtifacts(artifacts[0], artifacts[1], artifacts[2], artifacts[3]), message);
        });
    }

    it("refuses a self-consistent manifest of another config than the journal commits to", () => {
        const [journal, publicInput, manifest, close] = golden();
        const otherConfig = { ...manifest, version: "legacy-v1" } as Rec;
        otherConfig.electionConfigHash = electionConfigHash(otherConfig as unknown as ElectionConfig);
        throwsArtifact(
            () => checkPublicAuditArtifacts(journal, publicInput, otherConfig, close),
            "election-manifest.electionConfigHash drifted from journal",
        );
    });
});

describe("prover artifacts: Python json.dump formatting and the host's file names", () => {
    it("writes Python's default separators and ASCII escapes", () => {
        assert.strictEqual(
            pythonJsonDump({ a: [1, true, null], "é": "q\"\\\n\t\u0001~\u007f✓😀", e: {}, l: [] }),
            '{"a": [1, true, null], "\\u00e9": "q\\"\\\\\\n\\t\\u0001~\\u007f\\u2713\\ud83d\\ude00", "e": {}, "l": []}',
        );
        assert.throws(() => pythonJsonDump({ x: 1.5 }), /only safe integers/);
    });

    it("names the host's outputs after the input, replacing every .json like Rust's str::replace", () => {
        assert.deepStrictEqual(hostArtifactPaths("/scratch/host/input.json"), {
            output: "/scratch/host/input-output.json",
            receipt: "/scratch/host/input-receipt.json",
            includedBitmap: "/scratch/host/input-bitmap.json",
            seenBitmap: "/scratch/host/input-seen-bitmap.json",
        });
        assert.strictEqual(hostArtifactPaths("/a.json/input.json").output, "/a-output.json/input-output.json");
    });
});
