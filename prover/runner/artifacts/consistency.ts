/**
 * The cross-check of the four public audit artifacts before anything is published: each must agree
 * with the journal (what the proof commits to), with each other, and with its own digest. Port of
 * `validate_public_audit_artifacts`, which the original keeps aligned with the application's
 * `resolveConsistentPublicAuditArtifacts`; the checks run in the original's order, with its messages.
 */
import { createHash } from "node:crypto";
import { sthDigest } from "./closeStatement";
import { electionConfigHash } from "./electionManifest";
import { PUBLIC_INPUT_SCHEMA, PUBLIC_INPUT_VERSION } from "./publicInput";
import { ArtifactError, bytesOfHex, isInt, isRecord, JsonRecord, uintLE } from "./values";

function requireRecord(value: unknown, label: string): JsonRecord {
    if (!isRecord(value)) throw new ArtifactError(`Invalid ${label}`);
    return value;
}

function requireString(record: JsonRecord, key: string, label?: string): string {
    const value = record[key];
    if (typeof value !== "string" || value === "") throw new ArtifactError(`Missing ${label ?? key}`);
    return value;
}

function requireInt(record: JsonRecord, key: string, label?: string): number {
    const value = record[key];
    if (!isInt(value)) throw new ArtifactError(`Invalid ${label ?? key}`);
    return value;
}

/** Lowercase digits without `0x`, of exactly `length` bytes when given. */
function normalizeHex(value: unknown, length?: number): string {
    if (typeof value !== "string") throw new ArtifactError("Expected hex string");
    const digits = value.startsWith("0x") ? value.slice(2) : value;
    if (length !== undefined && digits.length !== length * 2) throw new ArtifactError("Unexpected hex length");
    return digits.toLowerCase();
}

function matchesHex(left: string, right: string, length?: number): boolean {
    return normalizeHex(left, length) === normalizeHex(right, length);
}

/** The input commitment the guest computes, recomputed from public-input.json. */
export function inputCommitment(publicInput: JsonRecord): string {
    const votes = publicInput.votes;
    if (!Array.isArray(votes)) throw new ArtifactError("Invalid public-input votes");
    const hash = createHash("sha256");
    hash.update("stark-ballot:input|v1.0", "utf8");
    hash.update(uintLE(10, 4, "version tag"));
    hash.update(bytesOfHex(requireString(publicInput, "electionId").replace(/-/g, ""), "electionId"));
    hash.update(bytesOfHex(normalizeHex(requireString(publicInput, "bulletinRoot"), 32), "bulletinRoot"));
    hash.update(uintLE(requireInt(publicInput, "treeSize"), 4, "treeSize"));
    hash.update(uintLE(requireInt(publicInput, "totalExpected"), 4, "totalExpected"));
    hash.update(uintLE(votes.length, 4, "votes"));
    const indexOf = (vote: unknown): number => requireInt(requireRecord(vote, "vote"), "index", "vote.index");
    votes.forEach(indexOf); // every vote is checked before sorting, as Python's key function did
    // Array.prototype.sort is stable, like Python's sorted: equal indices keep their order.
    for (const vote of [...votes].sort((a, b) => indexOf(a) - indexOf(b))) {
        const record = requireRecord(vote, "vote");
        hash.update(uintLE(requireInt(record, "index", "vote.index"), 4, "vote.index"));
        hash.update(uintLE(32, 2, "commitment length"));
        hash.update(bytesOfHex(normalizeHex(requireString(record, "commitment", "vote.commitment"), 32), "commitment"));
        const path = record.merklePath;
        if (!Array.isArray(path)) throw new ArtifactError("Invalid vote.merklePath");
        hash.update(uintLE(path.length, 2, "vote.merklePath length"));
        for (const node of path) {
            if (typeof node !== "string") throw new ArtifactError("Invalid merkle path node");
            hash.update(bytesOfHex(normalizeHex(node, 32), "merkle path node"));
        }
    }
    return `0x${hash.digest("hex")}`;
}

function manifestHash(manifest: JsonRecord): string {
    const totalExpected = requireInt(manifest, "totalExpected", "election-manifest.totalExpected");
    const choices = manifest.choices;
    const version = requireString(manifest, "version", "election-manifest.version");
    const botCount = requireInt(manifest, "botCount", "election-manifest.botCount");
    const merkleTreeDepth = requireInt(manifest, "merkleTreeDepth", "election-manifest.merkleTreeDepth");
    if (!Array.isArray(choices) || !choices.every((choice) => typeof choice === "string" && choice !== "")) {
        throw new ArtifactError("Invalid election-manifest.choices");
    }
    return electionConfigHash({ totalExpected, choices: choices as string[], version, botCount, merkleTreeDepth });
}

