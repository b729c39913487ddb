/**
 * Runs the native verifier the way the earlier setup's layer shipped it:
 *
 *   verifier-service verify --bundle <dir> --image-id <64 hex> --output <report.json>
 *
 * It writes a JSON report whose `status` is `success`, `failed` or `dev_mode` and exits 0, 3 or 2
 * respectively (the application's `verifier-service/src/main.rs`, `report_error_and_exit`: a
 * rejected receipt is also a non-zero exit, after the report is written); exit 1 on a general
 * error. The child gets a clean environment (no AWS credentials, no function settings: it needs
 * none, and a compromised bundle must not reach them), a time limit after which it is killed, and
 * its output is kept only up to a bound for the error message.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { VERIFICATION_STATUSES, type VerificationStatus } from "../shared/contracts";
import { isPlainObject } from "../shared/validation";

export interface VerifierRun {
    binary: string;
    bundleDir: string;
    imageId: string;
    reportPath: string;
    /** Working directory and HOME/TMPDIR of the child. */
    workDir: string;
    timeoutMs: number;
}

/**
 * The exit code that comes with each verdict: anything else (1 for a general error, a signal, or a
 * code that disagrees with the report) means no verdict.
 */
export const VERDICT_EXIT_CODES: Readonly<Record<VerificationStatus, number>> = Object.freeze({ success: 0, dev_mode: 2, failed: 3 });

/** The verifier could not give a verdict (exit 1, killed, no or a malformed report): worth a retry. */
export class VerifierCrashedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "VerifierCrashed";
    }
}

const OUTPUT_LIMIT = 8 * 1024;
/** Only what a native binary may need to start; nothing from the function's own environment. */
const CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin";

export function verifierArguments(run: Pick<VerifierRun, "bundleDir" | "imageId" | "reportPath">): string[] {
    return ["verify", "--bundle", run.bundleDir, "--image-id", run.imageId, "--output", run.reportPath];
}

export function cleanEnvironment(workDir: string): NodeJS.ProcessEnv {
    return { PATH: CLEAN_PATH, HOME: workDir, TMPDIR: workDir, LANG: "C.UTF-8" };
}

/** Runs the verifier; returns the report's status and its exact bytes, or throws VerifierCrashedError. */
export async function runVerifier(run: VerifierRun): Promise<{ status: VerificationStatus; report: Buffer }> {
    const { code, signal, stderr, timedOut } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
        const child = spawn(run.binary, verifierArguments(run), { cwd: run.workDir, env: cleanEnvironment(run.workDir), stdio: ["ignore", "pipe", "pipe"] });
        let stderrText = "";
        let timedOutFlag = false;
        const keep = (chunk: Buffer) => {
            if (stderrText.length < OUTPUT_LIMIT) stderrText += chunk.toString("utf8").slice(0, OUTPUT_LIMIT - stderrText.length);
        };
        child.stderr.on("data", keep);
        child.stdout.on("data", () => undefined);
        const timer = setTimeout(() => {
            timedOutFlag = true;
            child.kill("SIGKILL");
        }, run.timeoutMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new VerifierCrashedError(`verifier could not be started: ${error.message}`));
        });
        child.on("close", (exitCode, exitSignal) => {
            clearTimeout(timer);
            resolve({ code: exitCode, signal: exitSignal, stderr: stderrText.trim(), timedOut: timedOutFlag });
        });
    });
    if (timedOut) throw new VerifierCrashedError(`verifier ran longer than ${run.timeoutMs} ms and was killed`);
    if (code === null || !(Object.values(VERDICT_EXIT_CODES) as number[]).includes(code)) {
        const how = signal === null ? `exited ${code}` : `was killed by ${signal}`;
        throw new VerifierCrashedError(`verifier ${how}${stderr === "" ? "" : `: ${stderr.split("\n").slice(-3).join(" | ")}`}`);
    }
    let report: Buffer;
    try {
        report = fs.readFileSync(run.reportPath);
    } catch {
        throw new VerifierCrashedError(`verifier exited ${code} without writing its report`);
    }
    const status = reportStatus(report);
    if (VERDICT_EXIT_CODES[status] !== code) {
        throw new VerifierCrashedError(`verifier exited ${code} but its report says ${status} (which exits ${VERDICT_EXIT_CODES[status]})`);
    }
    return { status, report };
}

/** The report's `status`, or VerifierCrashedError when the report is not JSON or names another status. */
export function reportStatus(report: Buffer): VerificationStatus {
    let parsed: unknown;
    try {
        parsed = JSON.parse(report.toString("utf8"));
    } catch {
        throw new VerifierCrashedError("verifier report is not JSON");
    }
    const status = isPlainObject(parsed) ? parsed.status : undefined;
    if (!(VERIFICATION_STATUSES as readonly unknown[]).includes(status)) {
        throw new VerifierCrashedError(`verifier report status ${JSON.stringify(status)} is not one of ${VERIFICATION_STATUSES.join(", ")}`);
    }
    return status as VerificationStatus;
}
