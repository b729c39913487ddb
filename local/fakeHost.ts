/**
 * A stand-in for the zkVM host that speaks the real host's language (`zkvm/host/src/main.rs` of
 * hwatanabe-jp/stark-ballot-simulator-public): a real executable (shebang, mode 755) the runner spawns
 * exactly as it would spawn the real one.
 *
 * - One positional argument, the input JSON file; a second is refused with "Unexpected argument" and
 *   exit 1, an option other than `--print-image-id` / `--json` with "Unknown option", as the host does.
 * - The input is read as the host's serde struct: snake_case fields, hashes as byte arrays of the
 *   exact length, votes with `commitment`, `choice`, `random`, `index`, `merkle_path`. Anything else
 *   fails with exit 1.
 * - Results go next to the input, named after it (`.json` replaced everywhere, like Rust's
 *   `str::replace`): `-output.json` (camelCase, byte arrays, `imageId` as a `0x` string),
 *   `-receipt.json` (`{receipt, image_id}`), `-bitmap.json`, `-seen-bitmap.json`.
 *
 * What it cannot do is prove: the receipt is a placeholder and the guest's checks of each vote's
 * commitment and inclusion proof are skipped (a vote counts when its slot is new, in range, and its
 * choice valid). The digests the runner cross-checks (STH digest, input commitment, bitmap roots)
 * are computed exactly as the guest defines them.
 *
 * `FAKE_HOST_MODE` (from the environment the runner passes on) picks a fault to play;
 * `FAKE_HOST_PROVE_MS` makes proving take that long (the burst benchmark's fixed host time).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type FakeHostMode =
    | "success"
    | "fail"
    | "sleep"
    | "ignore-sigterm"
    | "omit-receipt"
    | "omit-bitmaps"
    | "drift-sth-digest"
    | "old-method-version"
    /** Writes a RISC Zero dev-mode receipt (`inner.Fake`, RISC0_DEV_MODE=1), which proves nothing: the verifier says dev_mode. */
    | "dev-mode-receipt";

/** The image id the fake reports, like the real host's `0x` + 64 hex digits. */
export const FAKE_IMAGE_ID = `0x${"5a".repeat(32)}`;

