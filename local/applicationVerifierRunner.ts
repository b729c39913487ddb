/**
 * A stand-in for the application's own verifier-service-runner build (config
 * `applicationBuilds.verifierRunner`), so the local pipeline can run VerifyProof under the
 * application's contract (builders/verifierContract.ts). It follows the application's source, public
 * repository hwatanabe-jp/stark-ballot-simulator-public:
 * - `amplify/functions/verifier-service-runner/handler.ts`: the strict event schema (`s3_bundle`,
 *   uuid sessionId, non-empty executionId and bundleKey, 32-byte hex expectedImageId normalized to
 *   `0x` + lower case, optional strict `options {uploadToS3?, workDir?}`), the two error answers
 *   ("Invalid verifier invocation payload", "verifier-service execution failed") and the success
 *   answer `{status: "success", sessionId, executionId, verifierStatus, verificationReport, s3}`;
 *   the work directory is removed afterwards;
 * - `src/lib/verification/verifier-service-client.ts`: the binary from VERIFIER_SERVICE_BIN (must be
 *   executable), `verify --bundle <dir> --image-id <0x..> --output <dir>/verification.json`, the
 *   function's whole environment; exit 1 or no exit code is an error, any other exit reads the report
 *   (falling back to stdout), whose `status` becomes `verifierStatus` unchecked;
 * - `src/lib/verification/verification-bundle.ts` + `src/lib/aws/s3-upload.ts`: with USE_S3=true, the
 *   allowlisted public JSON artifacts are re-zipped (all six required, metadata.json included) and put
 *   at `{S3_PROOF_PREFIX || "sessions/"}{sessionId}/{executionId}/bundle.zip`, then verification.json
 *   and the bitmaps beside it, each with 3 attempts; any failure there is logged, not raised, and the
 *   answer's `s3` is then `{}` (no reportKey).
 * Deliberate differences: extraction uses the reference handler's safe extractor
 * (lambdas/verifier-runner/safeExtract.ts), so an unsafe entry's `details` text differs from the
 * application's `Unsafe zip entry name: ...`; the answer's shape and message are the same. Upload
 * retries wait `uploadRetryDelayMs` (the application: 1 s, then 2 s).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import * as yazl from "yazl";
import { safeExtract, BUNDLE_EXTRACT_LIMITS } from "../lambdas/verifier-runner/safeExtract";

/** `VerifierServiceRunnerResponse` (src/lib/verification/verifier-service-runner-types.ts). */
export type ApplicationVerifierAnswer =
    | {
          status: "success";
          sessionId: string;
          executionId: string;
          verifierStatus: string;
          verificationReport: unknown;
          s3?: { bundleUrl?: string; bundleKey?: string; reportKey?: string; uploadedAt?: string; expiresAt?: string };
      }
    | { status: "error"; message: string; details?: unknown };

interface RunnerEvent {
    sessionId: string;
    executionId: string;
    bundleKey: string;
    expectedImageId: string;
    options?: { uploadToS3?: boolean; workDir?: string };
}

// zod's `.uuid()` pattern (zod 3).
const UUID = /^[0-9a-fA-F]{8}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{12}$/;
/** `PUBLIC_BUNDLE_ALLOWLIST` and `REQUIRED_PUBLIC_BUNDLE_ARTIFACTS` of verification-bundle.ts. */
const PUBLIC_BUNDLE_ALLOWLIST = ["public-input.json", "election-manifest.json", "close-statement.json", "receipt.json", "journal.json", "metadata.json", "sth.json", "consistency-proof.json"];
export const REQUIRED_PUBLIC_BUNDLE_ARTIFACTS = ["public-input.json", "election-manifest.json", "close-statement.json", "receipt.json", "journal.json", "metadata.json"];
const UPLOAD_ATTEMPTS = 3;
const SIGNED_URL_TTL_SECONDS = 3600;

