/**
 * election-manifest.json: the election config from the input, checked against the config hash the
 * input (and so the proof) commits to. Port of `build_election_manifest`. It reads the input only,
 * so the runner builds it before the host runs: a bad config fails in seconds, not after a proof.
 */
import { createHash } from "node:crypto";
import { compactJson } from "./pythonJson";
import { ArtifactError, firstPresent, isInt, isRecord, looseUuid, manifestHex } from "./values";

export interface ElectionConfig {
    totalExpected: number;
    choices: string[];
    version: string;
    botCount: number;
    merkleTreeDepth: number;
}

export interface ElectionManifest extends ElectionConfig {
    electionId: string;
    electionConfigHash: string;
}

/** `0x` + sha256 of the config's compact JSON, keys in this order (the application's `hashElectionConfig`). */
export function electionConfigHash(config: ElectionConfig): string {
    const payload = {
        totalExpected: config.totalExpected,
        choices: config.choices,
        version: config.version,
        botCount: config.botCount,
        merkleTreeDepth: config.merkleTreeDepth,
    };
    return `0x${createHash("sha256").update(compactJson(payload), "utf8").digest("hex")}`;
}

function normalizeElectionConfig(value: unknown): ElectionConfig {
    if (!isRecord(value)) throw new ArtifactError("Invalid election_config in zkVM input");
    const totalExpected = firstPresent(value, "totalExpected", "total_expected");
    const choices = firstPresent(value, "choices");
    const version = firstPresent(value, "version");
    const botCount = firstPresent(value, "botCount", "bot_count");
    const merkleTreeDepth = firstPresent(value, "merkleTreeDepth", "merkle_tree_depth");
    if (!isInt(totalExpected)) {
        throw new ArtifactError("Invalid election_config.totalExpected in zkVM input");
    }
    if (
        !Array.isArray(choices) ||
        choices.length === 0 ||
        !choices.every((choice) => typeof choice === "string" && choice !== "")
    ) {
        throw new ArtifactError("Invalid election_config.choices in zkVM input");
    }
    if (typeof version !== "string" || version === "") {
        throw new ArtifactError("Invalid election_config.version in zkVM input");
    }
    if (!isInt(botCount) || botCount < 0) {
        throw new ArtifactError("Invalid election_config.botCount in zkVM input");
    }
    if (!isInt(merkleTreeDepth) || merkleTreeDepth <= 0) {
        throw new ArtifactError("Invalid election_config.merkleTreeDepth in zkVM input");
    }
    return { totalExpected, choices: [...(choices as string[])], version, botCount, merkleTreeDepth };
}

export function buildElectionManifest(input: unknown): ElectionManifest {
    const electionId = looseUuid(firstPresent(input, "election_id", "electionId"));
    if (electionId === undefined) throw new ArtifactError("Missing election_id in zkVM input");
    const inputHash = manifestHex(firstPresent(input, "election_config_hash", "electionConfigHash"), 32);
    if (inputHash === undefined) throw new ArtifactError("Missing election_config_hash in zkVM input");
    const totalExpected = firstPresent(input, "total_expected", "totalExpected");
    if (!isInt(totalExpected)) throw new ArtifactError("Invalid total_expected in zkVM input");
    const rawConfig = firstPresent(input, "election_config", "electionConfig");
    if (rawConfig === undefined || rawConfig === null) {
        throw new ArtifactError("Missing election_config in zkVM input");
    }
    const config = normalizeElectionConfig(rawConfig);
    const computed = electionConfigHash(config);
    if (config.totalExpected !== totalExpected) {
        throw new ArtifactError("election_config.totalExpected does not match zkVM input");
    }
    // A plain string comparison, as in the original: a hash given in uppercase does not match.
    if (computed !== inputHash) {
        throw new ArtifactError("election_config hash does not match zkVM input");
    }
    return {
        electionId,
        totalExpected: config.totalExpected,
        choices: config.choices,
        version: config.version,
        botCount: config.botCount,
        merkleTreeDepth: config.merkleTreeDepth,
        electionConfigHash: computed,
    };
}
