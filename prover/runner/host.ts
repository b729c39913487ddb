import { spawn } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import * as fs from "node:fs/promises";
import * as readline from "node:readline";
import { HostUser, RunnerEnv } from "./config";
import { describeError, errorCode, RunnerFailure } from "./failure";
import { Logger } from "../../lambdas/shared/log";

/** How long the host gets to exit after SIGTERM before it is sent SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 10_000;

/** A CloudWatch Logs event holds at most 256 KiB; a host printing binary garbage must not break logging. */
const MAX_LOGGED_LINE_CHARS = 16_384;

/**
 * Variables that would let the host reach AWS as the task role. The host only turns a file into files;
 * S3 is the runner's job, so the host does not get them. Every other `AWS_*` and `ECS_*` variable
 * (region, endpoints, the task metadata endpoint) goes too: the host talks to no AWS service.
 */
const CREDENTIAL_VARIABLES = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
];

function isWithheldFromHost(name: string): boolean {
    return CREDENTIAL_VARIABLES.includes(name) || name.startsWith("AWS_") || name.startsWith("ECS_");
}

/**
 * Credential isolation (prover/README.md "Credential isolation"). A clean environment is not enough:
 * a process of the same uid reads `/proc/<runner pid>/environ` (which keeps the variables the
 * runner started with, whatever it deletes later) and `/proc/<runner pid>/mem`, and with
 * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` from there it asks the container credential endpoint
 * (169.254.170.2) for the task role's keys. The kernel lets only the same uid (or CAP_SYS_PTRACE)
 * read those files, so the host runs as another user: the runner starts as root and spawns the host
 * with `ZKVM_HOST_USER`'s uid and gid (Node's spawn drops supplementary groups, then sets the gid and
 * the uid, so the host keeps no capability). Without the privilege to do that, the runner refuses to
 * run the host at all rather than run it beside the credentials.
 * https://man7.org/linux/man-pages/man5/proc_pid_environ.5.html (access: PTRACE_MODE_READ_FSCREDS)
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export function assertHostIsolationPossible(hostUser: HostUser | undefined, runnerUid: number | undefined): void {
    if (hostUser === undefined) return;
    if (runnerUid !== 0) {
        throw new RunnerFailure(
            "HOST_ISOLATION_UNAVAILABLE",
            `ZKVM_HOST_USER is ${hostUser.uid}:${hostUser.gid} but the runner runs as uid ${runnerUid ?? "unknown"}, not root, ` +
                "so it cannot start the zkVM host as another user; refusing to run the host beside the task's credentials",
            { hostUser: `${hostUser.uid}:${hostUser.gid}`, runnerUid: runnerUid ?? null },
        );
    }
}

export async function checkHostExecutable(hostBin: string): Promise<void> {
    let stats;
    try {
        stats = await fs.stat(hostBin);
    } catch (error) {
        const failure = errorCode(error) === "ENOENT" ? "HOST_NOT_FOUND" : "HOST_NOT_EXECUTABLE";
        throw new RunnerFailure(failure, `zkVM host ${hostBin} cannot be used: ${describeError(error)}`, { hostBin });
    }
    if (!stats.isFile()) {
        throw new RunnerFailure("HOST_NOT_EXECUTABLE", `zkVM host ${hostBin} is not a regular file`, { hostBin });
    }
    try {
        await fs.access(hostBin, fsConstants.X_OK);
    } catch {
        throw new RunnerFailure("HOST_NOT_EXECUTABLE", `zkVM host ${hostBin} is not executable by this user`, {
            hostBin,
        });
    }
}

/** The host's log level when the task sets none, as the original entrypoint did (`RUST_LOG=${RUST_LOG:-info}`). */
export const DEFAULT_RUST_LOG = "info";

/**
 * The runner's environment without credentials (nor any other `AWS_*`/`ECS_*` variable), with TMPDIR
 * and HOME on the host's own scratch directory (the host may run as a user that cannot write the
 * scratch root) and RUST_LOG defaulted. The RISC Zero variables (`RISC0_SERVER_PATH`, `RISC0_HOME`,
 * `PATH`) pass through: the image sets them so the host finds `r0vm` and its settings (see
 * prover/Dockerfile).
 */
export function hostEnvironment(env: RunnerEnv, tmpDir: string): NodeJS.ProcessEnv {
    const result: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(env)) {
        if (value !== undefined && !isWithheldFromHost(name)) {
            result[name] = value;
        }
    }
    result.TMPDIR = tmpDir;
    result.HOME = tmpDir;
    // An empty RUST_LOG counts as unset, like every other variable of the runner.
    const rustLog = env.RUST_LOG;
    result.RUST_LOG = rustLog === undefined || rustLog === "" ? DEFAULT_RUST_LOG : rustLog;
    return result;
}

export interface HostRun {
    hostBin: string;
    /** The host's one argument; it writes its outputs next to this file (see hostContract.ts). */
    inputFile: string;
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** Run the host as this user (the runner must be root). Default: the runner's own user. */
    user?: HostUser;
    timeoutMs: number;
    killGraceMs: number;
    log: Logger;
    signal?: AbortSignal;
}