const SOURCE = String.raw`#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const crypto = require("node:crypto");
const { spawn } = require("node:child_process");

const IMAGE_ID = "${FAKE_IMAGE_ID}";
const METHOD_VERSION = 14;
const mode = process.env.FAKE_HOST_MODE || "success";

// Rust's main returning Err: "Error: <Debug of the error>" on stderr, exit code 1.
function die(debug) {
    process.stderr.write("Error: " + debug + "\n");
    process.exit(1);
}
function usageError(message) {
    const program = process.argv[1];
    process.stderr.write("Usage: " + program + " <input-json-file>\n");
    process.stderr.write("       " + program + " --print-image-id [--json]\n");
    die('Custom { kind: InvalidInput, error: "' + message + '" }');
}

// parse_command
const args = process.argv.slice(2);
if (args.length < 1) usageError("Input file required");
let printImageId = false;
let json = false;
let inputPath;
for (const arg of args) {
    if (arg === "--print-image-id") printImageId = true;
    else if (arg === "--json") json = true;
    else if (arg.startsWith("-")) usageError("Unknown option: " + arg);
    else if (inputPath !== undefined) usageError("Unexpected argument: " + arg);
    else inputPath = arg;
}
if (printImageId) {
    if (inputPath !== undefined) usageError("--print-image-id does not accept an input file");
    console.log(json ? JSON.stringify({ imageId: IMAGE_ID, methodVersion: METHOD_VERSION }) : IMAGE_ID);
    process.exit(0);
}
if (json) usageError("--json requires --print-image-id");
if (inputPath === undefined) usageError("Input file required");

console.log("RISC Zero Host Program v2");
console.log("Loading input from: " + inputPath);

let text;
try {
    text = fs.readFileSync(inputPath, "utf8");
} catch (error) {
    die("Os { code: " + (error.errno < 0 ? -error.errno : error.errno) + ', kind: NotFound, message: "' + error.message + '" }');
}
let raw;
try {
    raw = JSON.parse(text);
} catch (error) {
    die(error.message);
}

// serde's view of JsonInput: required fields, exact types.
function isUint(value, bits) {
    return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}
function field(record, name, where) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) die("invalid type: expected struct " + where);
    if (!Object.prototype.hasOwnProperty.call(record, name)) die("missing field \x60" + name + "\x60");
    return record[name];
}
function bytes(value, length, name) {
    if (!Array.isArray(value) || !value.every((item) => isUint(item, 8))) die("invalid type for " + name + ": expected a sequence of u8");
    if (value.length !== length) die("Invalid byte array length for " + length + "-byte value: got " + value.length);
    return Buffer.from(value);
}
function uint(value, bits, name) {
    if (!isUint(value, bits)) die("invalid value for " + name + ": expected u" + bits);
    return value;
}
const input = {
    electionId: bytes(field(raw, "election_id", "JsonInput"), 16, "election_id"),
    bulletinRoot: bytes(field(raw, "bulletin_root", "JsonInput"), 32, "bulletin_root"),
    treeSize: uint(field(raw, "tree_size", "JsonInput"), 32, "tree_size"),
    logId: bytes(field(raw, "log_id", "JsonInput"), 32, "log_id"),
    timestamp: uint(field(raw, "timestamp", "JsonInput"), 53, "timestamp"),
    totalExpected: uint(field(raw, "total_expected", "JsonInput"), 32, "total_expected"),
    electionConfigHash: bytes(field(raw, "election_config_hash", "JsonInput"), 32, "election_config_hash"),
    votes: (() => {
        const votes = field(raw, "votes", "JsonInput");
        if (!Array.isArray(votes)) die("invalid type for votes: expected a sequence");
        return votes.map((vote) => {
            const merklePath = field(vote, "merkle_path", "JsonVoteWithProof");
            if (!Array.isArray(merklePath)) die("invalid type for merkle_path: expected a sequence");
            return {
                commitment: bytes(field(vote, "commitment", "JsonVoteWithProof"), 32, "commitment"),
                choice: uint(field(vote, "choice", "JsonVoteWithProof"), 8, "choice"),
                random: bytes(field(vote, "random", "JsonVoteWithProof"), 32, "random"),
                index: uint(field(vote, "index", "JsonVoteWithProof"), 32, "index"),
                merklePath: merklePath.map((node) => bytes(node, 32, "merkle_path")),
            };
        });
    })(),
};
console.log("Prepared " + input.votes.length + " votes for zkVM processing");
console.error("fake host: proving (placeholder receipt)");
const proveMs = Number(process.env.FAKE_HOST_PROVE_MS || 0);
// A blocking wait: the host process does nothing else meanwhile, like a CPU-bound prover.
if (proveMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, proveMs);

if (mode === "fail") {
    die('"guest panicked: constraint failed"');
}
if (mode === "sleep" || mode === "ignore-sigterm") {
    if (mode === "ignore-sigterm") process.on("SIGTERM", () => console.log("fake host: ignoring SIGTERM"));
    // A grandchild that shares the host's pipes, as r0vm does.
    const worker = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" });
    console.log("fake host: sleeping pid=" + process.pid + " worker=" + worker.pid);
    setInterval(() => {}, 1000);
    return;
}

const sha256 = (...parts) => { const hash = crypto.createHash("sha256"); for (const part of parts) hash.update(part); return hash.digest(); };
const u16 = (value) => { const out = Buffer.alloc(2); out.writeUInt16LE(value); return out; };
const u32 = (value) => { const out = Buffer.alloc(4); out.writeUInt32LE(value); return out; };
const u64 = (value) => { const out = Buffer.alloc(8); out.writeBigUInt64LE(BigInt(value)); return out; };

// The guest's digests.
const sthDigest = sha256(input.logId, u32(input.treeSize), u64(input.timestamp), input.bulletinRoot);
const commitmentParts = [Buffer.from("stark-ballot:input|v1.0"), u32(10), input.electionId, input.bulletinRoot,
    u32(input.treeSize), u32(input.totalExpected), u32(input.votes.length)];
for (const vote of [...input.votes].sort((a, b) => a.index - b.index)) {
    commitmentParts.push(u32(vote.index), u16(32), vote.commitment, u16(vote.merklePath.length), ...vote.merklePath);
}
const inputCommitment = sha256(...commitmentParts);

function bitmapRoot(bits) {
    const packed = Buffer.alloc(Math.ceil(bits.length / 8));
    bits.forEach((bit, index) => { if (bit) packed[index >> 3] |= 1 << (index % 8); });
    const chunks = [];
    for (let start = 0; start < packed.length; start += 32) {
        const chunk = Buffer.alloc(32);
        packed.copy(chunk, 0, start, Math.min(start + 32, packed.length));
        chunks.push(chunk);
    }
    if (chunks.length === 0) chunks.push(Buffer.alloc(32));
    let level = chunks.map((chunk) => sha256(Buffer.from([0]), Buffer.from("stark-ballot:leaf|v1"), chunk));
    while (level.length > 1) {
        const next = [];
        for (let i = 0; i < level.length; i += 2) {
            next.push(i + 1 < level.length ? sha256(Buffer.from([1]), level[i], level[i + 1]) : level[i]);
        }
        level = next;
    }
    return level[0];
}

const seen = new Array(input.treeSize).fill(false);
const included = new Array(input.treeSize).fill(false);
const commitments = new Set();
const tally = [0, 0, 0, 0, 0];
for (const vote of input.votes) {
    if (vote.index >= input.treeSize || seen[vote.index]) continue;
    seen[vote.index] = true;
    if (vote.choice >= 5) continue;
    const key = vote.commitment.toString("hex");
    if (commitments.has(key)) continue;
    commitments.add(key);
    included[vote.index] = true;
    tally[vote.choice] += 1;
}
const seenCount = seen.filter(Boolean).length;
const includedCount = included.filter(Boolean).length;
const seenRoot = bitmapRoot(seen);
const includedRoot = bitmapRoot(included);

const output = {
    electionId: [...input.electionId],
    electionConfigHash: [...input.electionConfigHash],
    bulletinRoot: [...input.bulletinRoot],
    treeSize: input.treeSize,
    totalExpected: input.totalExpected,
    sthDigest: [...(mode === "drift-sth-digest" ? sha256(sthDigest) : sthDigest)],
    verifiedTally: tally,
    totalVotes: input.votes.length,
    validVotes: includedCount,
    invalidVotes: input.votes.length - includedCount,
    seenIndicesCount: seenCount,
    missingSlots: input.treeSize - seenCount,
    invalidPresentedSlots: seenCount - includedCount,
    rejectedRecords: input.votes.length - seenCount,
    seenBitmapRoot: [...seenRoot],
    includedBitmapRoot: [...includedRoot],
    excludedSlots: input.treeSize - includedCount,
    inputCommitment: [...inputCommitment],
    methodVersion: mode === "old-method-version" ? METHOD_VERSION - 1 : METHOD_VERSION,
    imageId: IMAGE_ID,
};

// input_path.replace(".json", suffix): every occurrence, as Rust's str::replace.
const named = (suffix) => inputPath.split(".json").join(suffix);
const write = (file, value) => {
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
    console.log("Saved: " + file);
};
write(named("-output.json"), output);
fs.rmSync(named("-seen-bitmap.json"), { force: true });
fs.rmSync(named("-bitmap.json"), { force: true });
if (mode !== "omit-bitmaps") {
    write(named("-seen-bitmap.json"), { schema: "stark-ballot.seen_bitmap", version: "1.0", treeSize: input.treeSize,
        seenBitmapRoot: "0x" + seenRoot.toString("hex"), seenBitmap: seen });
    write(named("-bitmap.json"), { schema: "stark-ballot.included_bitmap", version: "1.0", treeSize: input.treeSize,
        includedBitmapRoot: "0x" + includedRoot.toString("hex"), includedBitmap: included });
} else {
    console.error("WARNING: exact seen bitmap root mismatch; skipping seen bitmap artifact");
    console.error("WARNING: exact included bitmap root mismatch; skipping bitmap artifact");
}
if (mode !== "omit-receipt") {
    const placeholder = { fake: true, inputSha256: crypto.createHash("sha256").update(text).digest("hex") };
    write(named("-receipt.json"), { receipt: mode === "dev-mode-receipt" ? { inner: { Fake: { claim: placeholder } } } : placeholder, image_id: IMAGE_ID });
}
`;

