import * as fs from "node:fs/promises";
import * as path from "node:path";
import { BUNDLE_OBJECT_NAME, INPUT_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { HostUser } from "./config";
import { describeError, RunnerFailure } from "./failure";

/** Where one run keeps its files. Everything is under the scratch volume: the rest of the filesystem is read-only. */
export interface ScratchLayout {
    root: string;
    /** Holds the input; the host writes its outputs next to it, so this directory is the host's alone. */
    hostDir: string;
    /** The host's one argument. */
    inputFile: string;
    /** The host's TMPDIR, since /tmp is on the read-only root filesystem. */
    tmpDir: string;
    /** The published set, built by the runner: the artifacts, the bitmaps and bundle.zip. */
    publishDir: string;
    bundleFile: string;
}

export function scratchLayout(root: string): ScratchLayout {
    const hostDir = path.join(root, "host");
    const publishDir = path.join(root, "publish");
    return {
        root,
        hostDir,
        inputFile: path.join(hostDir, INPUT_OBJECT_NAME),
        tmpDir: path.join(root, "tmp"),
        publishDir,
        bundleFile: path.join(publishDir, BUNDLE_OBJECT_NAME),
    };
}

/**
 * Empties what an earlier run may have left (a reused volume must not leak stale artifacts into this
 * execution's prefix), then creates the directories and writes the input file.
 */
export async function prepareScratch(layout: ScratchLayout, inputText: string, hostUser?: HostUser): Promise<void> {
    try {
        await fs.mkdir(layout.root, { recursive: true });
        for (const stale of [layout.hostDir, layout.tmpDir, layout.publishDir]) {
            await fs.rm(stale, { recursive: true, force: true });
        }
        for (const directory of [layout.hostDir, layout.tmpDir, layout.publishDir]) {
            await fs.mkdir(directory);
        }
        await fs.writeFile(layout.inputFile, inputText, { encoding: "utf8", flag: "wx", mode: 0o644 });
        if (hostUser !== undefined) {
            // The host's directories become its own (it writes its outputs next to the input, and its
            // temporary files); the input stays the runner's, readable but not writable by the host.
            // 0755: the runner, root without CAP_DAC_OVERRIDE on Fargate, must still read the outputs.
            // Modes first: once the host owns them, a root runner without CAP_FOWNER may not chmod them.
            await fs.chmod(layout.hostDir, 0o755);
            await fs.chmod(layout.tmpDir, 0o700);
            await fs.chown(layout.hostDir, hostUser.uid, hostUser.gid);
            await fs.chown(layout.tmpDir, hostUser.uid, hostUser.gid);
        }
    } catch (error) {
        throw new RunnerFailure(
            "SCRATCH_UNAVAILABLE",
            `scratch directory ${layout.root} is not usable: ${describeError(error)}`,
            { scratchDir: layout.root },
        );
    }
}