export type HostOutcome =
    | { kind: "exited"; code: number; durationMs: number }
    | { kind: "signaled"; signal: NodeJS.Signals; durationMs: number }
    | { kind: "timedOut"; durationMs: number }
    | { kind: "stopped"; durationMs: number }
    | { kind: "spawnFailed"; error: unknown };

/**
 * Runs `hostBin <inputFile>`, streaming its output into the log, and never throws.
 *
 * The host runs in its own process group (`detached`) so a timeout or a stop reaches everything it
 * started, not only its first process: SIGTERM first, SIGKILL after the grace period.
 */
export function runHost(run: HostRun): Promise<HostOutcome> {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(run.hostBin, [run.inputFile], {
            cwd: run.cwd,
            env: run.env,
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
            ...(run.user === undefined ? {} : { uid: run.user.uid, gid: run.user.gid }),
        });
        let settled = false;
        let ended: "timedOut" | "stopped" | undefined;
        let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
        let killTimer: NodeJS.Timeout | undefined;

        const signalGroup = (signal: NodeJS.Signals): void => {
            if (child.pid === undefined) return;
            try {
                process.kill(-child.pid, signal);
            } catch {
                // ESRCH: the whole group is already gone.
            }
        };
        const terminate = (reason: "timedOut" | "stopped"): void => {
            if (ended !== undefined || exit !== undefined) return;
            ended = reason;
            signalGroup("SIGTERM");
            killTimer = setTimeout(() => signalGroup("SIGKILL"), run.killGraceMs);
        };
        const onAbort = (): void => terminate("stopped");
        const timeoutTimer = setTimeout(() => terminate("timedOut"), run.timeoutMs);
        run.signal?.addEventListener("abort", onAbort, { once: true });

        const finish = (outcome: HostOutcome): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timeoutTimer);
            clearTimeout(killTimer);
            run.signal?.removeEventListener("abort", onAbort);
            resolve(outcome);
        };

        streamLines(child.stdout, "stdout", run.log);
        streamLines(child.stderr, "stderr", run.log);
        child.once("error", (error) => {
            // Only a failed spawn leaves no pid; later errors (a failed kill) change nothing here.
            if (child.pid === undefined) finish({ kind: "spawnFailed", error });
        });
        child.once("exit", (code, signal) => {
            exit = { code, signal };
            // Leftover processes of the host would keep its pipes open and this run waiting.
            signalGroup("SIGKILL");
        });
        child.once("close", () => {
            const durationMs = Date.now() - started;
            if (ended !== undefined) {
                finish({ kind: ended, durationMs });
            } else if (exit?.code !== null && exit?.code !== undefined) {
                finish({ kind: "exited", code: exit.code, durationMs });
            } else {
                finish({ kind: "signaled", signal: exit?.signal ?? "SIGKILL", durationMs });
            }
        });
        if (run.signal?.aborted) onAbort();
    });
}

function streamLines(stream: NodeJS.ReadableStream, name: "stdout" | "stderr", log: Logger): void {
    // Both streams are INFO: hosts log progress on stderr, and ERROR is reserved for the run's verdict.
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        if (line.length > MAX_LOGGED_LINE_CHARS) {
            log.info("host output", { stream: name, line: line.slice(0, MAX_LOGGED_LINE_CHARS), truncated: true });
        } else {
            log.info("host output", { stream: name, line });
        }
    });
}

/** Turns anything but a clean exit into the failure the run reports; returns the host's run time. */
export function assertHostSucceeded(outcome: HostOutcome, hostBin: string, timeoutSeconds: number): number {
    switch (outcome.kind) {
        case "exited":
            if (outcome.code === 0) return outcome.durationMs;
            throw new RunnerFailure("HOST_FAILED", `zkVM host exited with code ${outcome.code}`, {
                hostExitCode: outcome.code,
                durationMs: outcome.durationMs,
            });
        case "signaled":
            throw new RunnerFailure("HOST_FAILED", `zkVM host was killed by ${outcome.signal}`, {
                hostSignal: outcome.signal,
                durationMs: outcome.durationMs,
            });
        case "timedOut":
            throw new RunnerFailure("HOST_TIMEOUT", `zkVM host timed out after ${timeoutSeconds} s and was killed`, {
                timeoutSeconds,
                durationMs: outcome.durationMs,
            });
        case "stopped":
            throw new RunnerFailure("STOPPED", "prover stopped by a signal while the zkVM host was running", {
                durationMs: outcome.durationMs,
            });
        case "spawnFailed": {
            const failure = errorCode(outcome.error) === "ENOENT" ? "HOST_NOT_FOUND" : "HOST_NOT_EXECUTABLE";
            const reason = describeError(outcome.error);
            throw new RunnerFailure(failure, `zkVM host ${hostBin} could not be started: ${reason}`, { hostBin });
        }
    }
}
