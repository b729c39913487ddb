/**
 * Bundles the prover runner into one self-contained JavaScript file. The image build runs this
 * (`node -r ts-node/register/transpile-only prover/bundleRunner.ts <outfile>`, see prover/Dockerfile)
 * and the tests run the same function, so what is tested is what ships.
 */
import * as path from "node:path";
import { build, BuildOptions, Metafile } from "esbuild";

const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/** Relative to the repository root, which is also the Docker build context. */
export const RUNNER_ENTRY_POINT = "prover/runner/main.ts";

export function runnerBuildOptions(outfile: string): BuildOptions {
    return {
        absWorkingDir: REPOSITORY_ROOT,
        entryPoints: [RUNNER_ENTRY_POINT],
        outfile,
        bundle: true,
        platform: "node",
        // The runtime image is Node.js 22.
        target: "node22",
        format: "cjs",
        metafile: true,
        logLevel: "warning",
    };
}

/** Writes the bundle and returns esbuild's metafile (inputs relative to the repository root). */
export async function bundleRunner(outfile: string): Promise<Metafile> {
    const result = await build(runnerBuildOptions(path.resolve(outfile)));
    return result.metafile!;
}

if (require.main === module) {
    const outfile = process.argv[2];
    if (outfile === undefined) {
        console.error("usage: bundleRunner.ts <outfile>");
        process.exit(2);
    }
    bundleRunner(outfile).then(
        (metafile) => console.log(`bundled ${Object.keys(metafile.inputs).length} modules into ${outfile}`),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
