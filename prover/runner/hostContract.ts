/**
 * Where the zkVM host writes its results. The real host (`zkvm/host/src/main.rs` of
 * hwatanabe-jp/stark-ballot-simulator-public) takes exactly one argument, the input JSON file, and
 * names its outputs after it with Rust's `input_path.replace(".json", suffix)`, which replaces
 * every `.json` in the path: the runner computes them the same way so it looks where the host wrote.
 */
export interface HostArtifactPaths {
    /** camelCase fields, hashes as byte arrays, `imageId` as a `0x` string. */
    output: string;
    /** `{ receipt, image_id }`. */
    receipt: string;
    /** Included bitmap; absent when the host's exact bitmap did not match the proven root. */
    includedBitmap: string;
    /** Seen bitmap; absent on the same condition. */
    seenBitmap: string;
}

export const HOST_OUTPUT_SUFFIXES = {
    output: "-output.json",
    receipt: "-receipt.json",
    includedBitmap: "-bitmap.json",
    seenBitmap: "-seen-bitmap.json",
} as const;

export function hostArtifactPaths(inputFile: string): HostArtifactPaths {
    const named = (suffix: string): string => inputFile.split(".json").join(suffix);
    return {
        output: named(HOST_OUTPUT_SUFFIXES.output),
        receipt: named(HOST_OUTPUT_SUFFIXES.receipt),
        includedBitmap: named(HOST_OUTPUT_SUFFIXES.includedBitmap),
        seenBitmap: named(HOST_OUTPUT_SUFFIXES.seenBitmap),
    };
}
