import { errorNameOf, httpStatusOf } from "./s3Client";

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

/** Errors raised before or by S3 that are worth another attempt. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "ExpiredToken",
    "TimeoutError",
]);

/**
 * Retry when S3 could not be reached (no HTTP status), when it answered 5xx, 408 or 429, or with a
 * known transient error. Other 4xx (AccessDenied, NoSuchBucket) will not heal by waiting, and an
 * aborted call was stopped on purpose.
 */
export function isRetryableS3Error(error: unknown): boolean {
    const name = errorNameOf(error);
    if (name === "AbortError") return false;
    if (name !== undefined && TRANSIENT_ERROR_NAMES.has(name)) return true;
    const status = httpStatusOf(error);
    return status === undefined || status >= 500 || status === 408 || status === 429;
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
