import { isTransientAwsError } from "../../lambdas/shared/awsErrors";
import { errorNameOf } from "./s3Client";

export interface RetryPolicy {
    /** Total attempts, the first included. */
    attempts: number;
    /** Delay after the first failed attempt; it doubles after each further one. */
    baseDelayMs: number;
}

/**
 * Uploads: 3 attempts, waiting 2 s then 4 s. This sits on top of the SDK's own quick retries
 * (3 attempts, ~100 ms backoff) to ride out an S3 or network disturbance lasting seconds, which
 * would otherwise throw away a proof that took up to 15 minutes to compute.
 */
export const UPLOAD_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 2000 };

export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number): number {
    return policy.baseDelayMs * 2 ** (failedAttempt - 1);
}

/**
 * S3 error codes worth another attempt that the SDK's classification does not name
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList):
 * - `InternalError` can arrive inside a 200 OK (CompleteMultipartUpload, CopyObject), where no 5xx
 *   status tells it apart: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * - `ExpiredToken` (400): the task role's credentials rotated under a long proof; the next attempt
 *   signs with the refreshed ones.
 * - `RequestTimeTooSkewed` (403): the SDK corrects its clock offset from the answer, so the next
 *   attempt is signed with the corrected time.
 */
const S3_TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set(["InternalError", "ExpiredToken", "RequestTimeTooSkewed"]);

/**
 * Retry what the SDK classifies as throttling, transient or server-side (lambdas/shared/awsErrors.ts:
 * 5xx, 429, timeouts such as `RequestTimeout`, `SlowDown`, connection resets), plus the S3 codes above.
 * Other 4xx (AccessDenied, NoSuchBucket) will not heal by waiting, and an aborted call was stopped on purpose.
 */
export function isRetryableS3Error(error: unknown): boolean {
    const name = errorNameOf(error);
    if (name === "AbortError") return false;
    return isTransientAwsError(error) || (name !== undefined && S3_TRANSIENT_ERROR_NAMES.has(name));
}

export class RetriesExhaustedError extends Error {
    constructor(
        readonly attempts: number,
        readonly lastError: unknown,
    ) {
        super(`gave up after ${attempts} attempt(s)`);
        this.name = "RetriesExhaustedError";
    }
}

export interface RetryHooks {
    sleep: (ms: number) => Promise<void>;
    isRetryable: (error: unknown) => boolean;
    onRetry: (failedAttempt: number, delayMs: number, error: unknown) => void;
}

/** Runs `operation` until it succeeds, fails for good, or runs out of attempts. Resolves with the attempts used. */
export async function retry<T>(
    policy: RetryPolicy,
    hooks: RetryHooks,
    operation: (attempt: number) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
        try {
            return { value: await operation(attempt), attempts: attempt };
        } catch (error) {
            if (attempt >= policy.attempts || !hooks.isRetryable(error)) {
                throw new RetriesExhaustedError(attempt, error);
            }
            const delayMs = backoffDelayMs(policy, attempt);
            hooks.onRetry(attempt, delayMs, error);
            await hooks.sleep(delayMs);
        }
    }
}
