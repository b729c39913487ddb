/**
 * Code archive of an application build: the secrets wrapper (lambdas/app-wrapper, bundled like every
 * handler) as `index.js`, the application's build (directory or .zip, used as is) under `app/`.
 * The function's handler stays `index.handler`; the wrapper imports `app/<APP_HANDLER module>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationBuild } from "../builders/applicationBuilds";
import { PROJECT_ROOT, bundleHandlerSource } from "./lambdaCode";

export const APP_WRAPPER_ENTRY = "lambdas/app-wrapper/index.ts";

export function applicationArchive(build: ApplicationBuild, configKey: string): pulumi.asset.AssetArchive {
    const resolved = path.resolve(PROJECT_ROOT, build.path);
    if (!fs.existsSync(resolved)) throw new Error(`${configKey}.path ${build.path} does not exist (resolved to ${resolved})`);
    const app = fs.statSync(resolved).isDirectory() || resolved.endsWith(".zip") ? new pulumi.asset.FileArchive(resolved) : undefined;
    if (app === undefined) throw new Error(`${configKey}.path ${build.path} must be a directory or a .zip file`);
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandlerSource(APP_WRAPPER_ENTRY)), app });
}
