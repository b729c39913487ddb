import { createWriteStream } from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";
import { describeError, RunnerFailure } from "./failure";

/**
 * bundle.zip's entries, flat, in this order: exactly what the application's bundle restore reads
 * (`src/lib/aws/bundle-restore.ts`). The bitmaps are not in it: they are published beside it.
 */
export const BUNDLE_ENTRIES = [
    "receipt.json",
    "journal.json",
    "public-input.json",
    "election-manifest.json",
    "close-statement.json",
] as const;

/** Packs the named files of `directory`, flat, into `zipPath`. */
export async function writeBundleZip(directory: string, names: readonly string[], zipPath: string): Promise<void> {
    try {
        const zip = new ZipFile();
        // yazl reports a file it cannot read on the ZipFile, not on its output stream, and then never
        // ends that stream: both must be watched or a failed read would hang the run.
        const failed = new Promise<never>((_, reject) => zip.once("error", reject));
        const written = pipeline(zip.outputStream, createWriteStream(zipPath));
        for (const name of names) {
            zip.addFile(path.join(directory, name), name);
        }
        zip.end();
        await Promise.race([written, failed]);
    } catch (error) {
        throw new RunnerFailure("BUNDLE_FAILED", `could not write ${path.basename(zipPath)}: ${describeError(error)}`);
    }
}
