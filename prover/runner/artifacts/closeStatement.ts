/**
 * close-statement.json: the bulletin log's signed-tree-head fields and their digest. Port of
 * `build_close_statement`: log id and timestamp from the input, tree size and bulletin root from the
 * host output.
 */
import { createHash } from "node:crypto";
import { ArtifactError, bytesOfHex, firstPresent, isInt, looseHex, uintLE } from "./values";

export interface CloseStatement {
    logId: string;
    treeSize: number;
    timestamp: number;
    bulletinRoot: string;
    sthDigest: string;
}

/** `0x` + sha256(logId ‖ u32le treeSize ‖ u64le timestamp ‖ bulletinRoot), hex given without `0x`. */
export function sthDigest(logIdHex: string, treeSize: number, timestamp: number, bulletinRootHex: string): string {
    const digest = createHash("sha256")
        .update(bytesOfHex(logIdHex, "logId"))
        .update(uintLE(treeSize, 4, "treeSize"))
        .update(uintLE(timestamp, 8, "timestamp"))
        .update(bytesOfHex(bulletinRootHex, "bulletinRoot"))
        .digest("hex");
    return `0x${digest}`;
}

export function buildCloseStatement(input: unknown, output: unknown): CloseStatement {
    const logId = looseHex(firstPresent(input, "log_id", "logId"), 32);
    if (logId === undefined) throw new ArtifactError("Missing log_id in zkVM input");
    const timestamp = firstPresent(input, "timestamp");
    if (!isInt(timestamp)) throw new ArtifactError("Invalid timestamp in zkVM input");
    const treeSize = firstPresent(output, "treeSize", "tree_size");
    if (!isInt(treeSize)) throw new ArtifactError("Invalid treeSize in zkVM output");
    const bulletinRoot = looseHex(firstPresent(output, "bulletinRoot", "bulletin_root"), 32);
    if (bulletinRoot === undefined) throw new ArtifactError("Missing bulletinRoot in zkVM output");
    return {
        logId,
        treeSize,
        timestamp,
        bulletinRoot,
        sthDigest: sthDigest(logId.slice(2), treeSize, timestamp, bulletinRoot.slice(2)),
    };
}
