/**
 * Lambda bundles: files in a build folder (not text in the state), minified with a source map,
 * byte-for-byte reproducible, cached by the content of their inputs.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_FILES, LOADER_SOURCE, PROJECT_ROOT, bundleHandler, bundleHash, handlerArchive } from "../../components/lambdaCode";

const FIXTURE = "tests/components/fixtures/throwingHandler.ts";
const read = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name))]));

describe("Lambda code bundles (components/lambdaCode.ts)", function () {
    this.timeout(60_000);
    const temporary: string[] = [];
    const tempDir = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundles-"));
        temporary.push(dir);
        return dir;
    };
    after(() => {
        for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("two cold builds of a handler give the same bytes and the same hash", () => {
        const [first, second] = [tempDir(), tempDir()].map((buildDir) => bundleHandler("lambdas/finalize-callback/index.ts", { buildDir }));
        assert.equal(first.cached, false);
        assert.equal(second.cached, false);
        assert.deepEqual(read(first.dir), read(second.dir));
        assert.equal(first.hash, second.hash);
        assert.equal(first.hash, bundleHash(read(first.dir)));
        assert.deepEqual(Object.keys(read(first.dir)), ["handler.js", "handler.js.map", "index.js"]);
    });

    it("is minified, links its map, and the map names the project-relative sources only", () => {
        const bundle = bundleHandler("lambdas/finalize-callback/index.ts", { buildDir: tempDir() });
        const code = fs.readFileSync(path.join(bundle.dir, BUNDLE_FILES.code), "utf8");
        assert.ok(code.endsWith("//# sourceMappingURL=handler.js.map\n"));
        // Minified: long lines (newlines survive only inside template literals), not one statement per line.
        const lines = code.split("\n").length;
        assert.ok(code.length / lines > 2000, `${lines} lines for ${code.length} bytes`);
        const map = JSON.parse(fs.readFileSync(path.join(bundle.dir, BUNDLE_FILES.map), "utf8"));
        assert.ok(map.sources.includes("../../../lambdas/finalize-callback/index.ts"), map.sources.slice(0, 5).join(", "));
        assert.equal(map.sourcesContent, undefined);
        assert.ok(map.sources.every((s: string) => !path.isAbsolute(s) && !s.includes(PROJECT_ROOT)), "absolute source path in the map");
        assert.equal(fs.readFileSync(path.join(bundle.dir, BUNDLE_FILES.loader), "utf8"), LOADER_SOURCE);
        assert.equal(bundle.codeBytes, Buffer.byteLength(code));
    });

    it("a thrown error's stack names the TypeScript source line, without NODE_OPTIONS", () => {
        const bundle = bundleHandler(FIXTURE, { buildDir: tempDir() });
        const script = `require(${JSON.stringify(path.join(bundle.dir, "index.js"))}).handler().catch((e) => { console.log(e.stack); });`;
        const env = { ...process.env };
        delete env.NODE_OPTIONS;
        const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /Error: fixture failure v1\n\s+at .*tests\/components\/fixtures\/throwingHandler\.ts:4:\d+/);
    });

    it("each deployed handler loads through the archive's index.js and exports handler", () => {
        const entries = ["lambdas/api/index.ts", "lambdas/prover-dispatch/index.ts", "lambdas/finalize-callback/index.ts", "lambdas/check-image-signature/index.ts"];
        const dirs = entries.map((entry) => bundleHandler(entry).dir);
        // A fresh process, as the runtime loads it: no ts-node, no project modules, only the archive.
        const script = `for (const d of ${JSON.stringify(dirs)}) console.log(typeof require(d + "/index.js").handler);`;
        const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: os.tmpdir() });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "function\n".repeat(entries.length));
    });

    it("an unchanged handler comes from the cache; a changed input is rebuilt", () => {
        // The fixture lives in a git-ignored folder under the project, where esbuild resolves it.
        const sourceDir = path.join(PROJECT_ROOT, "build", "test-fixtures", `cache-${process.pid}`);
        fs.mkdirSync(sourceDir, { recursive: true });
        temporary.push(sourceDir);
        fs.writeFileSync(path.join(sourceDir, "index.ts"), 'import { value } from "./dep";\nexport const handler = async () => value;\n');
        fs.writeFileSync(path.join(sourceDir, "dep.ts"), 'export const value = "one";\n');
        const entry = path.relative(PROJECT_ROOT, path.join(sourceDir, "index.ts"));
        const buildDir = tempDir();

        const cold = bundleHandler(entry, { buildDir });
        const codeFile = path.join(cold.dir, BUNDLE_FILES.code);
        const writtenAt = fs.statSync(codeFile).mtimeMs;
        const warm = bundleHandler(entry, { buildDir });
        assert.deepEqual([cold.cached, warm.cached], [false, true]);
        assert.equal(warm.hash, cold.hash);
        assert.equal(fs.statSync(codeFile).mtimeMs, writtenAt, "a cached bundle was rewritten");

        fs.writeFileSync(path.join(sourceDir, "dep.ts"), 'export const value = "two";\n');
        const changed = bundleHandler(entry, { buildDir });
        assert.equal(changed.cached, false);
        assert.notEqual(changed.hash, cold.hash);
        assert.match(fs.readFileSync(codeFile, "utf8"), /"two"/);

        // A tampered output is not trusted either.
        fs.appendFileSync(codeFile, "\n// edited");
        assert.equal(bundleHandler(entry, { buildDir }).cached, false);
        // Nor is a stray file that would be shipped in the archive.
        fs.writeFileSync(path.join(changed.dir, "stray.txt"), "x");
        const cleaned = bundleHandler(entry, { buildDir });
        assert.equal(cleaned.cached, false);
        assert.deepEqual(fs.readdirSync(cleaned.dir).sort(), ["handler.js", "handler.js.map", "index.js"]);
    });

    it("the function's code is a FileArchive of the bundle directory, not text", async () => {
        const archive = handlerArchive("lambdas/finalize-callback/index.ts");
        assert.ok(archive instanceof pulumi.asset.FileArchive);
        assert.equal(await archive.path, path.join(PROJECT_ROOT, "build", "lambdas", "lambdas-finalize-callback-index"));
        assert.equal("assets" in archive, false);
    });

    it("names a missing entry", () => {
        assert.throws(() => bundleHandler("lambdas/nope/index.ts"), /Lambda entry lambdas\/nope\/index\.ts does not exist/);
    });
});
