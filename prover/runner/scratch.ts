import * as fs from "node:fs/promises";
import * as path from "node:path";
import { INPUT_OBJECT_NAME, BUNDLE_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { describeError, RunnerFailure } from "./failure";

/** Where one run keeps its files. Everything is under the scratch volume: the rest of the filesystem is read-only. */
export interface ScratchLayout {
    root: string;
    /** The host's first argument. */
    inputFile: string;
    /** The host's second argument: it writes its artifacts here. */
    outputDir: string;
    /** The host's TMPDIR, since /tmp is on the read-only root filesystem. */
    tmpDir: string;
    bundleFile: string;
}

export function scratchLayout(root: string): ScratchLayout {
    return {
        root,
        inputFile: path.join(root, INPUT_OBJECT_NAME),
        outputDir: path.join(root, "output"),
        tmpDir: path.join(root, "tmp"),
        bundleFile: path.join(root, BUNDLE_OBJECT_NAME),
    };
}

/**
 * Empties what an earlier run may have left (a reused volume must not leak stale artifacts into this
 * execution's prefix), then creates the directories and writes the input file.
 */
export async function prepareScratch(layout: ScratchLayout, inputText: string): Promise<void> {
    try {
        await fs.mkdir(layout.root, { recursive: true });
        for (const stale of [layout.outputDir, layout.tmpDir, layout.bundleFile, layout.inputFile]) {
            await fs.rm(stale, { recursive: true, force: true });
        }
        await fs.mkdir(layout.outputDir);
        await fs.mkdir(layout.tmpDir);
        await fs.writeFile(layout.inputFile, inputText, { encoding: "utf8", flag: "wx" });
    } catch (error) {
        throw new RunnerFailure(
            "SCRATCH_UNAVAILABLE",
            `scratch directory ${layout.root} is not usable: ${describeError(error)}`,
            { scratchDir: layout.root },
        );
    }
}
