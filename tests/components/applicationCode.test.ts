import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yazl from "yazl";
import { applicationArchiveDir, assembleApplicationArchive, resolveApplicationBuild } from "../../components/applicationCode";

function zipOf(files: Record<string, string>, file: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const zip = new yazl.ZipFile();
        for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
        zip.end();
        zip.outputStream.pipe(fs.createWriteStream(file)).on("finish", () => resolve()).on("error", reject);
    });
}

describe("application build archives (components/applicationCode.ts)", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "app-archive-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("unpacks a .zip build under app/ beside the wrapper bundle", async () => {
        const zip = path.join(tmp, "build.zip");
        await zipOf({ "handler/index.mjs": "export const handler = 1;", "node_modules/x/index.js": "module.exports = 2;" }, zip);
        const dir = await assembleApplicationArchive({ path: zip, handler: "handler/index.handler" }, "applicationBuilds.api", path.join(tmp, "out"));
        assert.equal(dir, applicationArchiveDir("applicationBuilds.api", path.join(tmp, "out")));
        assert.deepEqual(fs.readdirSync(dir).sort(), ["app", "handler.js", "handler.js.map", "index.js"]);
        assert.equal(fs.readFileSync(path.join(dir, "app", "handler", "index.mjs"), "utf8"), "export const handler = 1;");
        assert.equal(fs.readFileSync(path.join(dir, "app", "node_modules", "x", "index.js"), "utf8"), "module.exports = 2;");
    });

    it("a rebuild replaces what an earlier build left", async () => {
        const build = path.join(tmp, "build");
        fs.mkdirSync(build);
        fs.writeFileSync(path.join(build, "old.js"), "old");
        const out = path.join(tmp, "out");
        await assembleApplicationArchive({ path: build, handler: "old.handler" }, "applicationBuilds.api", out);
        fs.rmSync(path.join(build, "old.js"));
        fs.writeFileSync(path.join(build, "new.js"), "new");
        const dir = await assembleApplicationArchive({ path: build, handler: "new.handler" }, "applicationBuilds.api", out);
        assert.deepEqual(fs.readdirSync(path.join(dir, "app")), ["new.js"]);
    });

    it("concurrent assemblies of one key (parallel test workers) each leave a whole archive, never a mix or a half", async () => {
        const out = path.join(tmp, "out");
        // Zips: their extraction is asynchronous, so the four assemblies interleave.
        const builds = await Promise.all(
            ["one", "two", "three", "four"].map(async (name) => {
                const zip = path.join(tmp, `${name}.zip`);
                await zipOf({ [`${name}.js`]: name, "lib/common.js": name }, zip);
                return zip;
            }),
        );
        const dirs = await Promise.all(builds.map((build) => assembleApplicationArchive({ path: build, handler: "lib/common.handler" }, "applicationBuilds.api", out)));
        const dir = applicationArchiveDir("applicationBuilds.api", out);
        assert.deepEqual(dirs, [dir, dir, dir, dir]);
        const app = fs.readdirSync(path.join(dir, "app")).sort();
        assert.equal(app.length, 2);
        const winner = app.find((f) => f !== "lib")!.replace(/\.js$/, "");
        assert.equal(fs.readFileSync(path.join(dir, "app", "lib", "common.js"), "utf8"), winner);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["app", "handler.js", "handler.js.map", "index.js"]);
        // No staging directory is left behind.
        assert.deepEqual(fs.readdirSync(path.dirname(dir)), [path.basename(dir)]);
    });

    it("names the config key when the build is missing or not a directory or .zip", () => {
        assert.throws(() => resolveApplicationBuild({ path: path.join(tmp, "nope"), handler: "a.b" }, "applicationBuilds.api"), /^Error: applicationBuilds\.api\.path .*nope does not exist/);
        fs.writeFileSync(path.join(tmp, "app.tar"), "");
        assert.throws(() => resolveApplicationBuild({ path: path.join(tmp, "app.tar"), handler: "a.b" }, "applicationBuilds.finalizeCallback"), /applicationBuilds\.finalizeCallback\.path .*app\.tar must be a directory or a \.zip file/);
    });
});
