/** The `verifier` config key: parsed into settings, every problem named with its key; the layer artifact checked. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveVerifierLayer } from "../../components/proofVerifier";
import { parseStackConfig } from "../../stacks/config";
import { problemsOf, rawDevelop } from "./support/rawConfig";

const KEY = "stark-ballot-simulator:verifier";
const IMAGE_ID = "5a".repeat(32);


describe("config: verifier", () => {
    it("absent: no verification step", () => {
        assert.equal(parseStackConfig(rawDevelop({})).verifier, undefined);
    });

    it("parses layer, architecture and image id", () => {
        const verifier = { layer: "layers/verifier.zip", architecture: "x86_64", imageId: IMAGE_ID };
        assert.deepEqual(parseStackConfig(rawDevelop({ verifier })).verifier, verifier);
    });

    const cases: [string, unknown, string[]][] = [
        ["not an object", "layers/verifier.zip", [`${KEY}: must be an object {layer, architecture, imageId}`]],
        [
            "every field wrong at once",
            { layer: "", architecture: "arm", imageId: `0x${IMAGE_ID}`, extra: true },
            [
                `${KEY}.extra: unknown key (allowed: layer, architecture, imageId)`,
                `${KEY}.layer: required: a directory or .zip holding bin/verifier-service`,
                `${KEY}.architecture: must be one of arm64, x86_64 (the binary's), got "arm"`,
                `${KEY}.imageId: must be the zkVM image id as 64 lower-case hex digits without 0x, got "0x${IMAGE_ID}"`,
            ],
        ],
        ["an upper-case image id", { layer: "l", architecture: "arm64", imageId: IMAGE_ID.toUpperCase() }, [`${KEY}.imageId: must be the zkVM image id as 64 lower-case hex digits without 0x, got "${IMAGE_ID.toUpperCase()}"`]],
        ["a short image id", { layer: "l", architecture: "arm64", imageId: "ab" }, [`${KEY}.imageId: must be the zkVM image id as 64 lower-case hex digits without 0x, got "ab"`]],
    ];
    for (const [what, verifier, expected] of cases) {
        it(`rejects ${what}`, () => {
            assert.deepEqual(problemsOf({ verifier }), expected);
        });
    }

    describe("the layer artifact (checked before any resource is registered)", () => {
        let dir: string;
        beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "verifier-layer-"))));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("accepts a directory with an executable bin/verifier-service, and a .zip", () => {
            fs.mkdirSync(path.join(dir, "layer", "bin"), { recursive: true });
            fs.writeFileSync(path.join(dir, "layer", "bin", "verifier-service"), "x", { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "layer.zip"), "zip");
            assert.equal(resolveVerifierLayer(path.join(dir, "layer"), KEY), path.join(dir, "layer"));
            assert.equal(resolveVerifierLayer(path.join(dir, "layer.zip"), KEY), path.join(dir, "layer.zip"));
            assert.equal(resolveVerifierLayer("tests/fixtures/verifier-layer", KEY), path.resolve(__dirname, "..", "fixtures", "verifier-layer"));
        });

        it("rejects a missing path, a directory without the binary, a binary that cannot run, another file", () => {
            const missing = path.join(dir, "nope");
            assert.throws(() => resolveVerifierLayer(missing, KEY), { message: `${KEY}.layer: ${missing} does not exist (resolved to ${missing})` });
            fs.mkdirSync(path.join(dir, "empty"));
            assert.throws(() => resolveVerifierLayer(path.join(dir, "empty"), KEY), {
                message: `${KEY}.layer: ${path.join(dir, "empty")} must hold bin/verifier-service (Lambda extracts it to /opt/bin/verifier-service)`,
            });
            fs.mkdirSync(path.join(dir, "noexec", "bin"), { recursive: true });
            fs.writeFileSync(path.join(dir, "noexec", "bin", "verifier-service"), "x", { mode: 0o644 });
            assert.throws(() => resolveVerifierLayer(path.join(dir, "noexec"), KEY), { message: `${KEY}.layer: ${path.join(dir, "noexec")}/bin/verifier-service must be executable` });
            fs.writeFileSync(path.join(dir, "layer.tar"), "x");
            assert.throws(() => resolveVerifierLayer(path.join(dir, "layer.tar"), KEY), { message: `${KEY}.layer: ${path.join(dir, "layer.tar")} must be a directory or a .zip file` });
        });
    });
});
