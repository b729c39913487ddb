/**
 * public-input.json (schema `stark-ballot.public_input`, version 1.1): the public part of the host
 * input (no vote choices or randomness), with the method version the host reported. Port of
 * `build_public_input`.
 */
import { CURRENT_METHOD_VERSION } from "./journal";
import { ArtifactError, firstPresent, isInt, isRecord, looseHex, looseUuid } from "./values";

export const PUBLIC_INPUT_SCHEMA = "stark-ballot.public_input";
export const PUBLIC_INPUT_VERSION = "1.1";

export interface PublicInputVote {
    index: number;
    commitment: string;
    merklePath: string[];
}

export interface PublicInput {
    schema: string;
    version: string;
    /** Copied from the input as it is; the consistency check requires a non-empty string. */
    contractGeneration: unknown;
    electionId: string;
    electionConfigHash: string;
    bulletinRoot: string;
    treeSize: number;
    totalExpected: number;
    logId: string;
    timestamp: number;
    methodVersion: number;
    votes: PublicInputVote[];
}

export function buildPublicInput(input: unknown, output: unknown): PublicInput {
    if (!isRecord(output)) {
        throw new ArtifactError("Invalid zkVM output payload");
    }
    const required = <T>(value: T | undefined, label: string): T => {
        if (value === undefined || value === null) throw new ArtifactError(`Missing ${label} in zkVM input`);
        return value;
    };
    const integer = (value: unknown, label: string): number => {
        if (!isInt(value)) throw new ArtifactError(`Invalid ${label} in zkVM input`);
        return value;
    };

    const electionId = required(looseUuid(firstPresent(input, "election_id", "electionId")), "election_id");
    const contractGeneration = required(
        firstPresent(input, "contract_generation", "contractGeneration"),
        "contract_generation",
    );
    const electionConfigHash = required(
        looseHex(firstPresent(input, "election_config_hash", "electionConfigHash"), 32),
        "election_config_hash",
    );
    const bulletinRoot = required(looseHex(firstPresent(input, "bulletin_root", "bulletinRoot"), 32), "bulletin_root");
    const treeSize = integer(firstPresent(input, "tree_size", "treeSize"), "tree_size");
    const totalExpected = integer(firstPresent(input, "total_expected", "totalExpected"), "total_expected");
    const logId = required(looseHex(firstPresent(input, "log_id", "logId"), 32), "log_id");
    const timestamp = integer(firstPresent(input, "timestamp"), "timestamp");

    const methodVersion = firstPresent(output, "methodVersion");
    if (!isInt(methodVersion)) {
        throw new ArtifactError("Missing methodVersion in zkVM output");
    }
    if (methodVersion !== CURRENT_METHOD_VERSION) {
        throw new ArtifactError(`Unsupported methodVersion in zkVM output: ${methodVersion}`);
    }

    const votes = firstPresent(input, "votes");
    if (!Array.isArray(votes)) {
        throw new ArtifactError("Invalid votes in zkVM input");
    }
    const publicVotes = votes.map((vote): PublicInputVote => {
        if (!isRecord(vote)) throw new ArtifactError("Invalid vote entry");
        const index = firstPresent(vote, "index");
        if (!isInt(index)) throw new ArtifactError("Invalid vote index");
        const commitment = looseHex(firstPresent(vote, "commitment"), 32);
        if (commitment === undefined) throw new ArtifactError("Invalid vote commitment");
        const merklePath = firstPresent(vote, "merkle_path", "merklePath");
        if (!Array.isArray(merklePath)) throw new ArtifactError("Invalid vote merkle_path");
        const nodes = merklePath.map((node) => {
            const hex = looseHex(node, 32);
            if (hex === undefined) throw new ArtifactError("Invalid merkle path node");
            return hex;
        });
        // Only what the verifier needs: the choice and the randomness stay private.
        return { index, commitment, merklePath: nodes };
    });

    return {
        schema: PUBLIC_INPUT_SCHEMA,
        version: PUBLIC_INPUT_VERSION,
        contractGeneration,
        electionId,
        electionConfigHash,
        bulletinRoot,
        treeSize,
        totalExpected,
        logId,
        timestamp,
        methodVersion,
        votes: publicVotes,
    };
}
