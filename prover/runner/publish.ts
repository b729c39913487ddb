/**
 * Turns what the host wrote into the published set: the four public audit artifacts built and
 * cross-checked by the runner (the original runner's `create_bundle_archive`), the host's receipt,
 * the bitmap sidecars, and bundle.zip. Every file goes to the publish directory; nothing is uploaded
 * here.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { buildCloseStatement } from "./artifacts/closeStatement";
import { checkPublicAuditArtifacts } from "./artifacts/consistency";
import { ElectionManifest, buildElectionManifest } from "./artifacts/electionManifest";
import { buildJournal } from "./artifacts/journal";
import { buildPublicInput } from "./artifacts/publicInput";
import { pythonJsonDump } from "./artifacts/pythonJson";
import { ArtifactError } from "./artifacts/values";
import { FailureName } from "./exitCodes";
import { describeError, errorCode, RunnerFailure } from "./failure";
import { hostArtifactPaths } from "./hostContract";
import { Logger } from "../../lambdas/shared/log";
import { BUNDLE_ENTRIES, writeBundleZip } from "./proofBundle";
import { ScratchLayout } from "./scratch";

/** Published beside bundle.zip, not in it, when the host wrote them (names the application reads). */
export const BITMAP_SIDECARS = [
    { name: "included-bitmap.json", host: "includedBitmap", lost: "bitmap proof availability will be reduced" },
    { name: "seen-bitmap.json", host: "seenBitmap", lost: "per-index explainability will be reduced" },
] as const;

export interface PublishedFile {
    /** The object name under the execution's prefix. */
    name: string;
    path: string;
}

export interface PublishedSet {
    /** In upload order; bundle.zip is not among them. */
    files: PublishedFile[];
    bundle: PublishedFile;
}

/** Runs one builder step; its ArtifactError becomes the step's own failure with one clear message. */
export function artifactStep<T>(failure: FailureName, what: string, build: () => T): T {
    try {
        return build();
    } catch (error) {
        if (error instanceof ArtifactError) {
            throw new RunnerFailure(failure, `${what}: ${error.message}`, { reason: error.message });
        }
        throw error;
    }
}

/** election-manifest.json reads the input only, so it is built (and a bad config refused) before the host runs. */
export function buildManifestBeforeHost(input: unknown): ElectionManifest {
    return artifactStep("ELECTION_MANIFEST_INVALID", "election-manifest.json cannot be built from the input", () =>
        buildElectionManifest(input),
    );
}

export async function buildPublishedSet(
    layout: ScratchLayout,
    input: unknown,
    manifest: ElectionManifest,
    log: Logger,
): Promise<PublishedSet> {
    const host = hostArtifactPaths(layout.inputFile);
    const missing: string[] = [];
    for (const file of [host.receipt, host.output]) {
        if (!(await isRegularFile(file))) missing.push(path.basename(file));
    }
    if (missing.length > 0) {
        throw new RunnerFailure("BUNDLE_INCOMPLETE", `zkVM host exited 0 but did not write ${missing.join(", ")}`, {
            missing,
        });
    }
    const outputText = await fs.readFile(host.output, "utf8").catch((error: unknown) => {
        throw new RunnerFailure("BUNDLE_FAILED", `cannot read host output ${host.output}: ${describeError(error)}`);
    });
    const output = artifactStep("JOURNAL_INVALID", "journal.json cannot be built from the host output", () => {
        try {
            return JSON.parse(outputText) as unknown;
        } catch (error) {
            throw new ArtifactError(`${path.basename(host.output)} is not JSON (${describeError(error)})`);
        }
    });

    const journal = artifactStep("JOURNAL_INVALID", "journal.json cannot be built from the host output", () =>
        buildJournal(output),
    );
    const publicInput = artifactStep("PUBLIC_INPUT_INVALID", "public-input.json cannot be built", () =>
        buildPublicInput(input, output),
    );
    const closeStatement = artifactStep("CLOSE_STATEMENT_INVALID", "close-statement.json cannot be built", () =>
        buildCloseStatement(input, output),
    );
    artifactStep("ARTIFACTS_INCONSISTENT", "the public audit artifacts disagree", () =>
        checkPublicAuditArtifacts(journal, publicInput, manifest, closeStatement),
    );

    const files: PublishedFile[] = [];
    const publish = async (name: string, write: (target: string) => Promise<void>): Promise<void> => {
        const target = path.join(layout.publishDir, name);
        try {
            await write(target);
        } catch (error) {
            throw new RunnerFailure("BUNDLE_FAILED", `cannot write ${name}: ${describeError(error)}`);
        }
        files.push({ name, path: target });
    };
    // The receipt is the host's file, byte for byte; the artifacts are written as the original wrote them.
    await publish("receipt.json", (target) => copyHostFile(host.receipt, target));
    const artifacts: [string, unknown][] = [
        ["journal.json", journal],
        ["public-input.json", publicInput],
        ["election-manifest.json", manifest],
        ["close-statement.json", closeStatement],
    ];
    for (const [name, value] of artifacts) {
        await publish(name, (target) => fs.writeFile(target, pythonJsonDump(value), { flag: "wx" }));
    }
    for (const sidecar of BITMAP_SIDECARS) {
        const source = host[sidecar.host];
        if (await isRegularFile(source)) {
            await publish(sidecar.name, (target) => copyHostFile(source, target));
        } else {
            // The host leaves a bitmap out when it does not match the proven root; the proof stands.
            log.warn(`host wrote no ${path.basename(source)}; ${sidecar.lost}`, { missing: sidecar.name });
        }
    }

    await writeBundleZip(layout.publishDir, BUNDLE_ENTRIES, layout.bundleFile);
    log.info("bundle written", { entries: [...BUNDLE_ENTRIES], published: files.map((file) => file.name) });
    return { files, bundle: { name: path.basename(layout.bundleFile), path: layout.bundleFile } };
}

/** Only a regular file counts: a symlink could point the published set at anything on the image. */
async function isRegularFile(file: string): Promise<boolean> {
    try {
        return (await fs.lstat(file)).isFile();
    } catch (error) {
        if (errorCode(error) === "ENOENT") return false;
        throw new RunnerFailure("BUNDLE_FAILED", `cannot read host output ${file}: ${describeError(error)}`);
    }
}

/**
 * A host file, byte for byte, into a new file of the runner's own. Not `fs.copyFile`: it gives the
 * copy the host's mode bits (the host chooses them) with fchmod, which a root runner without
 * CAP_FSETID/CAP_FOWNER (the task keeps neither) can see refused with EPERM.
 */
async function copyHostFile(source: string, target: string): Promise<void> {
    await fs.writeFile(target, await fs.readFile(source), { flag: "wx", mode: 0o644 });
}
