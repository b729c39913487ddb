import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVER_HOST_USER, PROVER_RUNNER_USER, PROVER_SCRATCH_DIR } from "../../lambdas/shared/contracts";
import { RUNNER_ENTRY_POINT } from "../../prover/bundleRunner";
import { DEFAULT_HOST_BIN } from "../../prover/runner/config";
import { REPOSITORY_ROOT } from "./support/childProcess";
import { copyPaths, Instruction, instructionsOf, isIgnored, parseDockerfile, Stage } from "./support/dockerfile";

const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPOSITORY_ROOT, "prover/Dockerfile"), "utf8"));
const dockerignore = fs.readFileSync(path.join(REPOSITORY_ROOT, ".dockerignore"), "utf8");

function stage(name: string): Stage {
    const found = dockerfile.stages.find((candidate) => candidate.name === name);
    assert.ok(found, `stage ${name} is missing`);
    return found;
}

/** The one instruction of the stage matching `predicate`. */
function single(
    stageName: string,
    keyword: string,
    predicate: (instruction: Instruction) => boolean = () => true,
): Instruction {
    const matches = instructionsOf(stage(stageName), keyword).filter(predicate);
    assert.strictEqual(matches.length, 1, `expected one ${keyword} in ${stageName}, found ${matches.length}`);
    return matches[0];
}

/** Where the build stage writes the bundle: the argument after the bundling script. */
function bundleOutfile(): string {
    const run = single("build", "RUN", (instruction) => instruction.args.includes("prover/bundleRunner.ts"));
    const match = /^node -r ts-node\/register\/transpile-only prover\/bundleRunner\.ts (\S+)/.exec(run.args);
    assert.ok(match, run.args);
    return match[1];
}

