/**
 * `POST /api/finalize`: start a proof attempt for a session and queue it for prover-dispatch.
 *
 * Every attempt needs the session's live capability (from `POST /api/sessions`), checked before the
 * session is looked up. A session with no attempt or a failed one gets a new attempt; a pending or
 * running one never (409); a succeeded one only when the stack allows re-proving (409 otherwise).
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { SessionRecord, WorkMessage } from "../shared/contracts";
import { errorFields } from "../shared/log";
import { requireCapability } from "./capabilityCheck";
import { type ApiEnv, sourceIp } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError, errorBody } from "./errors";
import { FINALIZE_RATE_LIMIT } from "./rateLimit";
import { MAX_FINALIZE_BODY_BYTES, parseFinalizeRequest } from "./requests";
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
            const { sessionId, inputJson } = parseFinalizeRequest(c.req.header("Content-Type"), await c.req.text());
            await requireCapability(c, deps, sessionId);

            const executionId = newExecutionId();
            const queuedAt = now().toISOString();
            const message: WorkMessage = { sessionId, executionId, queuedAt, inputJson };
            const messageBody = JSON.stringify(message);
            // Before the attempt exists: input SQS cannot carry is the client's error, not a queue outage.
            checkWorkMessage(messageBody, deps.config.workQueueMaxMessageBytes);
            // Before anything exists: a record that cannot be read leaves no attempt and spends no budget.
            const expectedImageId = await deps.expectedImageId();
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
            const created = await deps.sessions.createAttempt({ sessionId, executionId, queuedAt, allowReproving: deps.config.allowReproving });
            if (!created.applied) {
                await refund();
                throw refusal(created.current);
            }

            try {
                await deps.sqs.send(new SendMessageCommand({ QueueUrl: deps.config.workQueueUrl, MessageBody: messageBody }));
            } catch (error) {
                deps.logger.error("could not queue proof work", { sessionId, executionId, ...errorFields(error) });
                await abandonAttempt(deps, sessionId, executionId, now().toISOString());
                await refund();
                // The attempt is now failed, so the client may simply retry with its capability.
                throw new ApiError(503, "queue_unavailable", "the proof request could not be queued; retry later", {}, { sessionId });
            }
            deps.logger.info("proof queued", { sessionId, executionId });
            // The image id this attempt's receipt must carry (the verifier checks it against the same record).
            return c.json({ sessionId, executionId, status: "pending" as const, expectedImageId }, 202);
        },
    );
}

/** Why `createAttempt` was refused; only a capability holder gets here, so naming the state reveals nothing. */
function refusal(current: SessionRecord | undefined): ApiError {
    if (current === undefined) {
        return new ApiError(404, "session_not_found", "no such session; create one with POST /api/sessions");
    }
    if (current.status === "succeeded") {
        return new ApiError(409, "already_proven", "this session's proof succeeded; the stack does not allow proving it again");
    }
    return new ApiError(409, "session_busy", "a proof for this session is already pending or running");
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
