/**
 * Extracts a proof bundle (`bundle.zip`) into an empty directory without trusting it: the bundle sits
 * in a bucket other principals can write (the prover task, operators), so its names, types and sizes
 * are checked before a byte lands on disk.
 *
 * - names: yauzl (a maintained zip reader, `strictFileNames`) refuses absolute paths, `..` segments and
 *   backslashes; every name is also resolved and must stay inside the target directory;
 * - types: only regular files and directories; a symlink (or a device, FIFO, socket) is refused, so no
 *   later write or read can be redirected outside the target;
 * - sizes: the entry count, each declared size and their sum are bounded before extraction, and
 *   yauzl's `validateEntrySizes` fails an entry whose inflated bytes differ from its declared size
 *   (a zip bomb that lies about its size stops at the lie);
 * - duplicates: a name that appears twice is refused (the second would silently replace the first).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";

export interface ExtractLimits {
    /** Most entries (files and directories) a bundle may hold. */
    maxEntries: number;
    /** Most bytes all entries may inflate to, together. */
    maxTotalBytes: number;
    /** Most bytes one entry may inflate to. */
    maxEntryBytes: number;
}

/**
 * A published bundle holds five JSON files (prover/README.md, "Published set"); the limits leave room
 * for growth while keeping download + extraction inside the function's 512 MB of /tmp.
 */
export const BUNDLE_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({
    maxEntries: 64,
    maxTotalBytes: 256 * 1024 * 1024,
    maxEntryBytes: 128 * 1024 * 1024,
});

/** The bundle is refused as unsafe or malformed; retrying cannot help. */
export class UnsafeBundleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnsafeBundle";
    }
}

// Unix mode bits live in the upper 16 bits of the external attributes (zip made on Unix).
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** The kind of an entry from its external attributes: "file", "directory" or what else it declares. */
export function entryKind(entry: Pick<yauzl.Entry, "fileName" | "externalFileAttributes">): "file" | "directory" | string {
    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (entry.fileName.endsWith("/")) return mode === 0 || mode === S_IFDIR ? "directory" : `type 0o${mode.toString(8)}`;
    if (mode === 0 || mode === S_IFREG) return "file";
    if (mode === 0o120000) return "symlink";
    return `type 0o${mode.toString(8)}`;
}

/** Extracts `zipPath` into `targetDir` (which must exist and be empty); returns the files written, relative. */
export async function safeExtract(zipPath: string, targetDir: string, limits: ExtractLimits = BUNDLE_EXTRACT_LIMITS): Promise<string[]> {
    const root = path.resolve(targetDir);
    if (fs.readdirSync(root).length > 0) throw new Error(`safeExtract: ${root} is not empty`);
    let zip: yauzl.ZipFile;
    try {
        zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
            yauzl.open(zipPath, { lazyEntries: true, autoClose: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true }, (error, z) =>
                error ? reject(error) : resolve(z as yauzl.ZipFile),
            ),
        );
    } catch (error) {
        throw new UnsafeBundleError(`bundle.zip is not a readable zip archive: ${(error as Error).message}`);
    }
    if (zip.entryCount > limits.maxEntries) {
        zip.close();
        throw new UnsafeBundleError(`bundle.zip has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
    }
    const written: string[] = [];
    const seen = new Set<string>();
    let declaredTotal = 0;
    return new Promise<string[]>((resolve, reject) => {
        let failed = false;
        const fail = (error: unknown) => {
            if (failed) return;
            failed = true;
            zip.close();
            reject(error instanceof UnsafeBundleError ? error : new UnsafeBundleError(`bundle.zip could not be extracted: ${(error as Error).message}`));
        };
        zip.on("error", fail);
        zip.on("end", () => {
            if (!failed) resolve(written);
        });
        zip.on("entry", (entry: yauzl.Entry) => {
            void (async () => {
                const name = entry.fileName;
                const kind = entryKind(entry);
                if (kind !== "file" && kind !== "directory") {
                    throw new UnsafeBundleError(`bundle.zip entry ${JSON.stringify(name)} is a ${kind}; only files and directories are allowed`);
                }
                const destination = path.resolve(root, name);
                if (destination !== root && !destination.startsWith(root + path.sep)) {
                    throw new UnsafeBundleError(`bundle.zip entry ${JSON.stringify(name)} points outside the bundle directory`);
                }
                const normalized = path.relative(root, destination);
                if (seen.has(normalized)) {
                    throw new UnsafeBundleError(`bundle.zip entry ${JSON.stringify(name)} appears more than once`);
                }
                seen.add(normalized);
                if (kind === "directory") {
                    fs.mkdirSync(destination, { recursive: true });
                    zip.readEntry();
                    return;
                }
                if (entry.uncompressedSize > limits.maxEntryBytes) {
                    throw new UnsafeBundleError(`bundle.zip entry ${JSON.stringify(name)} inflates to ${entry.uncompressedSize} bytes; at most ${limits.maxEntryBytes} are allowed`);
                }
                declaredTotal += entry.uncompressedSize;
                if (declaredTotal > limits.maxTotalBytes) {
                    throw new UnsafeBundleError(`bundle.zip inflates to more than ${limits.maxTotalBytes} bytes`);
                }
                fs.mkdirSync(path.dirname(destination), { recursive: true });
                const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s as NodeJS.ReadableStream))));
                // "wx": never follow or replace something already there.
                await pipeline(stream, fs.createWriteStream(destination, { flags: "wx", mode: 0o600 }));
                written.push(normalized);
                zip.readEntry();
            })().catch(fail);
        });
        zip.readEntry();
    });
}
