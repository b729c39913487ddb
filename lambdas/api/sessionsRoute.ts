/**
 * `POST /api/sessions`: creates a session with a random id and answers its capability, the token
 * every later request about the session presents. Captcha-checked (Cloudflare Turnstile) unless the
 * captcha secret is the documented sentinel (captcha.ts). The id is drawn here, never chosen by the
 * client, so the answer cannot tell anyone whether some session exists.
 */
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { capabilityExpiresAt, issueCapability } from "./capability";
import { captchaConfigured, MAX_CAPTCHA_TOKEN_LENGTH, verifyCaptcha } from "./captcha";
import { type ApiEnv, sourceIp } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError, errorBody } from "./errors";
import { SESSION_RATE_LIMIT } from "./rateLimit";
import { parseCreateSessionRequest } from "./requests";

/** Room for a maximal captcha token and the JSON around it. */
export const MAX_CREATE_SESSION_BODY_BYTES = MAX_CAPTCHA_TOKEN_LENGTH + 1024;

export function registerSessionsRoute(app: Hono<ApiEnv>, deps: ApiDeps): void {
    const now = deps.now ?? (() => new Date());
    const newSessionId = deps.newSessionId ?? randomUUID;
    const rule = deps.sessionRateLimit ?? SESSION_RATE_LIMIT;

    app.post(
        "/api/sessions",
        bodyLimit({
            maxSize: MAX_CREATE_SESSION_BODY_BYTES,
            onError: (c) => c.json(errorBody("payload_too_large", `request body exceeds ${MAX_CREATE_SESSION_BODY_BYTES} bytes`), 413),
        }),
        async (c) => {
            const decision = await deps.rateLimiter.hit("sessions", sourceIp(c), rule);
            if (!decision.allowed) {
                throw new ApiError(429, "rate_limited", "too many sessions created; retry later", {
                    "Retry-After": String(decision.retryAfterSeconds),
                });
            }
            const request = parseCreateSessionRequest(c.req.header("Content-Type"), await c.req.text());
            const captchaSecret = await deps.secrets.get("captcha");
            if (captchaConfigured(captchaSecret)) {
                await verifyCaptcha({
                    url: deps.config.captchaVerifyUrl,
                    secret: captchaSecret,
                    token: request.captchaToken,
                    remoteIp: sourceIp(c),
                    fetch: deps.fetch,
                });
            }
            const createdAt = now();
            // A random UUID collides with nothing in practice; a second draw covers the impossible case.
            let sessionId = newSessionId();
            if (!(await deps.sessions.createSession(sessionId, createdAt.toISOString()))) {
                sessionId = newSessionId();
                if (!(await deps.sessions.createSession(sessionId, createdAt.toISOString()))) {
                    throw new Error("could not draw an unused session id twice in a row");
                }
            }
            const capability = issueCapability(await deps.secrets.get("sessionCapability"), sessionId, createdAt);
            deps.logger.info("session created", { sessionId, captchaChecked: captchaConfigured(captchaSecret) });
            return c.json(
                { sessionId, capability, expiresAt: capabilityExpiresAt(capability, deps.config.capabilityTtlSeconds).toISOString() },
                201,
            );
        },
    );
}
