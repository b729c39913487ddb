/** Small validators shared by the handlers; each collects every problem so one error names them all. */

/**
 * Thrown for input that can never succeed. The name is what Step Functions shows as the task's
 * `Error`, so it is stable and short.
 */
export class InvalidInput extends Error {
    constructor(
        readonly subject: string,
        readonly problems: readonly string[],
    ) {
        super(`invalid ${subject}: ${problems.join("; ")}`);
        this.name = "InvalidInput";
    }
}

/** Session ids become S3 key segments and table keys, so they are restricted to a URL- and key-safe alphabet. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const SESSION_ID_RULE = "1-128 characters of A-Z a-z 0-9 - _";

/**
 * Execution ids are Step Functions execution names (1-80 characters; we allow the subset that is
 * also safe in S3 keys and ARNs). https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export const EXECUTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
export const EXECUTION_ID_RULE = "1-80 characters of A-Z a-z 0-9 - _ (a Step Functions execution name)";

const ISO_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A full ISO-8601 date-time with a zone, that is also a real instant. */
export function isIsoTimestamp(value: unknown): value is string {
    return typeof value === "string" && ISO_TIMESTAMP_PATTERN.test(value) && Number.isFinite(Date.parse(value));
}

/** Checks `record[key]` is a string matching `pattern`; records a problem naming the field and the rule otherwise. */
export function checkString(
    record: Record<string, unknown>,
    key: string,
    problems: string[],
    pattern?: RegExp,
    rule?: string,
): string {
    const value = record[key];
    if (typeof value !== "string" || value.length === 0) {
        problems.push(`${key} must be a non-empty string`);
        return "";
    }
    if (pattern !== undefined && !pattern.test(value)) {
        problems.push(`${key} must be ${rule ?? `a string matching ${pattern}`}`);
    }
    return value;
}

/** Records a problem for every key of `record` outside `allowed`. */
export function checkNoExtraKeys(
    record: Record<string, unknown>,
    allowed: readonly string[],
    problems: string[],
    where = "",
): void {
    for (const key of Object.keys(record)) {
        if (!allowed.includes(key)) {
            problems.push(`unexpected field ${where}${key}`);
        }
    }
}
