/**
 * Classifies AWS SDK v3 errors with the SDK's own rules (`@smithy/service-error-classification`,
 * what its standard retry strategy decides with), by name and metadata, which (unlike `instanceof`)
 * survive bundling and mocking. Used by the Lambdas and the prover runner alike.
 */
import { isServerError, isThrottlingError, isTransientError } from "@smithy/service-error-classification";

type SdkErrorLike = Parameters<typeof isTransientError>[0];

export function hasErrorName(error: unknown, name: string): boolean {
    return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}

/**
 * Throttling (by name or 429), transient (the SDK's `$retryable` trait, timeouts, 500/502/503/504,
 * connection resets) and any other server-side (5xx) error: a later attempt may succeed. An aborted
 * call (`AbortError`) was stopped on purpose and is never transient.
 */
export function isTransientAwsError(error: unknown): boolean {
    if (typeof error !== "object" || error === null) return false;
    const e = error as SdkErrorLike;
    if (e.name === "AbortError") return false;
    return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}
