/**
 * `npm run bench:bundles`: bundles every Lambda handler cold (an empty build folder), then warm (the
 * same folder again), and prints sizes and times. Not a test: timings depend on the machine.
 * Uses a temporary folder, so the program's own cache in build/lambdas is left as it is.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, bundleHandler } from "../components/lambdaCode";
import { bundleFigures } from "./lib/bundleFigures";

const entries = fs
    .readdirSync(path.join(PROJECT_ROOT, "lambdas"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(PROJECT_ROOT, "lambdas", d.name, "index.ts")))
    .map((d) => `lambdas/${d.name}/index.ts`)
    .sort();

const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bundles-"));
try {
    for (const phase of ["cold", "warm"]) {
        const bundles = entries.map((entry) => bundleHandler(entry, { buildDir }));
        console.log(`${phase}: ${bundleFigures(bundles, buildDir).replace(/^Lambda bundles \([^;]*; /, "Lambda bundles (")}\n`);
    }
} finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
}
