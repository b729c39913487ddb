/**
 * Settles attempts nothing else would ever move, when the status route reads them, so the session
 * reaches a terminal state the client sees and can start again from:
 *
 * - `running`, but the execution ended without the finalize callback (a runtime error in the
 *   definition, an operator's StopExecution, the execution timing out, the finalize Lambda giving
 *   up): Step Functions is asked and the execution's own failure is recorded;
 * - `pending` for longer than DISPATCH_DEADLINE_SECONDS: the work message went to the DLQ or was
 *   lost; `DispatchTimedOut` is recorded (a late redrive of it then starts nothing).
 *
 * Every write is conditional on the attempt, like all session writes. Best effort: if Step Functions
 * cannot be asked, the answer is the record as stored (and a WARN).
 */
import { DescribeExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { DISPATCH_DEADLINE_SECONDS, DISPATCH_TIMED_OUT_ERROR, type SessionRecord, type StepFunctionsError } from "../shared/contracts";
import { errorFields, type Logger } from "../shared/log";
import type { SessionStore } from "../shared/sessionStore";

export interface ReconcileDeps {
    sfn: SFNClient;
    sessions: SessionStore;
    logger: Logger;
    now: () => Date;
}

/** Execution statuses that end it; SUCCEEDED always ran FinalizeSucceeded, PENDING_REDRIVE may still continue. */
const ENDED_WITHOUT_RESULT: Readonly<Record<string, string>> = {
    FAILED: "ExecutionFailed",
    TIMED_OUT: "States.Timeout",
    ABORTED: "ExecutionAborted",
};

export async function reconcileSession(deps: ReconcileDeps, record: SessionRecord): Promise<SessionRecord> {
    if (record.status === "pending") {
        return settleUndispatched(deps, record);
    }
    if (record.status === "running" && record.executionArn !== undefined) {
        return settleEndedExecution(deps, record, record.executionArn);
    }
    return record;
}

async function settleUndispatched(deps: ReconcileDeps, record: SessionRecord): Promise<SessionRecord> {
    const pendingMs = deps.now().getTime() - Date.parse(record.updatedAt);
    if (!(pendingMs > DISPATCH_DEADLINE_SECONDS * 1000)) {
        return record;
    }
    const error = {
        Error: DISPATCH_TIMED_OUT_ERROR,
        Cause: `the work message was not dispatched within ${DISPATCH_DEADLINE_SECONDS} s; it is in the prover work DLQ or was lost`,
    };
    return markFailed(deps, record, undefined, error, { pendingSeconds: Math.round(pendingMs / 1000) });
}

async function settleEndedExecution(deps: ReconcileDeps, record: SessionRecord, executionArn: string): Promise<SessionRecord> {
    let execution;
    try {
        execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
        deps.logger.warn("could not describe the session's execution; status left as recorded", {
            sessionId: record.sessionId,
            executionId: record.executionId,
            executionArn,
            ...errorFields(error),
        });
        return record;
    }
    const status = execution.status ?? "";
    const fallbackError = ENDED_WITHOUT_RESULT[status];
    if (fallbackError === undefined) {
        return record;
    }
    const error: StepFunctionsError = {
        Error: execution.error ?? fallbackError,
        Cause: execution.cause ?? `the execution ended ${status} without reporting a result to the session`,
    };
    return markFailed(deps, record, executionArn, error, { executionStatus: status });
}

async function markFailed(
    deps: ReconcileDeps,
    record: SessionRecord,
    executionArn: string | undefined,
    error: StepFunctionsError,
    why: Record<string, unknown>,
): Promise<SessionRecord> {
    const ref = { sessionId: record.sessionId, executionId: record.executionId };
    const result = await deps.sessions.markFailed({ ...ref, executionArn, error, updatedAt: deps.now().toISOString() });
    if (result.applied) {
        deps.logger.warn("attempt ended without a result; session marked failed", { ...ref, executionArn, ...why, error: error.Error });
        return (await deps.sessions.get(record.sessionId)) ?? record;
    }
    // Dispatch or the callback got there first: its write stands.
    return result.current ?? record;
}
