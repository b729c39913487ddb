/**
 * Session capability tokens, issued by `POST /api/sessions`:
 *
 *   `v2.<issuedAt>.<base64url(HMAC-SHA256(secret, context + sessionId + "\n" + issuedAt))>`
 *
 * `issuedAt` is whole epoch seconds in decimal. The MAC binds the token to one session and to its
 * issue time, so the time cannot be moved forward without the secret; a token older than the
 * configured lifetime is refused. Whoever holds a live token for a session may read its status and
 * start a proof attempt; see README.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const CAPABILITY_HEADER = "X-Session-Capability";

const VERSION = "v2";
// Domain separation: the same secret can never yield this token for another purpose (nor a v1 token).
const CONTEXT = "stark-ballot-simulator/session-capability/v2\n";
/** A shorter secret is a configuration mistake (HMAC-SHA256 wants at least 256 bits of key). */
export const MIN_SECRET_LENGTH = 32;
/** Clocks of two api containers may differ a little; a token from further in the future is forged or misissued. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

const TOKEN_PATTERN = /^v2\.(0|[1-9]\d{0,11})\.[A-Za-z0-9_-]{43}$/;

export type CapabilityCheck = "valid" | "invalid" | "expired";

function mac(secret: string, sessionId: string, issuedAtSeconds: number): string {
    if (secret.length < MIN_SECRET_LENGTH) {
        throw new Error(`the session capability secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return createHmac("sha256", secret).update(`${CONTEXT}${sessionId}\n${issuedAtSeconds}`, "utf8").digest("base64url");
}

export function issueCapability(secret: string, sessionId: string, issuedAt: Date): string {
    const seconds = Math.floor(issuedAt.getTime() / 1000);
    return `${VERSION}.${seconds}.${mac(secret, sessionId, seconds)}`;
}

/** When a token issued here stops working (read from the token; call only on a token just issued or verified). */
export function capabilityExpiresAt(token: string, ttlSeconds: number): Date {
    return new Date((Number(token.split(".")[1]) + ttlSeconds) * 1000);
}

/**
 * Recomputes the token for the issue time it carries and compares the whole canonical token in
 * constant time (no other encoding of the MAC is accepted); only a genuine token is then judged by
 * its age, so `expired` is never the answer to a forgery.
 */
export function verifyCapability(secret: string, sessionId: string, token: string, now: Date, ttlSeconds: number): CapabilityCheck {
    const parsed = TOKEN_PATTERN.exec(token);
    // Compared against a well-formed token even for garbage, so the time taken does not depend on the input.
    const issuedAtSeconds = parsed === null ? 0 : Number(parsed[1]);
    const expected = Buffer.from(`${VERSION}.${issuedAtSeconds}.${mac(secret, sessionId, issuedAtSeconds)}`, "utf8");
    const presented = Buffer.from(token, "utf8");
    const genuine = presented.length === expected.length && timingSafeEqual(presented, expected) && parsed !== null;
    if (!genuine) {
        return "invalid";
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (issuedAtSeconds > nowSeconds + MAX_CLOCK_SKEW_SECONDS) {
        return "invalid";
    }
    return nowSeconds - issuedAtSeconds > ttlSeconds ? "expired" : "valid";
}
