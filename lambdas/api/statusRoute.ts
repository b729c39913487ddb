/**
 * `GET /api/sessions/{id}/status`: the public part of a session record, for the holder of its
 * capability. An attempt that can no longer end by itself (undispatched, or its execution ended
 * without a result) is settled first (see reconcile.ts).
 */
import type { Hono } from "hono";
import type { SessionRecord } from "../shared/contracts";
import { CAPABILITY_HEADER, verifyCapability } from "./capability";
import type { ApiEnv } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";
import { reconcileSession } from "./reconcile";
import { checkSessionId } from "./requests";

export type SessionStatusView = Pick<SessionRecord, "sessionId" | "status" | "executionId" | "bundleKey" | "verificationReportKey" | "error" | "updatedAt"> & {
    /** Presigned GET of the bundle, present once the proof succeeded. */
    bundleUrl?: string;
    bundleUrlExpiresInSeconds?: number;
    /** Presigned GET of the verifier's report (verification.json), present once a verified proof succeeded. */
    verificationReportUrl?: string;
    verificationReportUrlExpiresInSeconds?: number;
};

export function registerStatusRoute(app: Hono<ApiEnv>, deps: ApiDeps): void {
    app.get("/api/sessions/:id/status", async (c) => {
        const sessionId = checkSessionId(c.req.param("id"));
        const presented = c.req.header(CAPABILITY_HEADER);
        // Checked before the lookup, so the answer never reveals whether a session exists.
        if (presented === undefined) {
            throw new ApiError(401, "capability_required", `${CAPABILITY_HEADER} header is required`);
        }
        if (!verifyCapability(await deps.secrets.get("sessionCapability"), sessionId, presented)) {
            throw new ApiError(403, "invalid_capability", `${CAPABILITY_HEADER} does not match this session`);
        }
        const stored = await deps.sessions.get(sessionId);
        if (stored === undefined) {
            throw new ApiError(404, "session_not_found", "no proof has been requested for this session");
        }
        const record = await reconcileSession({ ...deps, now: deps.now ?? (() => new Date()) }, stored);
        const view = publicView(record);
        if (record.status === "succeeded" && record.bundleKey !== undefined) {
            const link = await deps.bundleLinks(record.bundleKey);
            view.bundleUrl = link.url;
            view.bundleUrlExpiresInSeconds = link.expiresInSeconds;
        }
        if (record.status === "succeeded" && record.verificationReportKey !== undefined) {
            // Same signer, same prefix-scoped read permission: the report sits beside the bundle.
            const link = await deps.bundleLinks(record.verificationReportKey);
            view.verificationReportUrl = link.url;
            view.verificationReportUrlExpiresInSeconds = link.expiresInSeconds;
        }
        return c.json(view);
    });
}

/** Only these fields leave the api: the item may hold application attributes and the execution ARN. */
export function publicView(record: SessionRecord): SessionStatusView {
    const view: SessionStatusView = {
        sessionId: record.sessionId,
        status: record.status,
        executionId: record.executionId,
        updatedAt: record.updatedAt,
    };
    if (record.bundleKey !== undefined) {
        view.bundleKey = record.bundleKey;
    }
    if (record.verificationReportKey !== undefined) {
        view.verificationReportKey = record.verificationReportKey;
    }
    if (record.error !== undefined) {
        view.error = record.error;
    }
    return view;
}
