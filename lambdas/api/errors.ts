import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Body of every error response: `{error: {code, message}}`. */
export interface ErrorBody {
    error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
    return { error: { code, message } };
}

/**
 * An expected failure with a client-facing code and message; anything else becomes a generic 500.
 * `extra` adds top-level fields to the body beside `error` (what the client needs to recover).
 */
export class ApiError extends Error {
    constructor(
        readonly status: ContentfulStatusCode,
        readonly code: string,
        message: string,
        readonly headers: Record<string, string> = {},
        readonly extra: Record<string, unknown> = {},
        /** What went wrong underneath, for the log line only (never the answer). */
        readonly cause?: unknown,
    ) {
        super(message);
        this.name = "ApiError";
    }
}
