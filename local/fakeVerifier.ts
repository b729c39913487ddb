/**
 * A stand-in for the native verifier the verifier-service-runner Lambda runs from its layer
 * (`bin/verifier-service`), speaking the same command line:
 *
 *   verifier-service verify --bundle <dir> --image-id <[0x]64 hex> --output <report.json>
 *
 * It writes a JSON report `{status: "success" | "failed" | "dev_mode", ...}` and exits as the real
 * binary does (the application's `verifier-service/src/main.rs`, `report_error_and_exit`): 0 for
 * `success`, 2 for `dev_mode`, 3 for `failed`; exit 1 (a message on stderr) on a general error: a
 * missing or unknown option, an image id that is not 64 hex digits (a `0x` prefix is allowed, as
 * `parse_image_id_from_str` in its `src/lib.rs` strips it), a bundle without `receipt.json`.
 *
 * It reads the bundle as prover/README.md publishes it: `receipt.json` is the host's receipt file
 * `{receipt, image_id}` (image id as `0x` + 64 hex, see local/fakeHost.ts). Its verdict:
 * - `failed` when the receipt's image id is not the expected one (a proof of another guest program);
 * - `dev_mode` when the receipt is a RISC Zero dev-mode receipt (`receipt.inner.Fake`), which proves nothing;
 * - `success` otherwise. The fake host's placeholder receipt passes, because checking the seal itself
 *   is what the real binary does and no stand-in can.
 *
 * The mode is baked into the file when written (the runner gives the binary a clean environment, so
 * an environment variable could not reach it): `crash` exits 1 as the real binary does on a general
 * error, `hang` never ends, `garbage-report` exits 0 with a report that is not JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type FakeVerifierMode = "honest" | "crash" | "hang" | "garbage-report";

function source(mode: FakeVerifierMode): string {
    // The shebang names this Node.js, because the runner's clean PATH may hold none.
    return `#!${process.execPath}
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const MODE = ${JSON.stringify(mode)};
function die(message) {
    process.stderr.write("Error: " + message + "\\n");
    process.exit(1);
}
const args = process.argv.slice(2);
if (args[0] !== "verify") die("usage: verifier-service verify --bundle <dir> --image-id <hex> --output <file>");
const options = {};
for (let i = 1; i < args.length; i += 2) {
    const name = args[i];
    if (!["--bundle", "--image-id", "--output"].includes(name)) die("unknown option " + name);
    if (args[i + 1] === undefined) die("missing value for " + name);
    options[name] = args[i + 1];
}
for (const name of ["--bundle", "--image-id", "--output"]) if (options[name] === undefined) die("missing option " + name);
if (MODE === "crash") die("verifier panicked: simulated crash");
if (MODE === "hang") setInterval(() => undefined, 1000);
else {
    if (MODE === "garbage-report") {
        fs.writeFileSync(options["--output"], "not json");
        process.exit(0);
    }
    const expected = options["--image-id"].trim().replace(/^0x/, "").toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(expected)) die("--image-id must be 64 hex digits");
    let file;
    try {
        file = JSON.parse(fs.readFileSync(path.join(options["--bundle"], "receipt.json"), "utf8"));
    } catch (error) {
        die("cannot read receipt.json: " + error.message);
    }
    const actual = String(file.image_id || "").replace(/^0x/, "").toLowerCase();
    const devMode = Boolean(file.receipt && file.receipt.inner && file.receipt.inner.Fake);
    const status = actual !== expected ? "failed" : devMode ? "dev_mode" : "success";
    const report = { status, imageId: actual, expectedImageId: expected, error: status === "failed" ? "image id mismatch" : null };
    fs.writeFileSync(options["--output"], JSON.stringify(report, null, 2) + "\\n");
    if (status === "dev_mode") {
        process.stderr.write("verification completed in dev mode (receipt rejected)\\n");
        process.exit(2);
    }
    if (status === "failed") {
        process.stderr.write("verification failed\\n  - image id mismatch\\n");
        process.exit(3);
    }
    process.exit(0);
}
`;
}

/** Writes `<layerDir>/bin/verifier-service` (mode 755) and returns its path. */
export function writeFakeVerifier(layerDir: string, mode: FakeVerifierMode = "honest"): string {
    const bin = path.join(layerDir, "bin", "verifier-service");
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    fs.writeFileSync(bin, source(mode), { mode: 0o755 });
    fs.chmodSync(bin, 0o755);
    return bin;
}
