/**
 * Session capability tokens: `v1.` + base64url(HMAC-SHA256(secret, context + sessionId)).
 * Whoever holds the token for a session may read its status and start a new proof attempt; see README.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const CAPABILITY_HEADER = "X-Session-Capability";

const VERSION = "v1";
// Domain separation: the same secret can never yield this token for another purpose.
const CONTEXT = "stark-ballot-simulator/session-capability/v1\n";
/** A shorter secret is a configuration mistake (HMAC-SHA256 wants at least 256 bits of key). */
export const MIN_SECRET_LENGTH = 32;

export function issueCapability(secret: string, sessionId: string): string {
    if (secret.length < MIN_SECRET_LENGTH) {
        throw new Error(`the session capability secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    const mac = createHmac("sha256", secret).update(CONTEXT + sessionId, "utf8").digest("base64url");
    return `${VERSION}.${mac}`;
}

/** Constant-time comparison with the canonical token, so no other encoding of the MAC is accepted. */
export function verifyCapability(secret: string, sessionId: string, token: string): boolean {
    const expected = Buffer.from(issueCapability(secret, sessionId), "utf8");
    const presented = Buffer.from(token, "utf8");
    return presented.length === expected.length && timingSafeEqual(presented, expected);
}
