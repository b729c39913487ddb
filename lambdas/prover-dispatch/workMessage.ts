import type { WorkMessage } from "../shared/contracts";
import {
    EXECUTION_ID_PATTERN,
    EXECUTION_ID_RULE,
    InvalidInput,
    SESSION_ID_PATTERN,
    SESSION_ID_RULE,
    checkString,
    isIsoTimestamp,
    isPlainObject,
} from "../shared/validation";

const SUBJECT = "work message";

/**
 * Parses an SQS body into a WorkMessage. Fields beyond the contract are ignored rather than rejected,
 * so a newer api can add some without sending every message to the DLQ.
 */
export function parseWorkMessage(body: string): WorkMessage {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        throw new InvalidInput(SUBJECT, ["body is not valid JSON"]);
    }
    if (!isPlainObject(parsed)) {
        throw new InvalidInput(SUBJECT, ["body must be a JSON object"]);
    }
    const problems: string[] = [];
    const sessionId = checkString(parsed, "sessionId", problems, SESSION_ID_PATTERN, SESSION_ID_RULE);
    const executionId = checkString(parsed, "executionId", problems, EXECUTION_ID_PATTERN, EXECUTION_ID_RULE);
    if (!isIsoTimestamp(parsed.queuedAt)) {
        problems.push("queuedAt must be an ISO-8601 date-time with a time zone");
    }
    if (!isPlainObject(parsed.input)) {
        problems.push("input must be a JSON object");
    }
    if (problems.length > 0) {
        throw new InvalidInput(SUBJECT, problems);
    }
    return {
        sessionId,
        executionId,
        queuedAt: parsed.queuedAt as string,
        input: parsed.input as Record<string, unknown>,
    };
}
