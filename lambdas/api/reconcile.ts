/**
 * A session stays `running` until the finalize callback writes its result. When the execution ends
 * without that callback (a runtime error in the definition, an operator's StopExecution, the
 * execution timing out, the finalize Lambda giving up), nothing else would ever move the session, so
 * the status route asks Step Functions and records the execution's own failure: the session reaches
 * a terminal state the client sees and can start again from.
 *
 * Best effort: if Step Functions cannot be asked, the answer is the record as stored (and a WARN).
 */
import { DescribeExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { SessionRecord, StepFunctionsError } from "../shared/contracts";
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

export async function reconcileRunningSession(deps: ReconcileDeps, record: SessionRecord): Promise<SessionRecord> {
    const executionArn = record.executionArn;
    if (record.status !== "running" || executionArn === undefined) {
        return record;
    }
    const fields = { sessionId: record.sessionId, executionId: record.executionId, executionArn };
    let execution;
    try {
        execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
        deps.logger.warn("could not describe the session's execution; status left as recorded", { ...fields, ...errorFields(error) });
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
    const result = await deps.sessions.markFailed({ ...fields, error, updatedAt: deps.now().toISOString() });
    if (result.applied) {
        deps.logger.warn("execution ended without a finalize callback; session marked failed", { ...fields, executionStatus: status, error: error.Error });
        return (await deps.sessions.get(record.sessionId)) ?? record;
    }
    // The callback (or another reader) got there first: its write stands.
    return result.current ?? record;
}