/** The handler's schema: every problem, as zod would list them, or the parsed event. */
export function parseRunnerEvent(raw: unknown): { event: RunnerEvent } | { problems: string[] } {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { problems: ["Expected object"] };
    const e = raw as Record<string, unknown>;
    const problems: string[] = [];
    const allowed = ["mode", "sessionId", "executionId", "bundleKey", "expectedImageId", "options"];
    const extra = Object.keys(e).filter((k) => !allowed.includes(k));
    if (extra.length > 0) problems.push(`Unrecognized key(s) in object: ${extra.map((k) => `'${k}'`).join(", ")}`);
    if (e.mode !== "s3_bundle") problems.push(`mode: Invalid literal value, expected "s3_bundle"`);
    if (typeof e.sessionId !== "string" || !UUID.test(e.sessionId)) problems.push("sessionId: Invalid uuid");
    for (const key of ["executionId", "bundleKey"] as const) {
        if (typeof e[key] !== "string" || (e[key] as string).length < 1) problems.push(`${key}: String must contain at least 1 character(s)`);
    }
    // hexStringSchema(32, 'expectedImageId'): 0x optional, normalized to 0x + lower case, 64 hex digits.
    const rawId = typeof e.expectedImageId === "string" ? e.expectedImageId : "";
    const hex = rawId.replace(/^0[xX]/, "").toLowerCase();
    if (typeof e.expectedImageId !== "string") problems.push("expectedImageId: expectedImageId is required");
    else if (!/^[0-9a-f]{64}$/.test(hex)) problems.push("expectedImageId: expectedImageId must be a 64-character hex string");
    let options: RunnerEvent["options"];
    if (e.options !== undefined) {
        const o = e.options as Record<string, unknown>;
        if (typeof o !== "object" || o === null || Array.isArray(o)) problems.push("options: Expected object");
        else {
            const extraOptions = Object.keys(o).filter((k) => k !== "uploadToS3" && k !== "workDir");
            if (extraOptions.length > 0) problems.push(`options: Unrecognized key(s) in object: ${extraOptions.map((k) => `'${k}'`).join(", ")}`);
            if (o.uploadToS3 !== undefined && typeof o.uploadToS3 !== "boolean") problems.push("options.uploadToS3: Expected boolean");
            if (o.workDir !== undefined && (typeof o.workDir !== "string" || o.workDir.length < 1)) problems.push("options.workDir: String must contain at least 1 character(s)");
            options = o as RunnerEvent["options"];
        }
    }
    if (problems.length > 0) return { problems };
    return { event: { sessionId: e.sessionId as string, executionId: e.executionId as string, bundleKey: e.bundleKey as string, expectedImageId: `0x${hex}`, ...(options === undefined ? {} : { options }) } };
}

export interface ApplicationVerifierRunnerDeps {
    s3: S3Client;
    /** Stands for the handler's default `/tmp/verifier-work`. */
    workDir: string;
    /** Wait between upload attempts, in ms. Default 0. */
    uploadRetryDelayMs?: number;
}

