/**
 * `GET /api/sessions/{id}/status`: the public part of a session record, for the holder of its
 * live capability. An attempt that can no longer end by itself (undispatched, or its execution ended
 * without a result) is settled first (see reconcile.ts). A failure is shown as a fixed client code
 * (clientErrors.ts), never the stored Cause.
 */
import type { Hono } from "hono";
import type { SessionRecord } from "../shared/contracts";
import { requireCapability } from "./capabilityCheck";
import { type ClientError, clientError } from "./clientErrors";
import type { ApiEnv } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";
import { reconcileSession } from "./reconcile";
import { checkSessionId } from "./requests";

export interface SessionStatusView {
    sessionId: string;
    /** `created`: the session exists and no proof was requested yet. */
    status: SessionRecord["status"] | "created";
    executionId?: string;
    updatedAt?: string;
    bundleKey?: string;
    /** Presigned GET of the bundle, present once the proof succeeded. */
    bundleUrl?: string;
    bundleUrlExpiresInSeconds?: number;
    /** Key and presigned GET of the verifier's report (verification.json), present once a verified proof succeeded. */
    verificationReportKey?: string;
    verificationReportUrl?: string;
    verificationReportUrlExpiresInSeconds?: number;
    /** Set when status is `failed`: a fixed code and message (clientErrors.ts). */
    error?: ClientError;
    /** Bundles of earlier succeeded attempts (when re-proving replaced them), each with a presigned GET. */
    earlierBundles?: { executionId: string; bundleKey: string; succeededAt: string; bundleUrl: string }[];
}

export function registerStatusRoute(app: Hono<ApiEnv>, deps: ApiDeps): void {
    app.get("/api/sessions/:id/status", async (c) => {
        const sessionId = checkSessionId(c.req.param("id"));
        await requireCapability(c, deps, sessionId);
        const stored = await deps.sessions.get(sessionId);
        if (stored === undefined) {
            throw new ApiError(404, "session_not_found", "no such session");
        }
        // A session from POST /api/sessions (or the application) before its first attempt.
        if ((stored.status as SessionRecord["status"] | undefined) === undefined) {
            return c.json({ sessionId, status: "created" } satisfies SessionStatusView);
        }
        const record = await reconcileSession({ ...deps, now: deps.now ?? (() => new Date()) }, stored);
        const view = publicView(record);
        if (record.status === "succeeded" && record.bundleKey !== undefined) {
            const link = await deps.bundleLinks(record.bundleKey);
            view.bundleUrl = link.url;
            view.bundleUrlExpiresInSeconds = link.expiresInSeconds;
        }
        if (record.earlierBundles !== undefined && record.earlierBundles.length > 0) {
            view.earlierBundles = await Promise.all(
                record.earlierBundles.map(async (earlier) => ({ ...earlier, bundleUrl: (await deps.bundleLinks(earlier.bundleKey)).url })),
            );
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
        view.error = clientError(record.error);
    }
    return view;
}
