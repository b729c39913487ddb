import * as path from "node:path";
import { PROVER_SCRATCH_DIR } from "../../lambdas/shared/contracts";
import { bucketNameProblem } from "../../lambdas/shared/rules";

/** Where the image puts the zkVM host binary (see prover/Dockerfile). */
export const DEFAULT_HOST_BIN = "/opt/zkvm/bin/host";
/** SPEC §1: the host gets 900 s. */
export const DEFAULT_TIMEOUT_SECONDS = 900;

export type RunnerEnv = Readonly<Record<string, string | undefined>>;

export type InputSource = { kind: "s3"; bucket: string; key: string } | { kind: "file"; path: string };

/** Where the published set goes. */
export interface OutputTarget {
    bucket: string;
    /** `{prefix}{sessionId}/{executionId}`, no trailing slash; objects go to `${prefix}/${name}`. */
    prefix: string;
}

export interface RunnerConfig {
    input: InputSource;
    /**
     * Undefined is the prove-only mode (no `OUTPUT_S3_BUCKET`, local input only): the artifacts and
     * bundle.zip are built and checked in scratch, nothing is uploaded. See prover/README.md.
     */
    output: OutputTarget | undefined;
    scratchDir: string;
    hostBin: string;
    timeoutSeconds: number;
    /** From `AWS_S3_FORCE_PATH_STYLE`; undefined leaves the SDK default. */
    forcePathStyle: boolean | undefined;
    /**
     * From `ZKVM_HOST_USER` (`uid:gid`, numeric, not root): the user the zkVM host runs as, apart
     * from the runner, so it cannot read the runner's environment or memory and so cannot reach the
     * task's AWS credentials (see host.ts, prover/README.md "Credential isolation"). Undefined runs
     * the host as the runner's own user (local use without credentials only).
     */
    hostUser: HostUser | undefined;
    /** Set on the task definition; logged so a run can be placed, not needed to run. */
    context: { envName?: string; proofBucket?: string; proofPrefix?: string };
}

export interface HostUser {
    uid: number;
    gid: number;
}

export type ConfigResult = { ok: true; config: RunnerConfig } | { ok: false; problems: string[] };

/**
 * Reads the runner's configuration from its environment. Pure: reports every problem at once, each
 * naming the variable and the rule, so one failed task shows everything that is wrong.
 */
export function parseRunnerConfig(rawEnv: RunnerEnv): ConfigResult {
    const env = withoutEmptyValues(rawEnv);
    const problems: string[] = [];
    const required = (name: string): string => {
        const value = env[name];
        if (value === undefined || value === "") {
            problems.push(`${name} is required`);
            return "";
        }
        return value;
    };
    const absolutePath = (name: string, fallback: string): string => {
        const value = env[name] ?? fallback;
        if (!path.isAbsolute(value)) {
            problems.push(`${name} must be an absolute path (got '${value}')`);
        }
        return value;
    };

    const input = parseInputSource(env, problems);
    const output = parseOutputTarget(env, input, required, problems);
    const scratchDir = absolutePath("SCRATCH_DIR", PROVER_SCRATCH_DIR);
    const hostBin = absolutePath("HOST_BIN", DEFAULT_HOST_BIN);
    const timeoutSeconds = parseTimeout(env.ZKVM_TIMEOUT_SECONDS, problems);
    const forcePathStyle = parseBoolean("AWS_S3_FORCE_PATH_STYLE", env.AWS_S3_FORCE_PATH_STYLE, problems);
    const hostUser = parseHostUser(env.ZKVM_HOST_USER, problems);

    if (problems.length > 0 || input === undefined) {
        return { ok: false, problems };
    }
    return {
        ok: true,
        config: {
            input,
            output,
            scratchDir,
            hostBin,
            timeoutSeconds,
            forcePathStyle,
            hostUser,
            context: { envName: env.ENV_NAME, proofBucket: env.S3_PROOF_BUCKET, proofPrefix: env.S3_PROOF_PREFIX },
        },
    };
}

/**
 * An empty variable counts as unset: the original image declares `INPUT_PATH=`, `OUTPUT_S3_BUCKET=`
 * and friends empty, and a task definition may do the same.
 */
function withoutEmptyValues(env: RunnerEnv): RunnerEnv {
    const result: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(env)) {
        if (value !== undefined && value !== "") result[name] = value;
    }
    return result;
}

