/**
 * Writes an execution's terminal result to its session. The write is conditional on the session
 * still describing this attempt and that attempt still being active, so a late callback for an old
 * attempt or a duplicate delivery never overwrites anything; both return normally (a throw would
 * fail the execution and page someone for a harmless race).
 */
import { bundleObjectKey, type FinalizeEvent, inputObjectKey, type SessionStatus, verificationReportKey } from "../shared/contracts";
import type { Logger } from "../shared/log";
import type { SessionStore, TransitionResult } from "../shared/sessionStore";
import { InvalidInput } from "../shared/validation";
import { parseFinalizeEvent } from "./finalizeEvent";

export type FinalizeOutcome =
    /** The terminal state was written. */
    | "updated"
    /** This attempt already has this terminal state: a duplicate delivery. */
    | "duplicate"
    /** The session now describes a newer attempt. */
    | "ignored-stale"
    /** This attempt already ended with the other terminal state; the first result stands. */
    | "ignored-conflicting"
    /** No such session (deleted, or never created by the api). */
    | "ignored-missing";

export interface FinalizeSummary {
    sessionId: string;
    executionId: string;
    status: Extract<SessionStatus, "succeeded" | "failed">;
    outcome: FinalizeOutcome;
}

export interface FinalizeDeps {
    sessions: SessionStore;
    proofPrefix: string;
    /** Only executions of this state machine may finalize a session. */
    stateMachineArn: string;
    logger: Logger;
    now?: () => Date;
}

export function createFinalizeHandler(deps: FinalizeDeps) {
    return async (rawEvent: unknown): Promise<FinalizeSummary> => {
        let event: FinalizeEvent;
        try {
            event = parseFinalizeEvent(rawEvent);
            checkOrigin(event, deps);
        } catch (error) {
            if (error instanceof InvalidInput) {
                deps.logger.error("rejected finalize event", { problems: error.problems });
            }
            throw error;
        }
        const { sessionId, executionId } = event.payload;
        const updatedAt = (deps.now ?? (() => new Date()))().toISOString();
        const status = event.status === "SUCCEEDED" ? "succeeded" : "failed";
        const result =
            event.status === "SUCCEEDED"
                ? await deps.sessions.markSucceeded({
                      sessionId,
                      executionId,
                      executionArn: event.executionArn,
                      bundleKey: bundleObjectKey(deps.proofPrefix, sessionId, executionId),
                      // Derived here like the bundle key, never taken from the event; present only when verified.
                      ...(event.verification === undefined ? {} : { verificationReportKey: verificationReportKey(deps.proofPrefix, sessionId, executionId) }),
                      updatedAt,
                  })
                : await deps.sessions.markFailed({
                      sessionId,
                      executionId,
                      executionArn: event.executionArn,
                      error: event.error,
                      updatedAt,
                  });
        const outcome = classify(result, executionId, status);
        const summary: FinalizeSummary = { sessionId, executionId, status, outcome };
        logOutcome(deps.logger, summary, result);
        return summary;
    };
}

/**
 * The event must come from an execution of this stack's state machine (same partition, region,
 * account and name: `arn:<p>:states:<r>:<a>:execution:<name>:<executionId>`) and name the input key
 * that belongs to its attempt. Anything else is refused before the session is touched: the function
 * is invoked only by that state machine, so such an event is a forgery or a wiring mistake.
 */
function checkOrigin(event: FinalizeEvent, deps: FinalizeDeps): void {
    const { sessionId, executionId, inputS3Key } = event.payload;
    const problems: string[] = [];
    const expectedArn = `${deps.stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionId}`;
    if (event.executionArn !== expectedArn) {
        problems.push(`executionArn must be an execution of ${deps.stateMachineArn} named payload.executionId`);
    }
    if (inputS3Key !== inputObjectKey(deps.proofPrefix, sessionId, executionId)) {
        problems.push("payload.inputS3Key must be the input key of this session's attempt");
    }
    if (problems.length > 0) {
        throw new InvalidInput("finalize event", problems);
    }
}

function classify(result: TransitionResult, executionId: string, status: SessionStatus): FinalizeOutcome {
    if (result.applied) {
        return "updated";
    }
    const current = result.current;
    if (current === undefined) {
        return "ignored-missing";
    }
    if (current.executionId !== executionId) {
        return "ignored-stale";
    }
    if (current.status === status) {
        return "duplicate";
    }
    if (current.status === "succeeded" || current.status === "failed") {
        return "ignored-conflicting";
    }
    // Same attempt, still active, yet the condition failed: only a concurrent writer explains it. Retry.
    throw new Error(`session ${current.sessionId} changed during finalize; status is ${current.status}`);
}

function logOutcome(logger: Logger, summary: FinalizeSummary, result: TransitionResult): void {
    const current = result.applied ? undefined : result.current;
    const fields = {
        ...summary,
        ...(current === undefined ? {} : { currentExecutionId: current.executionId, currentStatus: current.status }),
    };
    switch (summary.outcome) {
        case "updated":
            logger.info("session finalized", fields);
            return;
        case "duplicate":
            logger.info("duplicate finalize callback; nothing to do", fields);
            return;
        case "ignored-stale":
            logger.warn("finalize callback for an older attempt ignored", fields);
            return;
        case "ignored-conflicting":
            logger.warn("finalize callback conflicts with this attempt's recorded result; first result kept", fields);
            return;
        case "ignored-missing":
            logger.warn("finalize callback for an unknown session ignored", fields);
            return;
    }
}