/** The application's handler with its environment (the function's configuration) and clients. */
export function createApplicationVerifierRunner(env: Record<string, string | undefined>, deps: ApplicationVerifierRunnerDeps) {
    const bucket = env.S3_PROOF_BUCKET || "stark-ballot-simulator-proof-bundles-develop";
    const prefix = env.S3_PROOF_PREFIX || "sessions/";
    return async (rawEvent: unknown): Promise<ApplicationVerifierAnswer> => {
        const parsed = parseRunnerEvent(rawEvent);
        if ("problems" in parsed) return { status: "error", message: "Invalid verifier invocation payload", details: parsed.problems.join("; ") };
        const input = parsed.event;
        const workDir = input.options?.workDir ?? deps.workDir;
        try {
            const bundlePath = path.join(workDir, input.sessionId, input.executionId);
            fs.mkdirSync(bundlePath, { recursive: true });
            const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: input.bundleKey }));
            const zipPath = path.join(workDir, `${input.executionId}.download.zip`);
            fs.writeFileSync(zipPath, await object.Body!.transformToByteArray());
            await safeExtract(zipPath, bundlePath, BUNDLE_EXTRACT_LIMITS);
            fs.rmSync(zipPath);
            const reportPath = path.join(bundlePath, "verification.json");
            const invocation = await invokeVerifierService(env, bundlePath, input.expectedImageId, reportPath);
            const s3 = input.options?.uploadToS3 ?? true ? await uploadVerificationBundle(bundlePath, input.sessionId, input.executionId) : undefined;
            return {
                status: "success",
                sessionId: input.sessionId,
                executionId: input.executionId,
                verifierStatus: invocation.status,
                verificationReport: invocation.report,
                ...(s3 === undefined ? {} : { s3 }),
            };
        } catch (error) {
            return { status: "error", message: "verifier-service execution failed", details: error instanceof Error ? error.message : error };
        } finally {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    };

    async function uploadVerificationBundle(bundlePath: string, sessionId: string, executionId: string) {
        if (env.USE_S3 !== "true") return {};
        try {
            const archive = await createArchive(bundlePath);
            const bundle = await upload(archive, sessionId, executionId, "application/zip");
            if (!bundle.success) return {};
            const report = path.join(bundlePath, "verification.json");
            const reportKey = fs.existsSync(report) ? await upload(report, sessionId, executionId, "application/json") : undefined;
            for (const bitmap of ["included-bitmap.json", "seen-bitmap.json"]) {
                const file = path.join(bundlePath, bitmap);
                if (fs.existsSync(file)) await upload(file, sessionId, executionId, "application/json");
            }
            const url = await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: bucket, Key: bundle.key }), { expiresIn: SIGNED_URL_TTL_SECONDS });
            return {
                bundleUrl: url,
                bundleKey: bundle.key,
                ...(reportKey?.success ? { reportKey: reportKey.key } : {}),
                uploadedAt: bundle.uploadedAt,
                expiresAt: new Date(Date.now() + SIGNED_URL_TTL_SECONDS * 1000).toISOString(),
            };
        } catch {
            return {};
        }
    }

    async function upload(file: string, sessionId: string, executionId: string, contentType: string) {
        const key = `${prefix}${sessionId}/${executionId}/${path.basename(file)}`;
        for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
            try {
                await deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(file), ContentType: contentType, Metadata: { sessionId, executionId } }));
                return { key, success: true, uploadedAt: new Date().toISOString() };
            } catch {
                if (attempt < UPLOAD_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, deps.uploadRetryDelayMs ?? 0));
            }
        }
        return { key, success: false, uploadedAt: new Date().toISOString() };
    }
}

/** `createVerificationBundleArchive`: the allowlisted JSON files, sorted, stored, mtime 0; all required ones present. */
async function createArchive(bundlePath: string): Promise<string> {
    const archivePath = path.join(bundlePath, "bundle.zip");
    fs.rmSync(archivePath, { force: true });
    const files = fs
        .readdirSync(bundlePath, { withFileTypes: true })
        .filter((entry) => entry.isFile() && PUBLIC_BUNDLE_ALLOWLIST.includes(entry.name))
        .map((entry) => entry.name)
        .sort();
    const missing = REQUIRED_PUBLIC_BUNDLE_ARTIFACTS.filter((name) => !files.includes(name));
    if (missing.length > 0) throw new Error(`Missing required public bundle artifact(s): ${missing.join(", ")}`);
    await new Promise<void>((resolve, reject) => {
        const zip = new yazl.ZipFile();
        for (const name of files) zip.addFile(path.join(bundlePath, name), name, { mtime: new Date(0), compress: false });
        const output = fs.createWriteStream(archivePath);
        output.on("close", resolve);
        output.on("error", reject);
        zip.outputStream.on("error", reject);
        zip.outputStream.pipe(output);
        zip.end();
    });
    return archivePath;
}

/** `invokeVerifierService` of verifier-service-client.ts. */
async function invokeVerifierService(env: Record<string, string | undefined>, bundlePath: string, expectedImageId: string, reportPath: string) {
    const binary = env.VERIFIER_SERVICE_BIN;
    if (binary === undefined || !isExecutable(binary)) throw new Error("verifier-service binary not found. Set VERIFIER_SERVICE_BIN or build the project.");
    const child = spawn(binary, ["verify", "--bundle", bundlePath, "--image-id", expectedImageId, "--output", reportPath], { stdio: ["ignore", "pipe", "pipe"], env: { ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", resolve);
    });
    if (code === null) throw new Error("verifier-service did not exit cleanly");
    if (code === 1) throw new Error(stderr.trim() || "verifier-service exited with status 1 (general error)");
    let report: { status: string };
    try {
        report = JSON.parse(fs.readFileSync(reportPath, "utf8"));
    } catch {
        if (stdout.trim().length === 0) throw new Error("verification report not generated by verifier-service");
        report = JSON.parse(stdout);
    }
    return { status: report.status, report };
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}