describe("prover image: Dockerfile", () => {
    it("declares ARG ZKVM_HOST_IMAGE before the first FROM and takes the host stage from it", () => {
        assert.deepStrictEqual(dockerfile.preamble, [{ keyword: "ARG", flags: {}, args: "ZKVM_HOST_IMAGE", arguments: ["ZKVM_HOST_IMAGE"] }]);
        assert.strictEqual(dockerfile.stages[0].image, "${ZKVM_HOST_IMAGE}");
    });

    it("has the host, build and runtime stages on the chosen bases", () => {
        assert.deepStrictEqual(
            dockerfile.stages.map(({ name, image }) => ({ name, image })),
            [
                { name: "zkvm-host", image: "${ZKVM_HOST_IMAGE}" },
                { name: "build", image: "node:22-bookworm-slim" },
                { name: "runtime", image: "gcr.io/distroless/nodejs22-debian12:nonroot" },
            ],
        );
    });

    it("hard-codes no platform: only the build stage runs on the builder's own ($BUILDPLATFORM)", () => {
        assert.deepStrictEqual(
            dockerfile.stages.map((candidate) => candidate.from.flags),
            [{}, { platform: "$BUILDPLATFORM" }, {}],
        );
    });

    it("installs with npm ci from the root lockfile, then bundles main.ts with the tested esbuild script", () => {
        const build = stage("build").instructions;
        const lockfileCopy = build.findIndex(
            (instruction) => instruction.keyword === "COPY" && instruction.args === "package.json package-lock.json ./",
        );
        const install = build.findIndex(
            (instruction) => instruction.keyword === "RUN" && /^npm ci\b/.test(instruction.args),
        );
        const bundle = build.findIndex((instruction) => instruction.args.includes("prover/bundleRunner.ts"));
        assert.ok(lockfileCopy >= 0, "package.json and package-lock.json are copied on their own");
        assert.ok(lockfileCopy < install && install < bundle, `order ${lockfileCopy}/${install}/${bundle}`);
        assert.strictEqual(RUNNER_ENTRY_POINT, "prover/runner/main.ts");
        assert.strictEqual(bundleOutfile(), "/out/prover-runner.js");
    });

    it("makes the entrypoint run exactly the file the build stage produced", () => {
        const copy = single(
            "runtime",
            "COPY",
            (instruction) => instruction.flags.from === "build" && instruction.args.startsWith(bundleOutfile()),
        );
        const { sources, destination } = copyPaths(copy);
        assert.deepStrictEqual(sources, [bundleOutfile()]);
        assert.deepStrictEqual(JSON.parse(single("runtime", "ENTRYPOINT").args), ["/nodejs/bin/node", destination]);
        assert.strictEqual(copy.flags.chmod, "0444");
    });

    it("copies the host binary, r0vm and the RISC Zero settings from the host image, read-only", () => {
        const copies = instructionsOf(stage("runtime"), "COPY")
            .filter((instruction) => instruction.flags.from === "zkvm-host")
            .map((instruction) => ({ ...copyPaths(instruction), chmod: instruction.flags.chmod }));
        assert.deepStrictEqual(copies, [
            { sources: ["${ZKVM_HOST_BINARY_PATH}"], destination: DEFAULT_HOST_BIN, chmod: "0555" },
            { sources: ["${ZKVM_R0VM_PATH}"], destination: "/opt/risc0/bin/r0vm", chmod: "0555" },
            { sources: ["${ZKVM_RISC0_SETTINGS_PATH}"], destination: "/opt/risc0/settings.toml", chmod: "0444" },
        ]);
        // Defaults: where the original's prover image keeps them (docker/Dockerfile.fargate-prover).
        assert.deepStrictEqual(
            instructionsOf(stage("runtime"), "ARG").map((instruction) => instruction.args),
            [
                `ZKVM_HOST_BINARY_PATH=${DEFAULT_HOST_BIN}`,
                "ZKVM_R0VM_PATH=/root/.cargo/bin/r0vm",
                "ZKVM_RISC0_SETTINGS_PATH=/root/.risc0/settings.toml",
            ],
        );
    });

    it("gives the host the RISC Zero runtime environment a non-root user can use", () => {
        assert.deepStrictEqual(single("runtime", "ENV").arguments, [
            "NODE_ENV=production",
            `HOME=${PROVER_SCRATCH_DIR}`,
            "PATH=/opt/zkvm/bin:/opt/risc0/bin:/usr/local/bin:/usr/bin:/bin",
            "RISC0_SERVER_PATH=/opt/risc0/bin/r0vm",
            "RISC0_HOME=/opt/risc0",
            "RUST_LOG=info",
            `ZKVM_HOST_USER=${PROVER_HOST_USER}`,
        ]);
        // Never dev mode: RISC0_DEV_MODE makes RISC Zero return fake receipts.
        assert.ok(!single("runtime", "ENV").args.includes("RISC0_DEV_MODE"));
    });

    it("starts the runner as root (PROVER_RUNNER_USER) and names the host's own user (ZKVM_HOST_USER = PROVER_HOST_USER)", () => {
        const runtime = stage("runtime").instructions;
        const users = instructionsOf(stage("runtime"), "USER").map((instruction) => instruction.args);
        assert.deepStrictEqual(users, [PROVER_RUNNER_USER]);
        assert.strictEqual(PROVER_RUNNER_USER, "0:0");
        assert.strictEqual(PROVER_HOST_USER, "10001:10001");
        assert.ok(single("runtime", "ENV").args.includes(`ZKVM_HOST_USER=${PROVER_HOST_USER}`));
        const userIndex = runtime.findIndex((instruction) => instruction.keyword === "USER");
        const entrypointIndex = runtime.findIndex((instruction) => instruction.keyword === "ENTRYPOINT");
        assert.ok(userIndex < entrypointIndex);
        // Distroless has no shell: a RUN there would fail the build.
        assert.deepStrictEqual(instructionsOf(stage("runtime"), "RUN"), []);
    });

    it("makes /scratch the working directory and only volume, owned by root (the runner hands the host its part)", () => {
        assert.strictEqual(single("runtime", "WORKDIR").args, PROVER_SCRATCH_DIR);
        assert.deepStrictEqual(JSON.parse(single("runtime", "VOLUME").args), [PROVER_SCRATCH_DIR]);
        const scratchCopy = single(
            "runtime",
            "COPY",
            (instruction) => copyPaths(instruction).destination === PROVER_SCRATCH_DIR,
        );
        assert.deepStrictEqual(scratchCopy.flags, { from: "build" });
    });
});

describe("prover image: build context (.dockerignore)", () => {
    const buildSources = instructionsOf(stage("build"), "COPY").flatMap(
        (instruction) => copyPaths(instruction).sources,
    );

    it("keeps node_modules, .git, tests, build output and stack files out", () => {
        for (const excluded of [
            "node_modules/esbuild/package.json",
            "policy-pack/node_modules/x/index.js",
            ".git/HEAD",
            "tests/prover/dockerfile.test.ts",
            "build/api/index.js",
            "dist/index.js",
            "Pulumi.develop.yaml",
            "prover/runner/something.test.ts",
            ".env",
        ]) {
            assert.strictEqual(isIgnored(dockerignore, excluded), true, excluded);
        }
    });

    it("keeps every file the build stage copies, and each of them exists", () => {
        assert.deepStrictEqual(buildSources, [
            "package.json",
            "package-lock.json",
            "tsconfig.json",
            "lambdas/shared/",
            "prover/",
        ]);
        for (const source of buildSources) {
            const absolute = path.join(REPOSITORY_ROOT, source);
            assert.ok(fs.existsSync(absolute), `${source} does not exist`);
            const files = fs.statSync(absolute).isDirectory()
                ? fs
                      .readdirSync(absolute, { recursive: true, encoding: "utf8" })
                      .map((file) => path.posix.join(source, file))
                : [source];
            for (const file of files.filter((candidate) => !candidate.endsWith(".test.ts"))) {
                assert.strictEqual(isIgnored(dockerignore, file.replace(/\/$/, "")), false, `${file} is excluded`);
            }
        }
    });
});
