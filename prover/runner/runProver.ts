import { setTimeout as delay } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { parseRunnerConfig, RunnerConfig, RunnerEnv } from "./config";
import { EXIT_CODES, ExitCode } from "./exitCodes";
import { describeError, RunnerFailure } from "./failure";
import { assertHostIsolationPossible, assertHostSucceeded, checkHostExecutable, DEFAULT_KILL_GRACE_MS, hostEnvironment, runHost } from "./host";
import { assertRequiredInputFields, describeInputSource, parseJsonObject, readInput } from "./input";
import { createLogger, Logger } from "../../lambdas/shared/log";
import { buildManifestBeforeHost, buildPublishedSet } from "./publish";
import { UPLOAD_RETRY_POLICY } from "./retry";
import { createS3Client, S3Sender, s3Url } from "./s3Client";
import { prepareScratch, scratchLayout } from "./scratch";
import { uploadFile, UploadOptions } from "./upload";

/** What `runProver` takes from its surroundings; every field has a production default. */
export interface ProverDeps {
    /** Default: a client on the default credential/region chain (see `createS3Client`), destroyed at the end. */
    s3?: S3Sender;
    /** Where the log's text goes, newline-terminated lines as on stdout. Default: stdout. */
    write?: (text: string) => void;
    now?: () => Date;
    /** Wait between upload attempts. Default: a real timer. */
    sleep?: (ms: number) => Promise<void>;
    /** Upload backoff base. Default: 2000 ms (then 4000 ms). */
    retryBaseDelayMs?: number;
    /** Time between SIGTERM and SIGKILL for the host. Default: 10 s. */
    killGraceMs?: number;
    /** Aborted when the task is stopped (main.ts wires SIGTERM/SIGINT). */
    signal?: AbortSignal;
}

/**
 * Runs one proof: input → checks → scratch → zkVM host → artifacts, cross-checks, bundle.zip → S3. Never throws: every outcome is an
 * exit code, and every failure is reported by exactly one ERROR log line.
 */
export async function runProver(env: RunnerEnv, deps: ProverDeps = {}): Promise<ExitCode> {
    const write = deps.write;
    const log = createLogger(write === undefined ? undefined : (line) => write(`${line}\n`), deps.now);
    let ownClient: S3Client | undefined;
    try {
        const config = requireConfig(env);
        const s3 = deps.s3 ?? (ownClient = createS3Client(config));
        await prove(config, env, s3, log, deps);
        return EXIT_CODES.SUCCESS;
    } catch (error) {
        const failure = asFailure(error, deps.signal);
        log.error(failure.message, { failure: failure.failure, exitCode: failure.exitCode, ...failure.details });
        return failure.exitCode;
    } finally {
        ownClient?.destroy();
    }
}

function requireConfig(env: RunnerEnv): RunnerConfig {
    const parsed = parseRunnerConfig(env);
    if (!parsed.ok) {
        throw new RunnerFailure("CONFIG_INVALID", `invalid configuration: ${parsed.problems.join("; ")}`, {
            problems: parsed.problems,
        });
    }
    return parsed.config;
}

async function prove(config: RunnerConfig, env: RunnerEnv, s3: S3Sender, log: Logger, deps: ProverDeps): Promise<void> {
    const started = Date.now();
    const where = describeInputSource(config.input);
    const target = config.output;
    log.info("prover starting", {
        input: where,
        output: target === undefined ? "none (prove-only)" : s3Url(target.bucket, `${target.prefix}/`),
        hostBin: config.hostBin,
        hostUser: config.hostUser === undefined ? "runner's own" : `${config.hostUser.uid}:${config.hostUser.gid}`,
        timeoutSeconds: config.timeoutSeconds,
        scratchDir: config.scratchDir,
        ...config.context,
    });

    // Checked before the download so a broken image fails without touching S3.
    assertHostIsolationPossible(config.hostUser, process.getuid?.());
    await checkHostExecutable(config.hostBin);
    const inputText = await readInput(config.input, s3, deps.signal);
    const input = parseJsonObject(inputText, where);
    assertRequiredInputFields(input, where);
    const manifest = buildManifestBeforeHost(input);
    const layout = scratchLayout(config.scratchDir);
    await prepareScratch(layout, inputText, config.hostUser);
    log.info("input ready", { input: where, bytes: Buffer.byteLength(inputText), inputFile: layout.inputFile });

    log.info("zkVM host starting", { argv: [config.hostBin, layout.inputFile] });
    const outcome = await runHost({
        hostBin: config.hostBin,
        inputFile: layout.inputFile,
        // Stray relative writes of the host land next to its own files, on the writable volume.
        cwd: layout.hostDir,
        env: hostEnvironment(env, layout.tmpDir),
        user: config.hostUser,
        timeoutMs: config.timeoutSeconds * 1000,
        killGraceMs: deps.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
        log,
        signal: deps.signal,
    });
    const hostMs = assertHostSucceeded(outcome, config.hostBin, config.timeoutSeconds);
    log.info("zkVM host finished", { durationMs: hostMs });

    const published = await buildPublishedSet(layout, input, manifest, log);
    if (target === undefined) {
        log.info("prover finished (prove-only: nothing uploaded)", {
            publishDir: layout.publishDir,
            files: [...published.files, published.bundle].map((file) => file.name),
            hostDurationMs: hostMs,
            durationMs: Date.now() - started,
        });
        return;
    }

    const uploadOptions: UploadOptions = {
        s3,
        policy: { ...UPLOAD_RETRY_POLICY, baseDelayMs: deps.retryBaseDelayMs ?? UPLOAD_RETRY_POLICY.baseDelayMs },
        sleep: deps.sleep ?? ((ms) => delay(ms, undefined, { signal: deps.signal })),
        log,
        signal: deps.signal,
    };
    for (const file of published.files) {
        await uploadFile(target, file.name, file.path, uploadOptions);
    }
    // bundle.zip goes last: once readers see it, every other artifact of the execution is in place.
    const bundle = await uploadFile(target, published.bundle.name, published.bundle.path, uploadOptions);
    log.info("prover finished", {
        bundleKey: bundle.key,
        objects: published.files.length + 1,
        hostDurationMs: hostMs,
        durationMs: Date.now() - started,
    });
}

/** A stop request outranks whatever the interrupted step failed with. */
function asFailure(error: unknown, signal: AbortSignal | undefined): RunnerFailure {
    if (signal?.aborted) {
        return new RunnerFailure("STOPPED", `prover stopped by ${String(signal.reason)} before it finished`);
    }
    if (error instanceof RunnerFailure) {
        return error;
    }
    return new RunnerFailure("INTERNAL_ERROR", `prover runner failed unexpectedly: ${describeError(error)}`);
}
