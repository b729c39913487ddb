/** The original runner's golden files (see tests/prover/golden/README.md) and a host that replays them. */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "./childProcess";

export const GOLDEN_DIR = path.join(REPOSITORY_ROOT, "tests/prover/golden/original");

export function goldenText(name: string): string {
    return fs.readFileSync(path.join(GOLDEN_DIR, name), "utf8");
}

export function goldenJson(name: string): unknown {
    return JSON.parse(goldenText(name));
}

/** The four artifacts the runner builds, as the original wrote them. */
export const GOLDEN_ARTIFACTS = ["journal.json", "public-input.json", "election-manifest.json", "close-statement.json"] as const;

/**
 * A host that obeys the real host's calling convention (exactly one argument, results next to the
 * input under the host's names) but, instead of proving, copies the files of `sourceDir`
 * (`host-output.json`, `host-receipt.json`, `included-bitmap.json`, `seen-bitmap.json`; missing ones
 * are skipped). It lets a run be fed the original test's host outputs, or deliberately broken ones.
 */
export function writeReplayHost(directory: string, sourceDir: string): string {
    const file = path.join(directory, "replay-host");
    const source = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const args = process.argv.slice(2);
if (args.length !== 1) { process.stderr.write("Error: replay host takes exactly one argument\\n"); process.exit(1); }
const named = (suffix) => args[0].split(".json").join(suffix);
const copies = [["host-output.json", "-output.json"], ["host-receipt.json", "-receipt.json"],
    ["included-bitmap.json", "-bitmap.json"], ["seen-bitmap.json", "-seen-bitmap.json"]];
for (const [name, suffix] of copies) {
    const from = path.join(${JSON.stringify(sourceDir)}, name);
    if (fs.existsSync(from)) fs.copyFileSync(from, named(suffix));
}
console.log("replayed " + ${JSON.stringify(sourceDir)});
`;
    fs.writeFileSync(file, source, { mode: 0o755 });
    return file;
}

/** A copy of the golden host files in `directory`, with `edit` applied to the parsed host output when given. */
export function goldenHostFiles(directory: string, edit?: (output: Record<string, unknown>) => void): string {
    fs.mkdirSync(directory, { recursive: true });
    for (const name of ["host-output.json", "host-receipt.json", "included-bitmap.json", "seen-bitmap.json"]) {
        fs.copyFileSync(path.join(GOLDEN_DIR, name), path.join(directory, name));
    }
    if (edit !== undefined) {
        const output = goldenJson("host-output.json") as Record<string, unknown>;
        edit(output);
        fs.writeFileSync(path.join(directory, "host-output.json"), JSON.stringify(output));
    }
    return directory;
}

/**
 * A host that records how it was called (argv, cwd, TMPDIR, RUST_LOG, the AWS variables it got) to
 * `$PROBE_REPORT`, then runs `hostBin` with the same arguments and exits with its code.
 */
export function writeProbeHost(directory: string, hostBin: string): string {
    const file = path.join(directory, "probe-host");
    const source = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const { spawnSync } = require("node:child_process");
fs.writeFileSync(process.env.PROBE_REPORT, JSON.stringify({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    tmpdir: process.env.TMPDIR,
    rustLog: process.env.RUST_LOG,
    awsVariables: Object.keys(process.env).filter((name) => name.startsWith("AWS_")).sort(),
}));
const result = spawnSync(${JSON.stringify(hostBin)}, process.argv.slice(2), { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);
`;
    fs.writeFileSync(file, source, { mode: 0o755 });
    return file;
}
