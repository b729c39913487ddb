/**
 * Admission control inside the prover state machine: a counting semaphore on one DynamoDB item, the
 * pattern AWS documents in "Controlling concurrency in distributed systems using AWS Step Functions"
 * (https://aws.amazon.com/blogs/compute/controlling-concurrency-in-distributed-systems-using-aws-step-functions/,
 * sample: aws-samples/aws-stepfunctions-examples `sam/app-control-concurrency-with-dynamodb`):
 *
 * - acquire: a conditional `UpdateItem` that adds one to the count and records the execution as a
 *   holder, only while the count is below the limit and the execution holds no slot yet;
 * - when that condition fails, a second conditional update asks "do I already hold one?" (an acquire
 *   whose answer was lost), and if not the execution waits `SLOT_POLL_SECONDS` and tries again;
 * - release: a conditional `UpdateItem` that subtracts one and removes the holder, only if it is one,
 *   on the success path and on every caught failure;
 * - executions that end without releasing (failed, timed out, aborted) are cleaned up by a Lambda on
 *   EventBridge's "Step Functions Execution Status Change", and a scheduled sweep releases holders
 *   whose execution is no longer RUNNING (a lost event).
 *
 * Pure: plain ASL and arithmetic, no Pulumi, no AWS calls.
 */
import type { Catcher, JsonObject, Retrier } from "./proverStateMachine";

/** Key schema of the slot table: one item per semaphore. Plain data (shared with the cleanup Lambda). */
export { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM } from "../lambdas/shared/proofSlots";
import { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM } from "../lambdas/shared/proofSlots";

export const PROOF_SLOT_STATES = {
    AcquireProofSlot: "AcquireProofSlot",
    CheckProofSlotHeld: "CheckProofSlotHeld",
    WaitForProofSlot: "WaitForProofSlot",
    ReleaseProofSlot: "ReleaseProofSlot",
    ReleaseProofSlotAfterFailure: "ReleaseProofSlotAfterFailure",
} as const;

/** How long a queued execution waits between two attempts to take a slot. */
export const SLOT_POLL_SECONDS = 60;

/**
 * A Standard execution's history holds at most 25,000 events, then the execution fails
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions).
 * One unsuccessful poll costs two Task states that fail and are caught (entered, scheduled, started,
 * failed, exited, plus one spare each: 6) and one Wait state (entered, exited): 14 events. The rest of
 * the execution (gate rechecks, RunProver retries, release, finalize) is given a reserve of 1,000.
 */
export const EXECUTION_HISTORY_LIMIT = 25_000;
export const EVENTS_PER_POLL = 14;
export const HISTORY_RESERVE = 1_000;

/** The longest an execution can wait for a slot before its history is full: 1,714 polls, about 28.5 h. */
export function maxSlotWaitSeconds(): number {
    return Math.floor((EXECUTION_HISTORY_LIMIT - HISTORY_RESERVE) / EVENTS_PER_POLL) * SLOT_POLL_SECONDS;
}

/**
 * The longest a proof admitted by the API can wait for a slot. The daily budget is counted in fixed
 * UTC days, so two budgets' worth can arrive back to back (end of one day, start of the next); with
 * `maxConcurrentProofs` running at once, each taking at most `runProverTimeoutSeconds`, the last of
 * them starts after ceil(2 × daily / limit) - 1 rounds; one round is kept as margin.
 */
export function queueWaitBoundSeconds(dailyProofLimit: number, maxConcurrentProofs: number, runProverTimeoutSeconds: number): number {
    return Math.ceil((2 * dailyProofLimit) / maxConcurrentProofs) * runProverTimeoutSeconds;
}

/**
 * DynamoDB errors a retry heals (throttling, a 5xx), as the Step Functions DynamoDB integration names
 * them: `DynamoDB.<exception>` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
 * `DynamoDB.AmazonDynamoDBException` is the generic name for the rest of the 4xx/5xx answers.
 */
export const DYNAMODB_TRANSIENT_ERRORS = [
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.RequestLimitExceeded",
    "DynamoDB.ThrottlingException",
    "DynamoDB.InternalServerErrorException",
    "DynamoDB.AmazonDynamoDBException",
] as const;
export const CONDITIONAL_CHECK_FAILED = "DynamoDB.ConditionalCheckFailedException";

export const DYNAMODB_RETRY: Readonly<Retrier> = Object.freeze({
    ErrorEquals: [...DYNAMODB_TRANSIENT_ERRORS],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 20,
    JitterStrategy: "FULL",
});

export interface DynamoUpdateParameters {
    TableName: string;
    Key: Record<string, { S: string }>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, JsonObject>;
}

export interface SlotTaskState {
    Type: "Task";
    Comment: string;
    Resource: string;
    Parameters: DynamoUpdateParameters;
    /** null: the state's input passes through unchanged (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html). */
    ResultPath: null;
    Retry: Retrier[];
    Catch: Catcher[];
    Next: string;
}

export interface SlotWaitState {
    Type: "Wait";
    Comment: string;
    Seconds: number;
    Next: string;
}

export interface ProofSlotStates {
    AcquireProofSlot: SlotTaskState;
    CheckProofSlotHeld: SlotTaskState;
    WaitForProofSlot: SlotWaitState;
    ReleaseProofSlot: SlotTaskState;
    ReleaseProofSlotAfterFailure: SlotTaskState;
}

export interface ProofSlotArgs {
    partition: string;
    tableName: string;
    maxConcurrentProofs: number;
    /** Where acquiring leads. */
    next: string;
    /** Where releasing after success leads. */
    afterRelease: string;
    /** Where releasing after a failure leads (the caught error stays at its own path). */
    afterFailureRelease: string;
    /** The pipeline's catch-all (what a non-conditional failure of acquiring does). */
    catchAll: Catcher[];
}

