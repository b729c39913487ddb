/**
 * Bundles a handler's TypeScript entry into a minified CommonJS file with a source map, written to
 * the git-ignored `build/lambdas/` folder and shipped as a file archive.
 *
 * The program bundles with esbuild instead of Pulumi's closure serialization: the handler is an
 * ordinary module with its own tests and the AWS SDK version is the one in our lockfile (not
 * whatever the runtime ships). The code is a FileArchive of a directory, not a StringAsset: the
 * checkpoint then holds the archive's path and hash instead of megabytes of text, and `pulumi
 * preview --diff` shows a changed hash instead of a text diff. Pulumi zips the directory with sorted
 * names and a constant modification time, and compares archives by hash only, so the function's
 * code changes only when the bundle's bytes do.
 *
 * Bundles are cached by the content of their inputs (every file esbuild's metafile lists, plus the
 * build options, the esbuild version and tsconfig.json): an unchanged handler is not rebuilt.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** The Node.js major the bundle targets; matches the functions' runtime. */
export const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
/** Where bundles are written by default (git-ignored). */
export const DEFAULT_BUILD_DIR = path.join(PROJECT_ROOT, "build", "lambdas");

/** File names inside each bundle directory (the function's handler is `index.handler`). */
export const BUNDLE_FILES = { loader: "index.js", code: "handler.js", map: "handler.js.map" } as const;

/**
 * The archive's `index.js`: turns on source-mapped stack traces, then loads the bundle. AWS documents
 * `NODE_OPTIONS=--enable-source-maps` in the function's environment for esbuild bundles with source
 * maps (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html,
 * "Sourcemap"). Node's API does the same for files loaded after the call
 * (https://nodejs.org/api/process.html#processsetsourcemapsenabledval, and
 * https://nodejs.org/api/module.html#modulesetsourcemapssupportenabled-options on Node 22.14+), which keeps
 * each function's environment exactly the variables its handler reads.
 */
export const LOADER_SOURCE = [
    '"use strict";',
    "// Source-mapped stack traces (same effect as NODE_OPTIONS=--enable-source-maps) for the bundle loaded below.",
    'const nodeModule = require("node:module");',
    'if (typeof nodeModule.setSourceMapsSupport === "function") nodeModule.setSourceMapsSupport(true);',
    "else process.setSourceMapsEnabled(true);",
    `module.exports = require("./${BUNDLE_FILES.code}");`,
    "",
].join("\n");

/** What esbuild is asked for; part of the cache key. */
const BUILD_OPTIONS = {
    bundle: true,
    platform: "node",
    target: ESBUILD_TARGET,
    format: "cjs",
    minify: true,
    // A linked map (handler.js ends with `//# sourceMappingURL=handler.js.map`). Mappings only: the
    // sources themselves are in the repository, and without them the map is a fraction of the size.
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    logLevel: "silent",
} as const satisfies esbuild.BuildOptions;

export interface HandlerBundle {
    /** Project-relative entry, e.g. `lambdas/api/index.ts`. */
    entry: string;
    /** Directory holding index.js, handler.js and handler.js.map: the archive's content. */
    dir: string;
    /** sha256 over the archive's files (names and bytes, in name order). */
    hash: string;
    /** Bytes of handler.js and of handler.js.map. */
    codeBytes: number;
    mapBytes: number;
    /** True when the cache was used (nothing rebuilt). */
    cached: boolean;
    /** Time spent on this handler, cache check included. */
    ms: number;
}

interface InputRecord {
    sha256: string;
    /** Size and mtime when hashed: when both still match, the file is not read again (as git's index does). */
    size: number;
    mtimeMs: number;
}

interface Manifest {
    optionsKey: string;
    /** Project-relative input path to its content hash. */
    inputs: Record<string, InputRecord>;
    /** File name in the bundle directory to sha256 of its content. */
    outputs: Record<string, string>;
}

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
const slugOf = (entry: string) => entry.replace(/\.[cm]?[jt]s$/, "").replace(/[^A-Za-z0-9._-]+/g, "-");

function fileHash(file: string): string | undefined {
    try {
        return sha256(fs.readFileSync(file));
    } catch {
        return undefined;
    }
}

function optionsKey(entry: string): string {
    const tsconfig = fileHash(path.join(PROJECT_ROOT, "tsconfig.json")) ?? "none";
    return sha256(JSON.stringify({ entry, esbuild: esbuild.version, options: BUILD_OPTIONS, loader: LOADER_SOURCE, tsconfig }));
}

/** sha256 over the files of a bundle directory, in name order (what makes the archive). */
export function bundleHash(files: Record<string, Buffer | string>): string {
    const h = crypto.createHash("sha256");
    for (const name of Object.keys(files).sort()) h.update(name).update("\0").update(sha256(files[name])).update("\n");
    return h.digest("hex");
}

function readCached(manifestFile: string, dir: string, key: string): Manifest | undefined {
    let manifest: Manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
    } catch {
        return undefined;
    }
    if (manifest.optionsKey !== key) return undefined;
    for (const [input, recorded] of Object.entries(manifest.inputs)) {
        const file = path.join(PROJECT_ROOT, input);
        let stat: fs.Stats;
        try {
            stat = fs.statSync(file);
        } catch {
            return undefined;
        }
        if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) continue;
        // Touched or rewritten: the content decides.
        if (fileHash(file) !== recorded.sha256) return undefined;
    }
    const names = Object.keys(manifest.outputs);
    if (fs.readdirSync(dir, { withFileTypes: true }).some((d) => !names.includes(d.name))) return undefined;
    for (const [name, hash] of Object.entries(manifest.outputs)) {
        if (fileHash(path.join(dir, name)) !== hash) return undefined;
    }
    return manifest;
}

