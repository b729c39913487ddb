/**
 * Bundles a handler's TypeScript entry into a single CommonJS file for the Lambda runtime.
 *
 * The program bundles with esbuild instead of Pulumi's closure serialization: the handler is an
 * ordinary module with its own tests, the AWS SDK version is the one in our lockfile (not whatever the
 * runtime ships), and the archive's content, hence the function's code hash, changes only when the
 * source does. Bundling runs synchronously at synthesis, in well under a second per handler.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** The Node.js major the bundle targets; matches the functions' runtime. */
export const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

export function bundleHandlerSource(entry: string): string {
    const entryPath = path.resolve(PROJECT_ROOT, entry);
    if (!fs.existsSync(entryPath)) throw new Error(`Lambda entry ${entry} does not exist (resolved to ${entryPath})`);
    const result = esbuild.buildSync({
        entryPoints: [entryPath],
        bundle: true,
        platform: "node",
        target: ESBUILD_TARGET,
        format: "cjs",
        write: false,
        minify: false,
        sourcemap: false,
        legalComments: "none",
        // Absolute paths would make the archive (and so the deployed code hash) differ per checkout.
        absWorkingDir: PROJECT_ROOT,
        logLevel: "silent",
    });
    return result.outputFiles[0].text;
}

/** Code archive for a handler: `index.js` exporting `handler`. */
export function handlerArchive(entry: string): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandlerSource(entry)) });
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
