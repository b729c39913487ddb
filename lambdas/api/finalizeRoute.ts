/**
 * `POST /api/finalize`: start a proof attempt for a session and queue it for prover-dispatch.
 *
 * A session without proof state may be started by anyone and the response hands out its capability;
 * a finished session may be started again only with that capability; a pending or running one never (409).
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { WorkMessage } from "../shared/contracts";
import { errorFields } from "../shared/log";
import { isTerminal } from "../shared/sessionStore";
import { CAPABILITY_HEADER, issueCapability, verifyCapability } from "./capability";
import { type ApiEnv, sourceIp } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError, errorBody } from "./errors";
import { FINALIZE_RATE_LIMIT } from "./rateLimit";
import { MAX_FINALIZE_BODY_BYTES, parseFinalizeRequest, parseJsonBody } from "./requests";
import { checkWorkMessage } from "./workMessageLimits";

/** Recorded on the session when the work message could not be queued, so the session is not stuck `pending`. */
export const ENQUEUE_FAILED_ERROR = "EnqueueFailed";

export function registerFinalizeRoute(app: Hono<ApiEnv>, deps: ApiDeps): void {
    const now = deps.now ?? (() => new Date());
    const newExecutionId = deps.newExecutionId ?? randomUUID;
    const rule = deps.finalizeRateLimit ?? FINALIZE_RATE_LIMIT;

    app.post(
        "/api/finalize",
        bodyLimit({
            maxSize: MAX_FINALIZE_BODY_BYTES,
            onError: (c) => c.json(errorBody("payload_too_large", `request body exceeds ${MAX_FINALIZE_BODY_BYTES} bytes`), 413),
        }),
        async (c) => {
            // Counted before any other work, so rejected requests also spend the client's budget.
            const decision = await deps.rateLimiter.hit("finalize", sourceIp(c), rule);
            if (!decision.allowed) {
                throw new ApiError(429, "rate_limited", "too many proof requests; retry later", {
                    "Retry-After": String(decision.retryAfterSeconds),
                });
            }
            const { sessionId, input } = parseFinalizeRequest(parseJsonBody(c.req.header("Content-Type"), await c.req.text()));
            const secret = await deps.secrets.get("sessionCapability");
            const presented = c.req.header(CAPABILITY_HEADER);
            if (presented !== undefined && !verifyCapability(secret, sessionId, presented)) {
                throw new ApiError(403, "invalid_capability", `${CAPABILITY_HEADER} does not match this session`);
            }

            const executionId = newExecutionId();
            const queuedAt = now().toISOString();
            const message: WorkMessage = { sessionId, executionId, queuedAt, input };
            const messageBody = JSON.stringify(message);
            // Before the attempt exists: input SQS cannot carry is the client's error, not a queue outage.
            checkWorkMessage(messageBody, deps.config.workQueueMaxMessageBytes);
            // The global budget, spent only once the request is valid and right before the attempt exists:
            // over budget nothing is created or queued (429 with the window's end).
            const budget = await deps.proofBudget.spend();
            if (!budget.allowed) {
                deps.logger.warn("proof budget exhausted", { sessionId, window: budget.exhausted });
                throw new ApiError(429, "proof_budget_exhausted", `the ${budget.exhausted}'s proof budget is spent; retry later`, {
                    "Retry-After": String(budget.retryAfterSeconds),
                });
            }
            const refund = () => deps.proofBudget.refund(budget.spent).catch((error) => deps.logger.error("could not refund the proof budget", errorFields(error)));
            const created = await deps.sessions.createAttempt({
                sessionId,
                executionId,
                queuedAt,
                replaceFinished: presented !== undefined,
            });
            if (!created.applied) {
                await refund();
                if (created.current !== undefined && isTerminal(created.current.status)) {
                    throw new ApiError(403, "capability_required", `a new attempt for an existing session needs ${CAPABILITY_HEADER}`);
                }
                throw new ApiError(409, "session_busy", "a proof for this session is already pending or running");
            }

            try {
                await deps.sqs.send(new SendMessageCommand({ QueueUrl: deps.config.workQueueUrl, MessageBody: messageBody }));
            } catch (error) {
                deps.logger.error("could not queue proof work", { sessionId, executionId, ...errorFields(error) });
                await abandonAttempt(deps, sessionId, executionId, now().toISOString());
                await refund();
                // The attempt is now finished (failed), so a retry needs the capability: hand it out here
                // too, or the client that created the session could never start it again.
                throw new ApiError(503, "queue_unavailable", "the proof request could not be queued; retry later", {}, {
                    sessionId,
                    capability: issueCapability(secret, sessionId),
                });
            }
            deps.logger.info("proof queued", { sessionId, executionId });
            return c.json(
                { sessionId, executionId, status: "pending" as const, capability: issueCapability(secret, sessionId) },
                202,
            );
        },
    );
}

async function abandonAttempt(deps: ApiDeps, sessionId: string, executionId: string, updatedAt: string): Promise<void> {
    try {
        await deps.sessions.markFailed({
            sessionId,
            executionId,
            updatedAt,
            error: { Error: ENQUEUE_FAILED_ERROR, Cause: "the work message could not be sent to the prover work queue" },
        });
    } catch (error) {
        // The 503 still goes out; the session stays pending and needs an operator (see README).
        deps.logger.error("could not mark the unqueued attempt failed", { sessionId, executionId, ...errorFields(error) });
    }
}
