/**
 * The application's own checks of a published proof, re-expressed for the tests (the application is
 * hwatanabe-jp/stark-ballot-simulator-public; nothing here is imported from it):
 *
 * - `src/lib/aws/bundle-restore.ts`: bundle.zip must hold receipt.json; journal.json,
 *   public-input.json, election-manifest.json and close-statement.json are read from it, and
 *   `included-bitmap.json` / `seen-bitmap.json` from beside it, each bitmap accepted only when its
 *   root (and tree size) matches the journal's;
 * - `src/lib/zkvm/journal-guards.ts` `isSupportedZkVMJournal`;
 * - `src/lib/verification/public-input-contract.ts` `parseSupportedPublicInputArtifact`;
 * - `src/lib/verification/public-audit-artifacts.ts` `isElectionManifest`, `isCloseStatement`;
 * - `src/lib/verification/{included,seen}-bitmap-artifact.ts` (root recomputed from the bits).
 *
 * Each returns the list of what it rejects, so a test asserts `[]` and a failure says why.
 */
import { createHash } from "node:crypto";

type Rec = Record<string, unknown>;
const CURRENT_METHOD_VERSION = 14;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isRec = (value: unknown): value is Rec => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (record: Rec, key: string): string | undefined =>
    typeof record[key] === "string" ? (record[key] as string) : undefined;
const num = (record: Rec, key: string): number | undefined =>
    typeof record[key] === "number" ? (record[key] as number) : undefined;
const bare = (hex: string): string => (hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex).toLowerCase();
/** `isValidHexString(hex, bytes)`: optional 0x, hex digits (any case), exact length. */
const isHex = (hex: string | undefined, bytes: number): boolean =>
    hex !== undefined && hex !== "" && /^[0-9a-f]*$/.test(bare(hex)) && bare(hex).length === bytes * 2;
const isCount = (value: number | undefined): boolean => value !== undefined && Number.isInteger(value) && value >= 0;

export function journalProblems(value: unknown): string[] {
    if (!isRec(value)) return ["journal is not an object"];
    const problems: string[] = [];
    if (!UUID.test(str(value, "electionId") ?? "")) problems.push("electionId");
    for (const key of ["electionConfigHash", "bulletinRoot", "sthDigest", "includedBitmapRoot", "inputCommitment", "seenBitmapRoot"]) {
        if (!isHex(str(value, key), 32)) problems.push(key);
    }
    if (value.imageId !== undefined && !isHex(str(value, "imageId"), 32)) problems.push("imageId");
    const tally = value.verifiedTally;
    if (!Array.isArray(tally) || tally.length !== 5 || !tally.every((entry) => typeof entry === "number" && Number.isInteger(entry) && entry >= 0)) {
        problems.push("verifiedTally");
    }
    for (const key of ["treeSize", "totalExpected", "totalVotes", "validVotes", "invalidVotes", "seenIndicesCount", "missingSlots", "invalidPresentedSlots", "rejectedRecords", "excludedSlots"]) {
        if (!isCount(num(value, key))) problems.push(key);
    }
    if (num(value, "methodVersion") !== CURRENT_METHOD_VERSION) problems.push("methodVersion");
    return problems;
}

/** The application's `computeInputCommitmentFromPublicInput`. */
export function recomputeInputCommitment(publicInput: Rec): string {
    const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
    const votes = publicInput.votes as { index: number; commitment: string; merklePath: string[] }[];
    const hash = createHash("sha256")
        .update("stark-ballot:input|v1.0")
        .update(u32(10))
        .update(Buffer.from((publicInput.electionId as string).replace(/-/g, ""), "hex"))
        .update(Buffer.from(bare(publicInput.bulletinRoot as string), "hex"))
        .update(u32(publicInput.treeSize as number))
        .update(u32(publicInput.totalExpected as number))
        .update(u32(votes.length));
    for (const vote of [...votes].sort((a, b) => a.index - b.index)) {
        hash.update(u32(vote.index)).update(u16(32)).update(Buffer.from(bare(vote.commitment), "hex")).update(u16(vote.merklePath.length));
        for (const node of vote.merklePath) hash.update(Buffer.from(bare(node), "hex"));
    }
    return `0x${hash.digest("hex")}`;
}

export function publicInputProblems(value: unknown): string[] {
    if (!isRec(value)) return ["public_input_not_record"];
    const problems: string[] = [];
    if (value.schema !== "stark-ballot.public_input") problems.push("schema");
    if (value.version !== "1.1") problems.push("version");
    if ((str(value, "contractGeneration") ?? "").trim() === "") problems.push("contractGeneration");
    if (!str(value, "electionId")) problems.push("electionId");
    for (const key of ["electionConfigHash", "bulletinRoot", "logId"]) {
        if (!isHex(str(value, key), 32)) problems.push(key);
    }
    for (const key of ["treeSize", "totalExpected", "timestamp", "methodVersion"]) {
        if (!Number.isInteger(num(value, key))) problems.push(key);
    }
    if (!Array.isArray(value.votes)) return [...problems, "votes"];
    for (const vote of value.votes) {
        if (!isRec(vote)) { problems.push("vote_record"); continue; }
        if (!isCount(num(vote, "index"))) problems.push("vote_index");
        if (!isHex(str(vote, "commitment"), 32)) problems.push("vote_commitment");
        const merklePath = vote.merklePath;
        if (!Array.isArray(merklePath) || !merklePath.every((node) => typeof node === "string")) problems.push("vote_merkle_path");
        else if (!merklePath.every((node) => isHex(node as string, 32))) problems.push("vote_merkle_path_hex");
    }
    return problems;
}