/** The slot states keep nothing: their input (payload, a caught error) passes through unchanged. */
const PROOF_SLOT_PATH = null;

/** Step Functions' `$$.Execution.Name` is the executionId (prover-dispatch names executions so). */
const HOLDER = "$$.Execution.Name";

export function proofSlotStatesProblems(a: Pick<ProofSlotArgs, "tableName" | "maxConcurrentProofs">): string[] {
    const problems: string[] = [];
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(a.tableName)) {
        problems.push(`proofSlotsTableName: "${a.tableName}" is not a DynamoDB table name`);
    }
    if (!Number.isInteger(a.maxConcurrentProofs) || a.maxConcurrentProofs < 1) {
        problems.push(`maxConcurrentProofs: ${a.maxConcurrentProofs} must be a positive integer`);
    }
    return problems;
}

export function buildProofSlotStates(a: ProofSlotArgs): ProofSlotStates {
    const S = PROOF_SLOT_STATES;
    const updateItem = `arn:${a.partition}:states:::dynamodb:updateItem`;
    const key = { [PROOF_SLOTS_TABLE_SCHEMA.hashKey.name]: { S: PROOF_SLOT_ITEM.name } };
    const names = { "#count": PROOF_SLOT_ITEM.countAttribute, "#holder.$": HOLDER } as unknown as Record<string, string>;
    const one = { N: "1" };
    const task = (fields: Omit<SlotTaskState, "Type" | "Resource" | "ResultPath">): SlotTaskState => ({
        Type: "Task",
        Resource: updateItem,
        // UpdateItem answers only HTTP metadata here (no ReturnValues): nothing worth keeping.
        ResultPath: PROOF_SLOT_PATH,
        ...fields,
    });
    const release = (comment: string, next: string): SlotTaskState =>
        task({
            Comment: comment,
            Parameters: {
                TableName: a.tableName,
                Key: key,
                UpdateExpression: "SET #count = #count - :one REMOVE #holder",
                // Only a holder gives a slot back, so a second release (or one after the cleanup) is a no-op.
                ConditionExpression: "attribute_exists(#holder)",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ":one": one },
            },
            Retry: [{ ...DYNAMODB_RETRY, ErrorEquals: [...DYNAMODB_RETRY.ErrorEquals] }],
            // Not a holder: nothing to give back. Any other failure must not keep the session from being
            // finalized: the cleanup Lambda releases the slot once the execution has ended.
            Catch: [
                { ErrorEquals: [CONDITIONAL_CHECK_FAILED], ResultPath: PROOF_SLOT_PATH, Next: next },
                { ErrorEquals: ["States.ALL"], ResultPath: PROOF_SLOT_PATH, Next: next },
            ],
            Next: next,
        });
    return {
        [S.AcquireProofSlot]: task({
            Comment: `Take one of ${a.maxConcurrentProofs} prover slots (conditional UpdateItem); when none is free, wait and try again.`,
            Parameters: {
                TableName: a.tableName,
                Key: key,
                // if_not_exists: the first acquire creates the item, so no deploy-time seeding is needed.
                // The holder's value is its execution ARN, which the cleanup sweep describes.
                UpdateExpression: "SET #count = if_not_exists(#count, :zero) + :one, #holder = :executionArn",
                ConditionExpression: "(attribute_not_exists(#count) OR #count < :limit) AND attribute_not_exists(#holder)",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: {
                    ":zero": { N: "0" },
                    ":one": one,
                    ":limit": { N: String(a.maxConcurrentProofs) },
                    ":executionArn": { "S.$": "$$.Execution.Id" },
                },
            },
            Retry: [{ ...DYNAMODB_RETRY, ErrorEquals: [...DYNAMODB_RETRY.ErrorEquals] }],
            Catch: [{ ErrorEquals: [CONDITIONAL_CHECK_FAILED], ResultPath: PROOF_SLOT_PATH, Next: S.CheckProofSlotHeld }, ...a.catchAll],
            Next: a.next,
        }),
        [S.CheckProofSlotHeld]: task({
            Comment: "Does this execution already hold a slot (an acquire whose answer was lost)? Then run.",
            Parameters: {
                TableName: a.tableName,
                Key: key,
                UpdateExpression: "SET #holder = #holder",
                ConditionExpression: "attribute_exists(#holder)",
                ExpressionAttributeNames: { "#holder.$": HOLDER } as unknown as Record<string, string>,
            },
            Retry: [{ ...DYNAMODB_RETRY, ErrorEquals: [...DYNAMODB_RETRY.ErrorEquals] }],
            Catch: [{ ErrorEquals: [CONDITIONAL_CHECK_FAILED], ResultPath: PROOF_SLOT_PATH, Next: S.WaitForProofSlot }, ...a.catchAll],
            Next: a.next,
        }),
        [S.WaitForProofSlot]: {
            Type: "Wait",
            Comment: `Every slot is taken: look again in ${SLOT_POLL_SECONDS} s (the execution's history allows about ${Math.round(maxSlotWaitSeconds() / 3600)} h of waiting).`,
            Seconds: SLOT_POLL_SECONDS,
            Next: S.AcquireProofSlot,
        },
        [S.ReleaseProofSlot]: release("Give the slot back before recording the result.", a.afterRelease),
        [S.ReleaseProofSlotAfterFailure]: release("Give the slot back (a no-op when none was taken) before recording the failure.", a.afterFailureRelease),
    };
}