/** Writes a file through a temporary name, so a concurrent reader never sees half of it. */
function writeAtomically(file: string, data: string | Uint8Array): void {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
}

/**
 * Bundles `entry` into `<buildDir>/<slug>/` unless the cached bundle's inputs are unchanged.
 * The bytes do not depend on `buildDir`: esbuild always bundles as if into the default folder, so
 * the map's relative source paths are the same wherever the files are written.
 */
export function bundleHandler(entry: string, options: { buildDir?: string } = {}): HandlerBundle {
    const started = process.hrtime.bigint();
    const entryPath = path.resolve(PROJECT_ROOT, entry);
    if (!fs.existsSync(entryPath)) throw new Error(`Lambda entry ${entry} does not exist (resolved to ${entryPath})`);
    const relativeEntry = path.relative(PROJECT_ROOT, entryPath).split(path.sep).join("/");
    const slug = slugOf(relativeEntry);
    const buildDir = options.buildDir ?? DEFAULT_BUILD_DIR;
    const dir = path.join(buildDir, slug);
    const manifestFile = path.join(buildDir, `${slug}.manifest.json`);
    const key = optionsKey(relativeEntry);
    fs.mkdirSync(dir, { recursive: true });

    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const describe = (files: Record<string, Buffer | string>, cached: boolean): HandlerBundle => ({
        entry: relativeEntry,
        dir,
        hash: bundleHash(files),
        codeBytes: Buffer.byteLength(files[BUNDLE_FILES.code]),
        mapBytes: Buffer.byteLength(files[BUNDLE_FILES.map]),
        cached,
        ms: elapsed(),
    });

    const cached = readCached(manifestFile, dir, key);
    if (cached) {
        const files = Object.fromEntries(Object.keys(cached.outputs).map((name) => [name, fs.readFileSync(path.join(dir, name))]));
        return record(describe(files, true));
    }

    const result = esbuild.buildSync({
        ...BUILD_OPTIONS,
        entryPoints: [entryPath],
        // Always the default folder: the map's `sources` are relative to it, so they must not depend
        // on where this particular build writes (a test builds into temporary folders).
        outfile: path.join(DEFAULT_BUILD_DIR, slug, BUNDLE_FILES.code),
        write: false,
        metafile: true,
        // Absolute paths would make the bundle (and so the deployed code hash) differ per checkout.
        absWorkingDir: PROJECT_ROOT,
    });
    const files: Record<string, Buffer | string> = { [BUNDLE_FILES.loader]: LOADER_SOURCE };
    for (const out of result.outputFiles) files[path.basename(out.path)] = Buffer.from(out.contents);
    if (files[BUNDLE_FILES.code] === undefined || files[BUNDLE_FILES.map] === undefined) {
        throw new Error(`esbuild produced ${Object.keys(files).join(", ")} for ${relativeEntry}, expected ${Object.values(BUNDLE_FILES).join(", ")}`);
    }
    // Stale files (e.g. from an earlier layout) would be shipped in the archive. Another process's
    // temporary file (writeAtomically) is not stale: it is about to be renamed.
    for (const existing of fs.readdirSync(dir)) {
        if (!(existing in files) && !existing.endsWith(".tmp")) fs.rmSync(path.join(dir, existing), { recursive: true, force: true });
    }
    for (const [name, data] of Object.entries(files)) writeAtomically(path.join(dir, name), data);

    const inputs: Record<string, InputRecord> = {};
    for (const input of Object.keys(result.metafile.inputs).sort()) {
        // Metafile paths are relative to absWorkingDir (the project root); skip esbuild's virtual modules.
        const file = path.join(PROJECT_ROOT, input);
        const hash = fileHash(file);
        if (hash === undefined) continue;
        const stat = fs.statSync(file);
        inputs[input] = { sha256: hash, size: stat.size, mtimeMs: stat.mtimeMs };
    }
    const outputs = Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)]));
    writeAtomically(manifestFile, JSON.stringify({ optionsKey: key, inputs, outputs } satisfies Manifest, null, 2));
    return record(describe(files, false));
}

const built: HandlerBundle[] = [];
function record(bundle: HandlerBundle): HandlerBundle {
    built.push(bundle);
    return bundle;
}

/** Bundles made (or taken from the cache) in this process, in order: for the plan's figures. */
export function bundlesBuilt(): readonly HandlerBundle[] {
    return built;
}

/** Code archive for a handler: a directory with `index.js` exporting `handler`, plus the bundle and its map. */
export function handlerArchive(entry: string): pulumi.asset.FileArchive {
    return new pulumi.asset.FileArchive(bundleHandler(entry).dir);
}

/**
 * Code archive from a prebuilt handler (the application's own build): a directory or a .zip file,
 * used as is. Its entry must be `index.handler`.
 */
export function prebuiltArchive(handlerPath: string): pulumi.asset.Archive {
    const resolved = path.resolve(PROJECT_ROOT, handlerPath);
    if (!fs.existsSync(resolved)) throw new Error(`apiHandlerPath ${handlerPath} does not exist (resolved to ${resolved})`);
    return new pulumi.asset.FileArchive(resolved);
}
