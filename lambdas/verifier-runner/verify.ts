/**
 * Step Functions task `VerifyProof`: checks the execution's published bundle with the native verifier
 * and writes its report beside the bundle.
 *
 * The event carries only `{sessionId, executionId}`; the bucket, the keys and the expected image id
 * come from the function's own settings and the stack's prover image record, so nothing in the event
 * can point the function at another object or another image id.
 *
 * Outcomes (the state machine's Retry/Catch depend on the names):
 * - a verdict (`success`, `failed`, `dev_mode`): the report is written, the status returned;
 * - `VerifierCrashed`: no verdict (the binary failed, hung or wrote no valid report): retried;
 * - `UnsafeBundle`, `BundleNotFound`, `InvalidInput`: no retry can help; the session fails.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { hasErrorName } from "../shared/awsErrors";
import { bundleObjectKey, verificationReportKey, type VerifyProofInput, type VerifyProofResult } from "../shared/contracts";
import type { Logger } from "../shared/log";
import { readProverImageRecord } from "../shared/proverImageRecord";
import { EXECUTION_ID_PATTERN, EXECUTION_ID_RULE, InvalidInput, SESSION_ID_PATTERN, SESSION_ID_RULE, checkNoExtraKeys, checkString, isPlainObject } from "../shared/validation";
import { BUNDLE_EXTRACT_LIMITS, type ExtractLimits, UnsafeBundleError, safeExtract } from "./safeExtract";
import { runVerifier } from "./runVerifier";

export interface VerifierDeps {
    s3: S3Client;
    ssm: SSMClient;
    bucket: string;
    proofPrefix: string;
    /** SSM parameter holding the prover image record (with the expected zkVM image id). */
    imageParameterName: string;
    /** The native binary: `/opt/bin/verifier-service` from the layer. */
    binary: string;
    /** How long the binary may run. */
    verifierTimeoutMs: number;
    /** Largest bundle.zip downloaded, in bytes. */
    maxBundleBytes?: number;
    extractLimits?: ExtractLimits;
    /** Parent of the per-invocation working directory. Default: the OS temp dir (Lambda's /tmp). */
    tmpDir?: string;
    logger: Logger;
}

/** bundle.zip larger than this is refused before download (with the extract limits, within 512 MB of /tmp). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

export class BundleNotFoundError extends Error {
    constructor(key: string) {
        super(`no bundle at ${key}: the prover did not publish one, or it expired`);
        this.name = "BundleNotFound";
    }
}

export function parseVerifyProofInput(event: unknown): VerifyProofInput {
    if (!isPlainObject(event)) throw new InvalidInput("verify proof event", ["event must be an object"]);
    const problems: string[] = [];
    checkNoExtraKeys(event, ["sessionId", "executionId"], problems);
    const sessionId = checkString(event, "sessionId", problems, SESSION_ID_PATTERN, SESSION_ID_RULE);
    const executionId = checkString(event, "executionId", problems, EXECUTION_ID_PATTERN, EXECUTION_ID_RULE);
    if (problems.length > 0) throw new InvalidInput("verify proof event", problems);
    return { sessionId, executionId };
}

export function createVerifyProofHandler(deps: VerifierDeps) {
    const maxBundleBytes = deps.maxBundleBytes ?? MAX_BUNDLE_BYTES;
    return async (event: unknown): Promise<VerifyProofResult> => {
        const { sessionId, executionId } = parseVerifyProofInput(event);
        const bundleKey = bundleObjectKey(deps.proofPrefix, sessionId, executionId);
        const reportKey = verificationReportKey(deps.proofPrefix, sessionId, executionId);
        const record = await readProverImageRecord(deps.ssm, deps.imageParameterName);
        if (record.zkvmImageId === null) {
            throw new Error(`${deps.imageParameterName} records no zkVM image id: the stack's verifier config is missing`);
        }
        const expectedImageId = record.zkvmImageId;
        const workDir = fs.mkdtempSync(path.join(deps.tmpDir ?? os.tmpdir(), "verify-"));
        try {
            const zipPath = path.join(workDir, "bundle.zip");
            await download(deps, bundleKey, zipPath, maxBundleBytes);
            const bundleDir = path.join(workDir, "bundle");
            fs.mkdirSync(bundleDir);
            const files = await safeExtract(zipPath, bundleDir, deps.extractLimits ?? BUNDLE_EXTRACT_LIMITS);
            const reportPath = path.join(workDir, "report.json");
            const { status, report } = await runVerifier({ binary: deps.binary, bundleDir, imageId: expectedImageId, reportPath, workDir, timeoutMs: deps.verifierTimeoutMs });
            await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: reportKey, Body: report, ContentType: "application/json" }));
            deps.logger.info("proof verified", { sessionId, executionId, status, files: files.length, reportKey, imageDigest: record.digest });
            return { status, bundleKey, reportKey, expectedImageId };
        } finally {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    };
}

async function download(deps: VerifierDeps, key: string, target: string, maxBytes: number): Promise<void> {
    let body: NodeJS.ReadableStream;
    try {
        const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
        if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
            (object.Body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
            throw new UnsafeBundleError(`bundle.zip is ${object.ContentLength} bytes; at most ${maxBytes} are allowed`);
        }
        body = object.Body as NodeJS.ReadableStream;
    } catch (error) {
        if (hasErrorName(error, "NoSuchKey")) throw new BundleNotFoundError(key);
        throw error;
    }
    // Counted as it streams too: ContentLength is what S3 declared, not a promise about the body.
    let received = 0;
    const counter = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
            received += chunk.length;
            if (received > maxBytes) throw new UnsafeBundleError(`bundle.zip exceeds ${maxBytes} bytes`);
            yield chunk;
        }
    };
    await pipeline(body as unknown as AsyncIterable<Buffer>, counter, fs.createWriteStream(target, { flags: "wx", mode: 0o600 }));
}