/** Writes the fake host into `directory` and returns its path. */
export function writeFakeHost(directory: string, mode: number = 0o755): string {
    const file = path.join(directory, "fake-host");
    fs.writeFileSync(file, SOURCE, { mode });
    fs.chmodSync(file, mode);
    return file;
}

/** What a successful run leaves under the execution's prefix, sorted: the input, the published set, bundle.zip. */
export const SUCCESS_OBJECT_NAMES = [
    "bundle.zip",
    "close-statement.json",
    "election-manifest.json",
    "included-bitmap.json",
    "input.json",
    "journal.json",
    "public-input.json",
    "receipt.json",
    "seen-bitmap.json",
] as const;

const bytesOf = (hex: string): number[] => [...Buffer.from(hex, "hex")];

/**
 * The input every test proves: the fixed input of the original's `scripts/tests/entrypoint-bundle.test.sh`
 * (a 64-slot election with one vote), in the host's own format. tests/prover/golden holds what the
 * original runner published for it.
 */
export const SAMPLE_INPUT = {
    election_id: bytesOf("550e8400e29b41d4a716446655440000"),
    election_config_hash: bytesOf("1c94acb5d531a35c571dab754dec1d858da522063d1c0fd391562c87051dbdbd"),
    election_config: {
        totalExpected: 64,
        choices: ["A", "B", "C", "D", "Legacy"],
        version: "legacy-v0",
        botCount: 63,
        merkleTreeDepth: 6,
    },
    bulletin_root: bytesOf("22".repeat(32)),
    tree_size: 64,
    log_id: bytesOf("66".repeat(32)),
    timestamp: 1700000000,
    total_expected: 64,
    contract_generation: "2026-04-zkvm-current-v3",
    votes: [
        {
            commitment: bytesOf("aa".repeat(32)),
            choice: 2,
            random: bytesOf("bb".repeat(32)),
            index: 0,
            merkle_path: [bytesOf("cc".repeat(32)), bytesOf("dd".repeat(32))],
        },
    ],
};

/** Pids the fake host prints in sleep modes: itself and its worker. */
export function parseSleepingPids(line: string): number[] | undefined {
    const match = /^fake host: sleeping pid=(\d+) worker=(\d+)$/.exec(line);
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** False once the process is gone or a zombie waiting for a reaper (it runs nothing any more). */
export function isRunning(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}
