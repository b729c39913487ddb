/** Validation of request bodies and path parameters; each failure is a 400 naming the field and the rule. */
import { SESSION_ID_PATTERN, SESSION_ID_RULE, isPlainObject } from "../shared/validation";
import { ApiError } from "./errors";

/**
 * The work message must fit an SQS message (256 KiB by default); the body bound leaves room for the
 * message's own fields.
 */
export const MAX_FINALIZE_BODY_BYTES = 192 * 1024;

export interface FinalizeRequest {
    sessionId: string;
    input: Record<string, unknown>;
}

export function parseJsonBody(contentType: string | undefined, text: string): unknown {
    if (!/^application\/json(\s*;|$)/i.test(contentType ?? "")) {
        throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
    }
    try {
        return JSON.parse(text);
    } catch {
        throw new ApiError(400, "invalid_json", "request body is not valid JSON");
    }
}

export function parseFinalizeRequest(body: unknown): FinalizeRequest {
    if (!isPlainObject(body)) {
        throw new ApiError(400, "invalid_request", "request body must be a JSON object {sessionId, input}");
    }
    const unexpected = Object.keys(body).filter((key) => key !== "sessionId" && key !== "input");
    if (unexpected.length > 0) {
        throw new ApiError(400, "invalid_request", `unexpected field(s): ${unexpected.join(", ")}`);
    }
    const sessionId = checkSessionId(body.sessionId);
    if (!isPlainObject(body.input)) {
        throw new ApiError(400, "invalid_input", "input must be a JSON object");
    }
    return { sessionId, input: body.input };
}

export function checkSessionId(value: unknown): string {
    if (typeof value !== "string" || !SESSION_ID_PATTERN.test(value)) {
        throw new ApiError(400, "invalid_session_id", `sessionId must be ${SESSION_ID_RULE}`);
    }
    return value;
}
