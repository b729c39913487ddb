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
    const inputJson = readInputJson(parsed, problems);
    if (problems.length > 0) {
        throw new InvalidInput(SUBJECT, problems);
    }
    return { sessionId, executionId, queuedAt: parsed.queuedAt as string, inputJson: inputJson! };
}

/**
 * `inputJson`: the client's input text, which must be a JSON object and is kept as it is. A message
 * an older api queued carries `input` as an object instead (serialized here, as that api did).
 */
function readInputJson(parsed: Record<string, unknown>, problems: string[]): string | undefined {
    if (typeof parsed.inputJson === "string") {
        let value: unknown;
        try {
            value = JSON.parse(parsed.inputJson);
        } catch {
            problems.push("inputJson must be the text of a JSON object");
            return undefined;
        }
        if (!isPlainObject(value)) {
            problems.push("inputJson must be the text of a JSON object");
        }
        return parsed.inputJson;
    }
    if (parsed.inputJson === undefined && isPlainObject(parsed.input)) {
        return JSON.stringify(parsed.input);
    }
    problems.push("inputJson must be the text of a JSON object");
    return undefined;
}
