import * as fs from "node:fs/promises";
import * as path from "node:path";
import { BUNDLE_OBJECT_NAME, INPUT_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { describeError, RunnerFailure } from "./failure";

export interface OutputFile {
    /** Path relative to the output directory with `/` separators: the part of the key after the prefix. */
    name: string;
    path: string;
}

export interface OutputListing {
    files: OutputFile[];
    /** Entries not uploaded, with the reason. */
    skipped: { name: string; reason: string }[];
}

/**
 * Names the runner owns in the execution's prefix: prover-dispatch wrote `input.json` there and
 * `bundle.zip` is the runner's own. A host file of the same name must not overwrite them.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([INPUT_OBJECT_NAME, BUNDLE_OBJECT_NAME]);

/** Every regular file under the output directory, recursively, sorted by name. */
export async function listOutputFiles(outputDir: string): Promise<OutputListing> {
    const listing: OutputListing = { files: [], skipped: [] };
    try {
        await walk(outputDir, "", listing);
    } catch (error) {
        throw new RunnerFailure("BUNDLE_FAILED", `cannot list host outputs in ${outputDir}: ${describeError(error)}`);
    }
    listing.files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return listing;
}

async function walk(directory: string, prefix: string, listing: OutputListing): Promise<void> {
    for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
        const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
        const fullPath = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            await walk(fullPath, name, listing);
        } else if (!entry.isFile()) {
            listing.skipped.push({ name, reason: "not a regular file" });
        } else if (RESERVED_NAMES.has(name)) {
            listing.skipped.push({ name, reason: "name is reserved for the runner" });
        } else {
            listing.files.push({ name, path: fullPath });
        }
    }
}
