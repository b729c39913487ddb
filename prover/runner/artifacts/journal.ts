/**
 * journal.json: the host's `<input>-output.json` turned into the canonical journal the application
 * reads (`isSupportedZkVMJournal`): UUID election id, `0x` + 64 lowercase hex digit hashes, counts,
 * the current method version. Port of `convert_output_to_journal`.
 */
import { ArtifactError, isInt, isRecord, strictHex, strictUuid } from "./values";

/** The guest's method version the application supports (CURRENT_METHOD_VERSION of the original). */
export const CURRENT_METHOD_VERSION = 14;

export interface Journal {
    electionId: string;
    electionConfigHash: string;
    bulletinRoot: string;
    treeSize: number;
    totalExpected: number;
    sthDigest: string;
    verifiedTally: number[];
    totalVotes: number;
    validVotes: number;
    invalidVotes: number;
    seenIndicesCount: number;
    missingSlots: number;
    invalidPresentedSlots: number;
    rejectedRecords: number;
    seenBitmapRoot: string;
    includedBitmapRoot: string;
    excludedSlots: number;
    inputCommitment: string;
    methodVersion: number;
    imageId: string;
}

/** Builds the journal, or throws ArtifactError with the original's message for the first bad field. */
export function buildJournal(output: unknown): Journal {
    if (!isRecord(output)) {
        throw new ArtifactError("Invalid zkVM output payload");
    }
    // Only the camelCase names the host writes: snake_case is an older host and is refused.
    const get = (key: string): unknown => (Object.prototype.hasOwnProperty.call(output, key) ? output[key] : undefined);
    const required = (value: string | undefined, label: string): string => {
        if (value === undefined) throw new ArtifactError(`Missing ${label} in zkVM output`);
        return value;
    };
    const count = (label: string): number => {
        const value = get(label);
        if (!isInt(value) || value < 0) throw new ArtifactError(`Invalid ${label} in zkVM output`);
        return value;
    };
    const hash = (label: string): string => required(strictHex(get(label), 32), label);

    // Evaluated in the original's order, so the first failure reported is the same one.
    const electionId = required(strictUuid(get("electionId")), "electionId");
    const electionConfigHash = hash("electionConfigHash");
    const bulletinRoot = hash("bulletinRoot");
    const sthDigest = hash("sthDigest");
    const includedBitmapRoot = hash("includedBitmapRoot");
    const seenBitmapRoot = hash("seenBitmapRoot");
    const inputCommitment = hash("inputCommitment");
    const imageId = hash("imageId");
    const tally = get("verifiedTally");
    if (!Array.isArray(tally) || tally.length !== 5 || tally.some((item) => !isInt(item) || item < 0)) {
        throw new ArtifactError("Invalid verifiedTally in zkVM output");
    }
    const treeSize = count("treeSize");
    const totalExpected = count("totalExpected");
    const totalVotes = count("totalVotes");
    const validVotes = count("validVotes");
    const invalidVotes = count("invalidVotes");
    const seenIndicesCount = count("seenIndicesCount");
    const missingSlots = count("missingSlots");
    const invalidPresentedSlots = count("invalidPresentedSlots");
    const rejectedRecords = count("rejectedRecords");
    const excludedSlots = count("excludedSlots");
    const methodVersion = count("methodVersion");
    if (methodVersion !== CURRENT_METHOD_VERSION) {
        throw new ArtifactError(`Unsupported methodVersion in zkVM output: ${methodVersion}`);
    }

    // Key order is the original's: the file is written in this order.
    return {
        electionId,
        electionConfigHash,
        bulletinRoot,
        treeSize,
        totalExpected,
        sthDigest,
        verifiedTally: [...(tally as number[])],
        totalVotes,
        validVotes,
        invalidVotes,
        seenIndicesCount,
        missingSlots,
        invalidPresentedSlots,
        rejectedRecords,
        seenBitmapRoot,
        includedBitmapRoot,
        excludedSlots,
        inputCommitment,
        methodVersion,
        imageId,
    };
}
