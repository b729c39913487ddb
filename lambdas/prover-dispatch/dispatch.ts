/**
 * One SQS record → input.json in S3 → a Step Functions execution named after the attempt → session
 * `running`. Every step is idempotent, so SQS redelivery after any partial failure converges:
 * PutObject is conditional (`If-None-Match: *`), so an input.json that exists (written by an earlier
 * delivery, perhaps already read by a running prover) is never rewritten; `ExecutionAlreadyExists`
 * means the execution was started before; and the session write is conditional on the attempt still
 * being the active one.
 *
 * A message whose attempt is no longer the session's active one (a newer attempt, a finished one, a
 * deleted session) starts nothing: a proof costs six minutes of a 16 vCPU task.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type ExecutionInput, type SessionRecord, type WorkMessage, inputObjectKey } from "../shared/contracts";
import { hasErrorName, isTransientAwsError } from "../shared/awsErrors";
import { type Logger, errorFields } from "../shared/log";
import { type SessionStore, isTerminal } from "../shared/sessionStore";
import { InvalidInput } from "../shared/validation";
import { type DispatchConfig, executionArnFor } from "./config";
import { parseWorkMessage } from "./workMessage";

export interface DispatchDeps {
    config: DispatchConfig;
    s3: S3Client;
    sfn: SFNClient;
    sessions: SessionStore;
    logger: Logger;
    now?: () => Date;
}

export function createDispatchHandler(deps: DispatchDeps) {
    return async (event: SQSEvent): Promise<SQSBatchResponse> => {
        const batchItemFailures: SQSBatchItemFailure[] = [];
        for (const record of event.Records) {
            try {
                await dispatchRecord(deps, record);
            } catch (error) {
                logFailure(deps.logger, record, error);
                batchItemFailures.push({ itemIdentifier: record.messageId });
            }
        }
        return { batchItemFailures };
    };
}

async function dispatchRecord(deps: DispatchDeps, record: SQSRecord): Promise<void> {
    const { config, logger } = deps;
    const now = deps.now ?? (() => new Date());
    const message = parseWorkMessage(record.body);
    const { sessionId, executionId, queuedAt } = message;

    // Consistent read: the api wrote the attempt before it sent the message.
    const current = await deps.sessions.get(sessionId);
    if (current === undefined || current.executionId !== executionId || isTerminal(current.status)) {
        logInactiveAttempt(logger, current, { messageId: record.messageId, sessionId, executionId }, "proof not started");
        return;
    }

    const inputS3Key = inputObjectKey(config.proofPrefix, sessionId, executionId);

    const inputWritten = await putInputOnce(deps, inputS3Key, message.inputJson);

    const executionInput: ExecutionInput = {
        payload: { sessionId, executionId, inputS3Key, queuedAt },
        messageId: record.messageId,
        receivedAt: now().toISOString(),
    };
    const { executionArn, alreadyStarted } = await startExecution(deps, message, executionInput);

    const result = await deps.sessions.markRunning({ sessionId, executionId, executionArn, updatedAt: now().toISOString() });
    const fields = { messageId: record.messageId, sessionId, executionId, executionArn, alreadyStarted, inputWritten };
    if (result.applied) {
        logger.info("dispatched proof execution", fields);
    } else {
        // The session moved between the check above and now; the execution runs, its callback is checked the same way.
        logInactiveAttempt(logger, result.current, fields, "not marked running");
    }
}

/**
 * Writes input.json only if no object has the key: S3 answers 412 PreconditionFailed when it exists,
 * and 409 ConditionalRequestConflict to the loser of two concurrent conditional writes (retried
 * through SQS). https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * Returns false when an earlier delivery already wrote it.
 */
async function putInputOnce(deps: DispatchDeps, key: string, inputJson: string): Promise<boolean> {
    try {
        await deps.s3.send(
            new PutObjectCommand({
                Bucket: deps.config.bucket,
                Key: key,
                Body: inputJson,
                ContentType: "application/json",
                IfNoneMatch: "*",
                // Explicit, so a bucket policy that denies uploads without the SSE header still accepts this one.
                ServerSideEncryption: "AES256",
            }),
        );
        return true;
    } catch (error) {
        if (hasErrorName(error, "PreconditionFailed") || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
            return false;
        }
        throw error;
    }
}

async function startExecution(
    deps: DispatchDeps,
    message: WorkMessage,
    input: ExecutionInput,
): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    try {
        const response = await deps.sfn.send(
            new StartExecutionCommand({
                stateMachineArn: deps.config.stateMachineArn,
                name: message.executionId,
                input: JSON.stringify(input),
            }),
        );
        if (response.executionArn === undefined) {
            throw new Error("StartExecution returned no executionArn");
        }
        return { executionArn: response.executionArn, alreadyStarted: false };
    } catch (error) {
        // The name is the attempt id: this message (or a duplicate) already started it.
        if (hasErrorName(error, "ExecutionAlreadyExists")) {
            return { executionArn: executionArnFor(deps.config.stateMachineArn, message.executionId), alreadyStarted: true };
        }
        throw error;
    }
}

/** Not an error: the message's attempt simply is not the one to run. */
function logInactiveAttempt(
    logger: Logger,
    current: SessionRecord | undefined,
    fields: Record<string, unknown> & { executionId: string },
    consequence: string,
): void {
    if (current === undefined) {
        logger.warn(`session not found; ${consequence}`, fields);
    } else if (current.executionId !== fields.executionId) {
        logger.warn(`stale work message: session has a newer attempt; ${consequence}`, {
            ...fields,
            currentExecutionId: current.executionId,
            currentStatus: current.status,
        });
    } else {
        logger.info(`attempt already finished; ${consequence}`, { ...fields, currentStatus: current.status });
    }
}

function logFailure(logger: Logger, record: SQSRecord, error: unknown): void {
    const fields = {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
    };
    if (error instanceof InvalidInput) {
        // The body is not logged: `input` holds application data.
        logger.error("malformed work message; reported as a batch item failure so it reaches the DLQ", {
            ...fields,
            problems: error.problems,
        });
    } else if (isTransientAwsError(error)) {
        logger.warn("transient failure; SQS will redeliver the message", { ...fields, ...errorFields(error) });
    } else {
        logger.error("dispatch failed; SQS will redeliver the message", { ...fields, ...errorFields(error, true) });
    }
}