function closeStatementDigest(close: JsonRecord): string {
    const logId = requireString(close, "logId", "close-statement.logId");
    const treeSize = requireInt(close, "treeSize", "close-statement.treeSize");
    const timestamp = requireInt(close, "timestamp", "close-statement.timestamp");
    const bulletinRoot = requireString(close, "bulletinRoot", "close-statement.bulletinRoot");
    return sthDigest(normalizeHex(logId, 32), treeSize, timestamp, normalizeHex(bulletinRoot, 32));
}

/** Throws ArtifactError naming the first disagreement; returns when all four artifacts agree. */
export function checkPublicAuditArtifacts(
    journalValue: unknown,
    publicInputValue: unknown,
    manifestValue: unknown,
    closeValue: unknown,
): void {
    const journal = requireRecord(journalValue, "journal");
    const publicInput = requireRecord(publicInputValue, "public-input");
    const manifest = requireRecord(manifestValue, "election-manifest");
    const close = requireRecord(closeValue, "close-statement");
    const fail = (message: string): never => {
        throw new ArtifactError(message);
    };

    if (publicInput.schema !== PUBLIC_INPUT_SCHEMA) fail("Invalid public-input schema");
    if (publicInput.version !== PUBLIC_INPUT_VERSION) fail("Invalid public-input version");
    if (typeof publicInput.contractGeneration !== "string" || publicInput.contractGeneration === "") {
        fail("Invalid public-input contractGeneration");
    }

    const journalElectionId = requireString(journal, "electionId", "journal.electionId");
    if (requireString(publicInput, "electionId", "public-input.electionId") !== journalElectionId) {
        fail("public-input.electionId drifted from journal");
    }
    if (!matchesHex(requireString(publicInput, "electionConfigHash"), requireString(journal, "electionConfigHash"), 32)) {
        fail("public-input.electionConfigHash drifted from journal");
    }
    if (!matchesHex(requireString(publicInput, "bulletinRoot"), requireString(journal, "bulletinRoot"), 32)) {
        fail("public-input.bulletinRoot drifted from journal");
    }
    if (requireInt(publicInput, "treeSize") !== requireInt(journal, "treeSize")) {
        fail("public-input.treeSize drifted from journal");
    }
    if (requireInt(publicInput, "totalExpected") !== requireInt(journal, "totalExpected")) {
        fail("public-input.totalExpected drifted from journal");
    }
    if (requireInt(publicInput, "methodVersion") !== requireInt(journal, "methodVersion")) {
        fail("public-input.methodVersion drifted from journal");
    }
    if (!matchesHex(inputCommitment(publicInput), requireString(journal, "inputCommitment"), 32)) {
        fail("public-input commitment drifted from journal");
    }

    const computedManifestHash = manifestHash(manifest);
    const manifestElectionId = requireString(manifest, "electionId", "election-manifest.electionId");
    if (manifestElectionId !== journalElectionId) fail("election-manifest.electionId drifted from journal");
    if (manifestElectionId !== requireString(publicInput, "electionId", "public-input.electionId")) {
        fail("election-manifest.electionId drifted from public-input");
    }
    if (
        requireInt(manifest, "totalExpected", "election-manifest.totalExpected") !==
        requireInt(journal, "totalExpected", "journal.totalExpected")
    ) {
        fail("election-manifest.totalExpected drifted from journal");
    }
    const manifestConfigHash = requireString(manifest, "electionConfigHash");
    if (!matchesHex(manifestConfigHash, computedManifestHash, 32)) fail("election-manifest self-hash mismatch");
    if (!matchesHex(manifestConfigHash, requireString(journal, "electionConfigHash"), 32)) {
        fail("election-manifest.electionConfigHash drifted from journal");
    }
    if (!matchesHex(manifestConfigHash, requireString(publicInput, "electionConfigHash"), 32)) {
        fail("election-manifest.electionConfigHash drifted from public-input");
    }

    if (!matchesHex(requireString(close, "logId"), requireString(publicInput, "logId"), 32)) {
        fail("close-statement.logId drifted from public-input");
    }
    if (
        requireInt(close, "timestamp", "close-statement.timestamp") !==
        requireInt(publicInput, "timestamp", "public-input.timestamp")
    ) {
        fail("close-statement.timestamp drifted from public-input");
    }
    if (requireInt(close, "treeSize", "close-statement.treeSize") !== requireInt(journal, "treeSize", "journal.treeSize")) {
        fail("close-statement.treeSize drifted from journal");
    }
    if (!matchesHex(requireString(close, "bulletinRoot"), requireString(journal, "bulletinRoot"), 32)) {
        fail("close-statement.bulletinRoot drifted from journal");
    }
    const closeDigest = requireString(close, "sthDigest");
    if (!matchesHex(closeDigest, closeStatementDigest(close), 32)) fail("close-statement.sthDigest self-check failed");
    if (!matchesHex(closeDigest, requireString(journal, "sthDigest"), 32)) {
        fail("close-statement.sthDigest drifted from journal");
    }
}
