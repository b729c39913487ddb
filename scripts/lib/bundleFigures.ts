/** The Lambda bundles of a run as a few lines: size of code and map, cached or built, time. */
import * as path from "node:path";
import { DEFAULT_BUILD_DIR, HandlerBundle, PROJECT_ROOT } from "../../components/lambdaCode";

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export function bundleFigures(bundles: readonly HandlerBundle[], buildDir = DEFAULT_BUILD_DIR): string {
    if (bundles.length === 0) return "Lambda bundles: none";
    const built = bundles.filter((b) => !b.cached).length;
    const total = bundles.reduce((sum, b) => sum + b.ms, 0);
    const width = Math.max(...bundles.map((b) => b.entry.length));
    const lines = bundles.map(
        (b) => `  ${b.entry.padEnd(width)}  ${kib(b.codeBytes).padStart(9)} + map ${kib(b.mapBytes).padStart(9)}  ${b.cached ? "cached" : "built "}  ${b.ms.toFixed(0).padStart(5)} ms`,
    );
    const where = path.relative(PROJECT_ROOT, buildDir) || ".";
    return [`Lambda bundles (${where}/, minified with source maps; ${built} built, ${bundles.length - built} from cache, ${total.toFixed(0)} ms)`, ...lines].join("\n");
}