/**
 * `OUTPUT_S3_BUCKET` unset means prove-only, but only for a local `INPUT_PATH`: the deployed task
 * always reads its input from S3, and there a forgotten bucket must fail the task (CONFIG_INVALID)
 * instead of exiting 0 with nothing published, which Step Functions would count as a proof.
 */
function parseOutputTarget(
    env: RunnerEnv,
    input: InputSource | undefined,
    required: (name: string) => string,
    problems: string[],
): OutputTarget | undefined {
    if (env.OUTPUT_S3_BUCKET === undefined) {
        if (input?.kind === "s3") {
            problems.push("OUTPUT_S3_BUCKET is required when the input comes from S3 (prove-only needs INPUT_PATH)");
        }
        if (env.OUTPUT_S3_PREFIX !== undefined) {
            problems.push("OUTPUT_S3_PREFIX is set but OUTPUT_S3_BUCKET is not (set both, or neither for prove-only)");
        }
        return undefined;
    }
    const bucket = env.OUTPUT_S3_BUCKET;
    checkBucketName("OUTPUT_S3_BUCKET", bucket, problems);
    const prefix = required("OUTPUT_S3_PREFIX");
    if (prefix.endsWith("/")) {
        problems.push(`OUTPUT_S3_PREFIX must not end with '/' (got '${prefix}')`);
    }
    return { bucket, prefix };
}

function parseInputSource(env: RunnerEnv, problems: string[]): InputSource | undefined {
    const bucket = env.INPUT_S3_BUCKET;
    const key = env.INPUT_S3_KEY;
    const localPath = env.INPUT_PATH;
    const fromS3 = bucket !== undefined || key !== undefined;
    if (fromS3 && localPath !== undefined) {
        problems.push("INPUT_PATH must not be set together with INPUT_S3_BUCKET/INPUT_S3_KEY (choose one input)");
        return undefined;
    }
    if (localPath !== undefined) {
        return { kind: "file", path: path.resolve(localPath) };
    }
    if (!fromS3) {
        problems.push("an input is required: set INPUT_S3_BUCKET and INPUT_S3_KEY, or INPUT_PATH");
        return undefined;
    }
    const before = problems.length;
    if (!bucket) problems.push("INPUT_S3_BUCKET is required with INPUT_S3_KEY");
    else checkBucketName("INPUT_S3_BUCKET", bucket, problems);
    if (!key) problems.push("INPUT_S3_KEY is required with INPUT_S3_BUCKET");
    return problems.length === before ? { kind: "s3", bucket: bucket!, key: key! } : undefined;
}

/** The stack config's bucket-name rule (lambdas/shared/rules.ts): a wrong name fails as CONFIG_INVALID, before the host runs. */
function checkBucketName(name: string, bucket: string, problems: string[]): void {
    const problem = bucketNameProblem(bucket);
    if (problem !== undefined) problems.push(`${name}: ${problem}`);
}

function parseTimeout(raw: string | undefined, problems: string[]): number {
    if (raw === undefined) {
        return DEFAULT_TIMEOUT_SECONDS;
    }
    if (!/^[1-9][0-9]*$/.test(raw)) {
        problems.push(`ZKVM_TIMEOUT_SECONDS must be a positive whole number of seconds (got '${raw}')`);
        return DEFAULT_TIMEOUT_SECONDS;
    }
    return Number(raw);
}

function parseBoolean(name: string, raw: string | undefined, problems: string[]): boolean | undefined {
    if (raw === undefined) {
        return undefined;
    }
    if (raw === "true" || raw === "false") {
        return raw === "true";
    }
    problems.push(`${name} must be 'true' or 'false' (got '${raw}')`);
    return undefined;
}

/** Highest id Linux accepts for a user or group (`(uid_t)-1` means "unchanged"). */
const MAX_ID = 4294967294;

function parseHostUser(raw: string | undefined, problems: string[]): HostUser | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const match = /^([0-9]+):([0-9]+)$/.exec(raw);
    const uid = Number(match?.[1]);
    const gid = Number(match?.[2]);
    if (!match || uid > MAX_ID || gid > MAX_ID) {
        problems.push(`ZKVM_HOST_USER must be a numeric uid:gid (got '${raw}')`);
        return undefined;
    }
    if (uid === 0 || gid === 0) {
        problems.push(`ZKVM_HOST_USER must not be root (uid or gid 0): the host would read every process's environment (got '${raw}')`);
        return undefined;
    }
    return { uid, gid };
}
