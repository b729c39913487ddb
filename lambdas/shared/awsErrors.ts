/** Classifies AWS SDK v3 errors by name, which (unlike `instanceof`) survives bundling and mocking. */

const THROTTLING_NAMES = new Set([
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
]);

interface SdkErrorShape {
    name?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
}

export function hasErrorName(error: unknown, name: string): boolean {
    return typeof error === "object" && error !== null && (error as SdkErrorShape).name === name;
}

/** Throttling, server-side (5xx) and SDK-marked retryable errors: a later attempt may succeed. */
export function isTransientAwsError(error: unknown): boolean {
    if (typeof error !== "object" || error === null) {
        return false;
    }
    const shape = error as SdkErrorShape;
    if (typeof shape.name === "string" && THROTTLING_NAMES.has(shape.name)) {
        return true;
    }
    if (shape.$retryable !== undefined && shape.$retryable !== null) {
        return true;
    }
    const status = shape.$metadata?.httpStatusCode;
    return typeof status === "number" && status >= 500;
}
