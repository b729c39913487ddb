/**
 * Code archive of an application build: the secrets wrapper (lambdas/app-wrapper, bundled like every
 * handler: index.js, handler.js and its map) at the top, the application's build (a directory or a
 * .zip, unpacked as is) under `app/`. The function's handler stays `index.handler`; the wrapper
 * imports `app/<APP_HANDLER module>`.
 *
 * The archive is a directory under the git-ignored build folder shipped as a FileArchive, like every
 * other function's code: the state records a path and a hash, never the code as text (policy
 * `lambda-code-not-text`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yauzl from "yauzl";
import type { ApplicationBuild } from "../builders/applicationBuilds";
import { DEFAULT_BUILD_DIR, PROJECT_ROOT, bundleHandler } from "./lambdaCode";

export const APP_WRAPPER_ENTRY = "lambdas/app-wrapper/index.ts";

/** Where an application function's archive directory is assembled. */
export function applicationArchiveDir(configKey: string, buildDir = DEFAULT_BUILD_DIR): string {
    return path.join(buildDir, "application", configKey.replace(/[^A-Za-z0-9]+/g, "-"));
}

/** Checks the build's path before anything is registered; throws naming the config key. */
export function resolveApplicationBuild(build: ApplicationBuild, configKey: string): { resolved: string; kind: "dir" | "zip" } {
    const resolved = path.resolve(PROJECT_ROOT, build.path);
    if (!fs.existsSync(resolved)) throw new Error(`${configKey}.path ${build.path} does not exist (resolved to ${resolved})`);
    if (fs.statSync(resolved).isDirectory()) return { resolved, kind: "dir" };
    if (resolved.endsWith(".zip")) return { resolved, kind: "zip" };
    throw new Error(`${configKey}.path ${build.path} must be a directory or a .zip file`);
}

function unzipInto(zipFile: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
        yauzl.open(zipFile, { lazyEntries: true }, (openError, zip) => {
            if (openError || !zip) return reject(openError ?? new Error(`cannot open ${zipFile}`));
            zip.on("error", reject);
            zip.on("end", () => resolve());
            zip.on("entry", (entry: yauzl.Entry) => {
                // yauzl refuses absolute paths and `..` segments (validateFileName), so nothing lands outside `target`.
                const destination = path.join(target, entry.fileName);
                if (entry.fileName.endsWith("/")) {
                    fs.mkdirSync(destination, { recursive: true });
                    return zip.readEntry();
                }
                fs.mkdirSync(path.dirname(destination), { recursive: true });
                zip.openReadStream(entry, (streamError, stream) => {
                    if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
                    stream.pipe(fs.createWriteStream(destination)).on("finish", () => zip.readEntry()).on("error", reject);
                });
            });
            zip.readEntry();
        });
    });
}

/** Assembles the archive directory (wrapper bundle + `app/`) and resolves with its path. */
export async function assembleApplicationArchive(build: ApplicationBuild, configKey: string, buildDir = DEFAULT_BUILD_DIR): Promise<string> {
    const { resolved, kind } = resolveApplicationBuild(build, configKey);
    const wrapper = bundleHandler(APP_WRAPPER_ENTRY, { buildDir });
    const target = applicationArchiveDir(configKey, buildDir);
    // Assembled aside and swapped in, so a concurrent synthesis (parallel test workers) never sees
    // or deletes a half-built directory.
    const staging = `${target}.${process.pid}-${++stagingCount}.staging`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of fs.readdirSync(wrapper.dir)) fs.copyFileSync(path.join(wrapper.dir, file), path.join(staging, file));
    const appDir = path.join(staging, "app");
    if (kind === "dir") fs.cpSync(resolved, appDir, { recursive: true });
    else await unzipInto(resolved, appDir);
    swapDirectory(staging, target);
    return target;
}

let stagingCount = 0;

/** Replaces `target` by `staging`; another process may swap its own in between, so a refused rename is retried. */
function swapDirectory(staging: string, target: string): void {
    for (let attempt = 1; ; attempt++) {
        fs.rmSync(target, { recursive: true, force: true });
        try {
            fs.renameSync(staging, target);
            return;
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if ((code !== "ENOTEMPTY" && code !== "EEXIST") || attempt === 5) throw error;
        }
    }
}

export function applicationArchive(build: ApplicationBuild, configKey: string): pulumi.Output<pulumi.asset.Archive> {
    resolveApplicationBuild(build, configKey);
    return pulumi.output(assembleApplicationArchive(build, configKey)).apply((dir) => new pulumi.asset.FileArchive(dir));
}
