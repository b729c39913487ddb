/** Validation of request bodies and path parameters; each failure is a 400 naming the field and the rule. */
import { SESSION_ID_PATTERN, SESSION_ID_RULE, isPlainObject } from "../shared/validation";
import { ApiError } from "./errors";
import { scanJsonObject } from "./rawJson";

/**
 * The work message must fit an SQS message (256 KiB by default); the body bound leaves room for the
 * message's own fields.
 */
export const MAX_FINALIZE_BODY_BYTES = 192 * 1024;

/**
 * Nesting levels allowed in a proof input (the input object itself is level 1): far below the
 * recursion limits of V8's JSON.stringify and of serde_json (128) that the zkVM host parses with.
 */
export const MAX_INPUT_DEPTH = 64;

export interface FinalizeRequest {
    sessionId: string;
    /** The input object exactly as the client sent it (its raw JSON text). */
    inputJson: string;
}

export interface CreateSessionRequest {
    captchaToken?: unknown;
}

export function checkJsonContentType(contentType: string | undefined): void {
    if (!/^application\/json(\s*;|$)/i.test(contentType ?? "")) {
        throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
    }
}

export function parseJsonBody(contentType: string | undefined, text: string): unknown {
    checkJsonContentType(contentType);
    try {
        return JSON.parse(text);
    } catch {
        throw new ApiError(400, "invalid_json", "request body is not valid JSON");
    }
}

/**
 * `{sessionId, input}`, scanned before it is parsed (depth and numbers, see rawJson.ts), with the raw
 * text of `input` kept so it reaches input.json byte for byte.
 */
export function parseFinalizeRequest(contentType: string | undefined, text: string): FinalizeRequest {
    checkJsonContentType(contentType);
    // Depth counts from the body: the input object sits one level below it.
    const members = scanJsonObject(text, MAX_INPUT_DEPTH + 1);
    const body = JSON.parse(text) as Record<string, unknown>;
    const unexpected = Object.keys(body).filter((key) => key !== "sessionId" && key !== "input");
    if (unexpected.length > 0) {
        throw new ApiError(400, "invalid_request", `unexpected field(s): ${unexpected.join(", ")}`);
    }
    const sessionId = checkSessionId(body.sessionId);
    if (!isPlainObject(body.input)) {
        throw new ApiError(400, "invalid_input", "input must be a JSON object");
    }
    return { sessionId, inputJson: members.get("input")! };
}

/** `POST /api/sessions`: an empty body, or `{captchaToken}`. */
export function parseCreateSessionRequest(contentType: string | undefined, text: string): CreateSessionRequest {
    if (text.trim() === "") {
        return {};
    }
    const body = parseJsonBody(contentType, text);
    if (!isPlainObject(body)) {
        throw new ApiError(400, "invalid_request", "request body must be a JSON object {captchaToken}");
    }
    const unexpected = Object.keys(body).filter((key) => key !== "captchaToken");
    if (unexpected.length > 0) {
        throw new ApiError(400, "invalid_request", `unexpected field(s): ${unexpected.join(", ")}`);
    }
    return { captchaToken: body.captchaToken };
}

export function checkSessionId(value: unknown): string {
    if (typeof value !== "string" || !SESSION_ID_PATTERN.test(value)) {
        throw new ApiError(400, "invalid_session_id", `sessionId must be ${SESSION_ID_RULE}`);
    }
    return value;
}
