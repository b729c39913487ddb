import * as fs from "node:fs/promises";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describeError, RunnerFailure } from "./failure";
import { Logger } from "../../lambdas/shared/log";
import { isRetryableS3Error, RetriesExhaustedError, retry, RetryPolicy } from "./retry";
import { S3Sender, s3Url } from "./s3Client";

export interface UploadTarget {
    bucket: string;
    /** No trailing slash: keys are `${prefix}/${name}`. */
    prefix: string;
}

export interface UploadOptions {
    s3: S3Sender;
    policy: RetryPolicy;
    sleep: (ms: number) => Promise<void>;
    log: Logger;
    signal?: AbortSignal;
}

export interface UploadedObject {
    key: string;
    bytes: number;
    attempts: number;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
    ".json": "application/json",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
};

export function contentTypeFor(name: string): string {
    return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? "application/octet-stream";
}

export function objectKey(prefix: string, name: string): string {
    return `${prefix}/${name}`;
}

/** Uploads one file with retries; a failure that survives them becomes UPLOAD_FAILED. */
export async function uploadFile(
    target: UploadTarget,
    name: string,
    filePath: string,
    options: UploadOptions,
): Promise<UploadedObject> {
    const key = objectKey(target.prefix, name);
    const url = s3Url(target.bucket, key);
    // Read once into memory: a buffer can be sent again on retry, a consumed stream cannot. Proof
    // artifacts are small next to the task's 32 GiB.
    const body = await fs.readFile(filePath).catch((error: unknown) => {
        throw new RunnerFailure("BUNDLE_FAILED", `cannot read ${filePath} for upload: ${describeError(error)}`);
    });
    try {
        const { attempts } = await retry(
            options.policy,
            {
                sleep: options.sleep,
                isRetryable: isRetryableS3Error,
                onRetry: (failedAttempt, delayMs, error) =>
                    options.log.warn("upload attempt failed, retrying", {
                        key,
                        attempt: failedAttempt,
                        delayMs,
                        error: describeError(error),
                    }),
            },
            () =>
                options.s3.send(
                    new PutObjectCommand({
                        Bucket: target.bucket,
                        Key: key,
                        Body: body,
                        ContentLength: body.length,
                        ContentType: contentTypeFor(name),
                        // The bundle bucket's policy denies uploads that do not ask for SSE-S3.
                        ServerSideEncryption: "AES256",
                    }),
                    { abortSignal: options.signal },
                ),
        );
        options.log.info("uploaded", { key, bytes: body.length, attempts });
        return { key, bytes: body.length, attempts };
    } catch (error) {
        const { attempts, lastError } =
            error instanceof RetriesExhaustedError ? error : new RetriesExhaustedError(1, error);
        throw new RunnerFailure(
            "UPLOAD_FAILED",
            `upload of ${url} failed after ${attempts} attempt(s): ${describeError(lastError)}`,
            { key, attempts },
        );
    }
}
