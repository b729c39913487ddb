import * as assert from "node:assert/strict";
import { PROVER_SCRATCH_DIR } from "../../lambdas/shared/contracts";
import { DEFAULT_HOST_BIN, DEFAULT_TIMEOUT_SECONDS, parseRunnerConfig, RunnerEnv } from "../../prover/runner/config";

const S3_RUN: RunnerEnv = {
    INPUT_S3_BUCKET: "proofs",
    INPUT_S3_KEY: "sessions/s/e/input.json",
    OUTPUT_S3_BUCKET: "proofs",
    OUTPUT_S3_PREFIX: "sessions/s/e",
};

function problemsOf(env: RunnerEnv): string[] {
    const result = parseRunnerConfig(env);
    return result.ok ? [] : result.problems;
}

describe("prover runner: configuration", () => {
    it("applies the documented defaults", () => {
        assert.deepStrictEqual(parseRunnerConfig(S3_RUN), {
            ok: true,
            config: {
                input: { kind: "s3", bucket: "proofs", key: "sessions/s/e/input.json" },
                output: { bucket: "proofs", prefix: "sessions/s/e" },
                scratchDir: PROVER_SCRATCH_DIR,
                hostBin: DEFAULT_HOST_BIN,
                timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
                forcePathStyle: undefined,
                hostUser: undefined,
                context: { envName: undefined, proofBucket: undefined, proofPrefix: undefined },
            },
        });
        assert.strictEqual(DEFAULT_HOST_BIN, "/opt/zkvm/bin/host");
        assert.strictEqual(DEFAULT_TIMEOUT_SECONDS, 900);
    });

    it("takes every documented variable", () => {
        const result = parseRunnerConfig({
            INPUT_PATH: "/data/input.json",
            OUTPUT_S3_BUCKET: "out",
            OUTPUT_S3_PREFIX: "p/s/e",
            SCRATCH_DIR: "/work",
            HOST_BIN: "/usr/local/bin/host",
            ZKVM_TIMEOUT_SECONDS: "60",
            AWS_S3_FORCE_PATH_STYLE: "true",
            ZKVM_HOST_USER: "10001:10002",
            ENV_NAME: "main",
            S3_PROOF_BUCKET: "out",
            S3_PROOF_PREFIX: "p/",
        });
        assert.deepStrictEqual(result, {
            ok: true,
            config: {
                input: { kind: "file", path: "/data/input.json" },
                output: { bucket: "out", prefix: "p/s/e" },
                scratchDir: "/work",
                hostBin: "/usr/local/bin/host",
                timeoutSeconds: 60,
                forcePathStyle: true,
                hostUser: { uid: 10001, gid: 10002 },
                context: { envName: "main", proofBucket: "out", proofPrefix: "p/" },
            },
        });
    });

    const cases: { name: string; env: RunnerEnv; problems: string[] }[] = [
        {
            name: "a host user that is not numeric uid:gid",
            env: { ...S3_RUN, ZKVM_HOST_USER: "prover" },
            problems: ["ZKVM_HOST_USER must be a numeric uid:gid (got 'prover')"],
        },
        {
            name: "a root host user (it would read every process's environment)",
            env: { ...S3_RUN, ZKVM_HOST_USER: "10001:0" },
            problems: ["ZKVM_HOST_USER must not be root (uid or gid 0): the host would read every process's environment (got '10001:0')"],
        },
        {
            name: "nothing set",
            env: {},
            problems: ["an input is required: set INPUT_S3_BUCKET and INPUT_S3_KEY, or INPUT_PATH"],
        },
        {
            name: "an S3 input without OUTPUT_S3_BUCKET (prove-only is for local input)",
            env: { ...S3_RUN, OUTPUT_S3_BUCKET: undefined, OUTPUT_S3_PREFIX: undefined },
            problems: ["OUTPUT_S3_BUCKET is required when the input comes from S3 (prove-only needs INPUT_PATH)"],
        },
        {
            name: "a prefix without a bucket",
            env: { INPUT_PATH: "/in.json", OUTPUT_S3_PREFIX: "sessions/s/e" },
            problems: ["OUTPUT_S3_PREFIX is set but OUTPUT_S3_BUCKET is not (set both, or neither for prove-only)"],
        },
        {
            name: "a bucket without a prefix (empty counts as unset)",
            env: { ...S3_RUN, OUTPUT_S3_PREFIX: "" },
            problems: ["OUTPUT_S3_PREFIX is required"],
        },
        {
            name: "bucket names that S3 refuses (the stack config's rule)",
            env: { ...S3_RUN, INPUT_S3_BUCKET: "Proofs", OUTPUT_S3_BUCKET: "out-s3alias" },
            problems: [
                'INPUT_S3_BUCKET: "Proofs" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)',
                'OUTPUT_S3_BUCKET: "out-s3alias" is not a valid S3 bucket name (the suffix "-s3alias" is reserved)',
            ],
        },
        {
            name: "two inputs",
            env: { ...S3_RUN, INPUT_PATH: "/in.json" },
            problems: ["INPUT_PATH must not be set together with INPUT_S3_BUCKET/INPUT_S3_KEY (choose one input)"],
        },
        {
            name: "bucket without key",
            env: { ...S3_RUN, INPUT_S3_KEY: undefined },
            problems: ["INPUT_S3_KEY is required with INPUT_S3_BUCKET"],
        },
        {
            name: "key with an empty bucket",
            env: { ...S3_RUN, INPUT_S3_BUCKET: "" },
            problems: ["INPUT_S3_BUCKET is required with INPUT_S3_KEY"],
        },
        {
            name: "an empty INPUT_PATH and no S3 input",
            env: { ...S3_RUN, INPUT_S3_BUCKET: undefined, INPUT_S3_KEY: undefined, INPUT_PATH: "" },
            problems: ["an input is required: set INPUT_S3_BUCKET and INPUT_S3_KEY, or INPUT_PATH"],
        },
        {
            name: "prefix with a trailing slash",
            env: { ...S3_RUN, OUTPUT_S3_PREFIX: "sessions/s/e/" },
            problems: ["OUTPUT_S3_PREFIX must not end with '/' (got 'sessions/s/e/')"],
        },
        {
            name: "relative paths",
            env: { ...S3_RUN, SCRATCH_DIR: "scratch", HOST_BIN: "host" },
            problems: [
                "SCRATCH_DIR must be an absolute path (got 'scratch')",
                "HOST_BIN must be an absolute path (got 'host')",
            ],
        },
        ...["0", "-5", "1.5", "15m"].map((value) => ({
            name: `timeout '${value}'`,
            env: { ...S3_RUN, ZKVM_TIMEOUT_SECONDS: value },
            problems: [`ZKVM_TIMEOUT_SECONDS must be a positive whole number of seconds (got '${value}')`],
        })),
        {
            name: "path style not a boolean",
            env: { ...S3_RUN, AWS_S3_FORCE_PATH_STYLE: "yes" },
            problems: ["AWS_S3_FORCE_PATH_STYLE must be 'true' or 'false' (got 'yes')"],
        },
    ];
    for (const { name, env, problems } of cases) {
        it(`rejects ${name}`, () => {
            assert.deepStrictEqual(problemsOf(env), problems);
        });
    }

    it("counts every empty variable as unset, as the original image declares them (INPUT_PATH= ...)", () => {
        const result = parseRunnerConfig({
            ...S3_RUN,
            INPUT_PATH: "",
            SCRATCH_DIR: "",
            HOST_BIN: "",
            ZKVM_TIMEOUT_SECONDS: "",
            AWS_S3_FORCE_PATH_STYLE: "",
            ENV_NAME: "",
        });
        assert.deepStrictEqual(result, parseRunnerConfig(S3_RUN));
    });

    it("prove-only: a local input without OUTPUT_S3_BUCKET has no output target", () => {
        const result = parseRunnerConfig({ INPUT_PATH: "/data/input.json", OUTPUT_S3_BUCKET: "", OUTPUT_S3_PREFIX: "" });
        assert.ok(result.ok);
        assert.strictEqual(result.config.output, undefined);
    });

    it("reads AWS_S3_FORCE_PATH_STYLE=false as false, not as unset", () => {
        const result = parseRunnerConfig({ ...S3_RUN, AWS_S3_FORCE_PATH_STYLE: "false" });
        assert.ok(result.ok);
        assert.strictEqual(result.config.forcePathStyle, false);
    });
});
