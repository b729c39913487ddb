import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Metafile } from "esbuild";
import { bundleRunner } from "../../prover/bundleRunner";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { LocalS3, startLocalS3 } from "../../local/servers";
import { REPOSITORY_ROOT, runNode } from "./support/childProcess";
import { copyPaths, instructionsOf, isIgnored, parseDockerfile } from "./support/dockerfile";
import { SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import {
    assertOneError,
    BUCKET,
    createWorkspace,
    INPUT_KEY,
    listKeys,
    OUTPUT_PREFIX,
    putText,
    runnerEnv,
} from "./support/harness";

describe("prover image: the esbuild bundle of main.ts", function () {
    let directory: string;
    let bundle: string;
    let metafile: Metafile;

    before(async () => {
        // Outside the repository, so the bundle cannot fall back to its node_modules.
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "prover-bundle-"));
        bundle = path.join(directory, "prover-runner.js");
        metafile = await bundleRunner(bundle);
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("runs on its own and exits with the config code when the environment is missing", async () => {
        const result = await runNode([bundle], {});

        assert.strictEqual(result.code, EXIT_CODES.CONFIG_INVALID);
        assert.strictEqual(result.lines.length, 1);
        assertOneError(
            result.lines,
            "CONFIG_INVALID",
            "invalid configuration: an input is required: set INPUT_S3_BUCKET and INPUT_S3_KEY, or INPUT_PATH",
        );
    });

    it("proves end to end against s3rver with the bundled SDK", async () => {
        const s3: LocalS3 = await startLocalS3([BUCKET]);
        const workspace = createWorkspace();
        try {
            await putText(s3.client, INPUT_KEY, JSON.stringify(SAMPLE_INPUT));

            const env = { ...s3.env, ...runnerEnv(workspace) };
            const result = await runNode([bundle], env);

            assert.strictEqual(result.code, EXIT_CODES.SUCCESS, result.stderr);
            assert.deepStrictEqual(
                await listKeys(s3.client),
                [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`),
            );
        } finally {
            workspace.cleanup();
            await s3.stop();
        }
    });

    it("draws only on sources the image build copies into its context, and never on Pulumi", () => {
        const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPOSITORY_ROOT, "prover/Dockerfile"), "utf8"));
        const dockerignore = fs.readFileSync(path.join(REPOSITORY_ROOT, ".dockerignore"), "utf8");
        const copied = instructionsOf(dockerfile.stages.find((stage) => stage.name === "build")!, "COPY").flatMap(
            (instruction) => copyPaths(instruction).sources,
        );
        const inputs = Object.keys(metafile.inputs);
        const ownSources = inputs.filter((input) => !input.startsWith("node_modules/"));

        assert.ok(ownSources.includes("prover/runner/main.ts"));
        assert.ok(ownSources.includes("lambdas/shared/contracts.ts"));
        for (const source of ownSources) {
            assert.ok(
                copied.some((copiedPath) => source.startsWith(copiedPath)),
                `${source} is not copied by the build stage`,
            );
            assert.strictEqual(isIgnored(dockerignore, source), false, `${source} is excluded by .dockerignore`);
        }
        assert.deepStrictEqual(
            inputs.filter((input) => input.includes("@pulumi/") || input.startsWith("components/")),
            [],
        );
    });
});
