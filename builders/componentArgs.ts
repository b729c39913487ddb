/**
 * Shared by every component's argument check: the problems of one component's arguments, found by
 * its pure `validate<Component>Args` before `super` (so nothing is registered), are thrown together
 * as one error naming the component, its name, and each argument with the rule it breaks.
 */

/** Throws one error listing every problem; returns when there is none. */
export function throwIfInvalidArgs(component: string, name: string, problems: readonly string[]): void {
    if (problems.length === 0) return;
    throw new Error(`${component} ${name}: invalid arguments (${problems.length}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** The problems among the results of `...Problem` checks (undefined: that check passed). */
export function problemsOf(...results: (string | undefined)[]): string[] {
    return results.filter((p): p is string => p !== undefined);
}

/**
 * Retention values CloudWatch Logs accepts (PutRetentionPolicy's retentionInDays).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export function logRetentionProblem(key: string, days: number): string | undefined {
    if ((LOG_RETENTION_DAYS as readonly number[]).includes(days)) return undefined;
    return `${key}: ${days} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`;
}

/** `key` must be an integer from `min` to `max`. */
export function integerArgProblem(key: string, value: number, min: number, max: number): string | undefined {
    if (Number.isInteger(value) && value >= min && value <= max) return undefined;
    return `${key}: ${value} must be an integer from ${min} to ${max}`;
}

/** A rule's problem (from a `...Problem` check that names no key) under the argument's key. */
export function keyedProblem(key: string, problem: string | undefined): string | undefined {
    return problem === undefined ? undefined : `${key}: ${problem}`;
}

/** `key` must hold something besides white space (names and physical-name suffixes). */
export function nonEmptyProblem(key: string, value: string): string | undefined {
    return value.trim() === "" ? `${key}: must not be empty` : undefined;
}

/** `key` must be an integer of at least 1. */
export function positiveIntegerProblem(key: string, value: number): string | undefined {
    if (Number.isInteger(value) && value >= 1) return undefined;
    return `${key}: ${value} must be a positive integer`;
}

/** Problems of a list that must hold `min` to `max` entries. */
export function listLengthProblem(key: string, length: number, min: number, max: number): string | undefined {
    if (length >= min && length <= max) return undefined;
    return `${key}: needs ${max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`} entries, got ${length}`;
}
