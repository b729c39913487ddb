import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";
import { describeError, errorCode, RunnerFailure } from "./failure";

/** Files the application cannot verify a proof without. */
export const REQUIRED_BUNDLE_FILES = ["receipt.json", "journal.json"] as const;
/** Files packed when the host wrote them. */
export const OPTIONAL_BUNDLE_FILES = ["public-input.json", "election-manifest.json", "close-statement.json"] as const;

/**
 * The bundle's entries, in a fixed order: the required files, then the optional ones present.
 * Only regular files count: a symlink could point the bundle at anything on the image.
 */
export async function selectBundleFiles(outputDir: string): Promise<string[]> {
    const present = async (name: string): Promise<boolean> => {
        try {
            return (await fs.lstat(path.join(outputDir, name))).isFile();
        } catch (error) {
            if (errorCode(error) === "ENOENT") return false;
            throw new RunnerFailure("BUNDLE_FAILED", `cannot read host output ${name}: ${describeError(error)}`);
        }
    };
    const missing: string[] = [];
    for (const name of REQUIRED_BUNDLE_FILES) {
        if (!(await present(name))) missing.push(name);
    }
    if (missing.length > 0) {
        const message = `zkVM host did not write required bundle file(s): ${missing.join(", ")}`;
        throw new RunnerFailure("BUNDLE_INCOMPLETE", message, { missing });
    }
    const optional: string[] = [];
    for (const name of OPTIONAL_BUNDLE_FILES) {
        if (await present(name)) optional.push(name);
    }
    return [...REQUIRED_BUNDLE_FILES, ...optional];
}

/** Packs the named files of `outputDir`, flat, into `zipPath`. */
export async function writeBundleZip(outputDir: string, names: readonly string[], zipPath: string): Promise<void> {
    try {
        const zip = new ZipFile();
        // yazl reports a file it cannot read on the ZipFile, not on its output stream, and then never
        // ends that stream: both must be watched or a failed read would hang the run.
        const failed = new Promise<never>((_, reject) => zip.once("error", reject));
        const written = pipeline(zip.outputStream, createWriteStream(zipPath));
        for (const name of names) {
            zip.addFile(path.join(outputDir, name), name);
        }
        zip.end();
        await Promise.race([written, failed]);
    } catch (error) {
        throw new RunnerFailure("BUNDLE_FAILED", `could not write ${path.basename(zipPath)}: ${describeError(error)}`);
    }
}
