/**
 * The gate every session route passes first: the request must carry a live capability for the
 * session in the path or body. It runs before the session is looked up, so an answer never reveals
 * whether a session exists to someone without its capability.
 */
import type { Context } from "hono";
import { CAPABILITY_HEADER, verifyCapability } from "./capability";
import type { ApiEnv } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";

export async function requireCapability(c: Context<ApiEnv>, deps: ApiDeps, sessionId: string): Promise<void> {
    const presented = c.req.header(CAPABILITY_HEADER);
    if (presented === undefined) {
        throw new ApiError(401, "capability_required", `${CAPABILITY_HEADER} header is required`);
    }
    const now = (deps.now ?? (() => new Date()))();
    const check = verifyCapability(await deps.secrets.get("sessionCapability"), sessionId, presented, now, deps.config.capabilityTtlSeconds);
    if (check === "expired") {
        throw new ApiError(403, "capability_expired", `${CAPABILITY_HEADER} has expired; create a new session`);
    }
    if (check !== "valid") {
        throw new ApiError(403, "invalid_capability", `${CAPABILITY_HEADER} does not match this session`);
    }
}