export function electionManifestProblems(value: unknown): string[] {
    if (!isRec(value)) return ["election-manifest is not an object"];
    const ok =
        Boolean(str(value, "electionId")) &&
        Number.isInteger(num(value, "totalExpected")) &&
        Array.isArray(value.choices) &&
        value.choices.every((choice) => typeof choice === "string") &&
        Boolean(str(value, "version")) &&
        Number.isInteger(num(value, "botCount")) &&
        Number.isInteger(num(value, "merkleTreeDepth")) &&
        isHex(str(value, "electionConfigHash"), 32);
    return ok ? [] : ["election-manifest shape"];
}

export function closeStatementProblems(value: unknown): string[] {
    if (!isRec(value)) return ["close-statement is not an object"];
    const ok =
        isHex(str(value, "logId"), 32) &&
        Number.isInteger(num(value, "treeSize")) &&
        Number.isInteger(num(value, "timestamp")) &&
        isHex(str(value, "bulletinRoot"), 32) &&
        isHex(str(value, "sthDigest"), 32);
    return ok ? [] : ["close-statement shape"];
}

/** The application's bitmap root: LSB-first bits, 32-byte chunks, CT-style tree with its leaf tag. */
export function bitmapRoot(bits: readonly boolean[]): string {
    const packed = Buffer.alloc(Math.ceil(bits.length / 8));
    bits.forEach((bit, i) => { if (bit) packed[Math.floor(i / 8)] |= 1 << i % 8; });
    const chunks: Buffer[] = [];
    for (let i = 0; i < packed.length; i += 32) {
        const chunk = Buffer.alloc(32);
        packed.copy(chunk, 0, i, Math.min(i + 32, packed.length));
        chunks.push(chunk);
    }
    if (chunks.length === 0) chunks.push(Buffer.alloc(32));
    let level: Buffer[] = chunks.map((chunk) => createHash("sha256").update(Buffer.from([0])).update("stark-ballot:leaf|v1").update(chunk).digest());
    while (level.length > 1) {
        const next: Buffer[] = [];
        for (let i = 0; i < level.length; i += 2) {
            next.push(i + 1 < level.length ? createHash("sha256").update(Buffer.from([1])).update(level[i]).update(level[i + 1]).digest() : level[i]);
        }
        level = next;
    }
    return `0x${level[0].toString("hex")}`;
}

export function bitmapProblems(value: unknown, kind: "included" | "seen", journal: unknown): string[] {
    const rootKey = kind === "included" ? "includedBitmapRoot" : "seenBitmapRoot";
    const bitsKey = kind === "included" ? "includedBitmap" : "seenBitmap";
    if (!isRec(value) || !isRec(journal)) return [`${kind} bitmap or journal is not an object`];
    const problems: string[] = [];
    if (value.schema !== `stark-ballot.${kind}_bitmap` || value.version !== "1.0") problems.push(`${kind} schema/version`);
    const bits = value[bitsKey];
    const treeSize = num(value, "treeSize");
    if (!Array.isArray(bits) || !bits.every((bit) => typeof bit === "boolean") || bits.length !== treeSize) {
        return [...problems, `${kind} bits`];
    }
    const root = str(value, rootKey);
    if (!isHex(root, 32) || bare(bitmapRoot(bits as boolean[])) !== bare(root!)) problems.push(`${kind} root does not match its bits`);
    if (bare(str(journal, rootKey) ?? "") !== bare(root ?? "")) problems.push(`${kind} root does not match the journal`);
    if (num(journal, "treeSize") !== treeSize) problems.push(`${kind} treeSize does not match the journal`);
    return problems;
}

/**
 * Everything the application checks when it restores a proof: the bundle's entries (by name) and the
 * two sibling bitmaps. Also that public-input's recomputed commitment is the journal's (finalize does).
 */
export function restoredProofProblems(bundle: ReadonlyMap<string, string>, siblings: { included?: string; seen?: string }): string[] {
    const problems: string[] = [];
    const receipt = bundle.get("receipt.json");
    if (receipt === undefined) return ["receipt.json not found in bundle"];
    const parsed = (name: string): unknown => {
        const text = bundle.get(name);
        if (text === undefined) {
            problems.push(`${name} missing`);
            return undefined;
        }
        return JSON.parse(text);
    };
    const receiptRecord = JSON.parse(receipt) as unknown;
    if (!isRec(receiptRecord) || !isRec(receiptRecord.receipt)) problems.push("receipt.json has no receipt object");
    const journal = parsed("journal.json");
    const publicInput = parsed("public-input.json");
    problems.push(...journalProblems(journal));
    problems.push(...publicInputProblems(publicInput));
    problems.push(...electionManifestProblems(parsed("election-manifest.json")));
    problems.push(...closeStatementProblems(parsed("close-statement.json")));
    if (isRec(publicInput) && isRec(journal) && problems.length === 0) {
        if (bare(recomputeInputCommitment(publicInput)) !== bare(journal.inputCommitment as string)) {
            problems.push("public-input commitment differs from the journal");
        }
    }
    if (siblings.included !== undefined) problems.push(...bitmapProblems(JSON.parse(siblings.included), "included", journal));
    if (siblings.seen !== undefined) problems.push(...bitmapProblems(JSON.parse(siblings.seen), "seen", journal));
    return problems;
}
