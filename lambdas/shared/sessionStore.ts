/**
 * State changes of a session's proof attempt, each a single conditional write so concurrent or late
 * writers (a redelivered SQS message, a duplicate or stale Step Functions callback, a second finalize
 * request) can never move a session backwards or overwrite a newer attempt.
 *
 *   (none) --createSession--> created (no status) --createAttempt--> pending --markRunning--> running
 *       --markSucceeded/markFailed--> succeeded|failed
 *   failed --createAttempt--> pending;  succeeded --createAttempt (re-proving allowed only)--> pending,
 *       the succeeded attempt's bundle kept in `earlierBundles`
 *
 * Updates touch only the proof attributes, so attributes the application stores on the same item survive.
 */
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { EarlierBundle, SessionRecord, SessionStatus, StepFunctionsError } from "./contracts";
import { hasErrorName } from "./awsErrors";

export const TERMINAL_STATUSES: readonly SessionStatus[] = ["succeeded", "failed"];

/** Step Functions causes can be long (a whole ECS task description); the item limit is 400 KB. */
export const MAX_STORED_CAUSE_CHARS = 8192;

/** Result of a conditional transition; when refused, the item as it is now (read consistently) explains why. */
export type TransitionResult = { applied: true } | { applied: false; current: SessionRecord | undefined };

const NAMES = {
    "#status": "status",
    "#executionId": "executionId",
    "#executionArn": "executionArn",
    "#bundleKey": "bundleKey",
    "#verificationReportKey": "verificationReportKey",
    "#error": "error",
    "#queuedAt": "queuedAt",
    "#updatedAt": "updatedAt",
    "#createdAt": "createdAt",
    "#earlierBundles": "earlierBundles",
} as const;

const ACTIVE_VALUES = { ":pending": "pending", ":running": "running" } as const;
const IS_ACTIVE = "#status IN (:pending, :running)";
const IS_THIS_ACTIVE_ATTEMPT = `#executionId = :executionId AND ${IS_ACTIVE}`;

export interface NewAttempt {
    sessionId: string;
    executionId: string;
    queuedAt: string;
    /**
     * Allow a new attempt over a succeeded one (its bundle is then kept in `earlierBundles`). Without
     * it only a session with no attempt yet or a failed attempt gets a new one. The session must exist.
     */
    allowReproving: boolean;
}

const ATTEMPT_SET =
    "SET #status = :newStatus, #executionId = :executionId, #queuedAt = :queuedAt, #updatedAt = :updatedAt";
const ATTEMPT_REMOVE = " REMOVE #executionArn, #bundleKey, #error, #verificationReportKey";
const ATTEMPT_NAMES = ["#status", "#executionId", "#queuedAt", "#updatedAt", "#executionArn", "#bundleKey", "#error", "#verificationReportKey"] as const;

export interface AttemptRef {
    sessionId: string;
    executionId: string;
    /** ISO-8601 time of this change. */
    updatedAt: string;
}

export class SessionStore {
    constructor(
        private readonly documents: DynamoDBDocumentClient,
        readonly tableName: string,
    ) {}

    /** Strongly consistent, because callers use it to explain a conditional write that was just refused. */
    async get(sessionId: string): Promise<SessionRecord | undefined> {
        const { Item } = await this.documents.send(
            new GetCommand({ TableName: this.tableName, Key: { sessionId }, ConsistentRead: true }),
        );
        return Item as SessionRecord | undefined;
    }

    /**
     * Creates a session without an attempt (no `status`). Refused if the id is taken, which for a
     * random id means a collision: the caller draws another.
     */
    async createSession(sessionId: string, createdAt: string): Promise<boolean> {
        const result = await this.transition(sessionId, {
            UpdateExpression: "SET #createdAt = :createdAt",
            ConditionExpression: "attribute_not_exists(sessionId)",
            ExpressionAttributeNames: attributeNames(["#createdAt"]),
            ExpressionAttributeValues: { ":createdAt": createdAt },
        });
        return result.applied;
    }

    /**
     * Starts a new attempt: `pending`, on an existing session with no attempt or a failed one; over a
     * succeeded one only when re-proving is allowed, and then the succeeded attempt's bundle is
     * appended to `earlierBundles` in the same write (compare-and-swap on that attempt), so it stays
     * retrievable. A missing session, an active attempt or a refused re-proof is `applied: false`.
     */
    async createAttempt(attempt: NewAttempt): Promise<TransitionResult> {
        const values = {
            ":newStatus": "pending",
            ":executionId": attempt.executionId,
            ":queuedAt": attempt.queuedAt,
            ":updatedAt": attempt.queuedAt,
        };
        const fresh = await this.transition(attempt.sessionId, {
            UpdateExpression: ATTEMPT_SET + ATTEMPT_REMOVE,
            ConditionExpression: "attribute_exists(sessionId) AND (attribute_not_exists(#status) OR #status = :failed)",
            ExpressionAttributeNames: attributeNames(ATTEMPT_NAMES),
            ExpressionAttributeValues: { ...values, ":failed": "failed" },
        });
        const current = fresh.applied ? undefined : fresh.current;
        if (fresh.applied || !attempt.allowReproving || current?.status !== "succeeded" || current.bundleKey === undefined) {
            return fresh;
        }
        const earlier: EarlierBundle = { executionId: current.executionId, bundleKey: current.bundleKey, succeededAt: current.updatedAt };
        return this.transition(attempt.sessionId, {
            UpdateExpression: `${ATTEMPT_SET}, #earlierBundles = list_append(if_not_exists(#earlierBundles, :none), :earlier)${ATTEMPT_REMOVE}`,
            ConditionExpression: "#status = :succeeded AND #executionId = :previousExecutionId",
            ExpressionAttributeNames: attributeNames([...ATTEMPT_NAMES, "#earlierBundles"]),
            ExpressionAttributeValues: {
                ...values,
                ":succeeded": "succeeded",
                ":previousExecutionId": current.executionId,
                ":none": [],
                ":earlier": [earlier],
            },
        });
    }

    /** `pending|running` → `running` for this attempt only. */
    markRunning(ref: AttemptRef & { executionArn: string }): Promise<TransitionResult> {
        return this.transition(ref.sessionId, {
            UpdateExpression: "SET #status = :newStatus, #executionArn = :executionArn, #updatedAt = :updatedAt",
            ConditionExpression: IS_THIS_ACTIVE_ATTEMPT,
            ExpressionAttributeNames: attributeNames(["#status", "#executionId", "#executionArn", "#updatedAt"]),
            ExpressionAttributeValues: {
                ":newStatus": "running",
                ":executionId": ref.executionId,
                ":executionArn": ref.executionArn,
                ":updatedAt": ref.updatedAt,
                ...ACTIVE_VALUES,
            },
        });
    }

    /** `pending|running` → `succeeded` for this attempt only. */
    markSucceeded(ref: AttemptRef & { executionArn: string; bundleKey: string; verificationReportKey?: string }): Promise<TransitionResult> {
        // The report key only when the stack verified the proof; otherwise none from an older attempt survives.
        const report = ref.verificationReportKey === undefined ? { set: "", remove: ", #verificationReportKey" } : { set: ", #verificationReportKey = :verificationReportKey", remove: "" };
        return this.transition(ref.sessionId, {
            UpdateExpression:
                `SET #status = :newStatus, #bundleKey = :bundleKey, #executionArn = :executionArn, #updatedAt = :updatedAt${report.set} ` +
                `REMOVE #error${report.remove}`,
            ConditionExpression: IS_THIS_ACTIVE_ATTEMPT,
            ExpressionAttributeNames: attributeNames(["#status", "#executionId", "#bundleKey", "#executionArn", "#updatedAt", "#error", "#verificationReportKey"]),
            ExpressionAttributeValues: {
                ":newStatus": "succeeded",
                ":executionId": ref.executionId,
                ":bundleKey": ref.bundleKey,
                ...(ref.verificationReportKey === undefined ? {} : { ":verificationReportKey": ref.verificationReportKey }),
                ":executionArn": ref.executionArn,
                ":updatedAt": ref.updatedAt,
                ...ACTIVE_VALUES,
            },
        });
    }

    /**
     * `pending|running` → `failed` for this attempt only. `executionArn` is absent when the attempt
     * failed before an execution existed (the api could not queue it). A long cause is truncated.
     */
    markFailed(ref: AttemptRef & { executionArn?: string; error: StepFunctionsError }): Promise<TransitionResult> {
        const setArn = ref.executionArn === undefined ? "" : ", #executionArn = :executionArn";
        return this.transition(ref.sessionId, {
            UpdateExpression: `SET #status = :newStatus, #error = :error, #updatedAt = :updatedAt${setArn} REMOVE #bundleKey, #verificationReportKey`,
            ConditionExpression: IS_THIS_ACTIVE_ATTEMPT,
            ExpressionAttributeNames: attributeNames([
                "#status", "#executionId", "#error", "#updatedAt", "#bundleKey", "#verificationReportKey",
                ...(ref.executionArn === undefined ? [] : (["#executionArn"] as const)),
            ]),
            ExpressionAttributeValues: {
                ":newStatus": "failed",
                ":executionId": ref.executionId,
                ":error": truncateCause(ref.error),
                ":updatedAt": ref.updatedAt,
                ...(ref.executionArn === undefined ? {} : { ":executionArn": ref.executionArn }),
                ...ACTIVE_VALUES,
            },
        });
    }

    private async transition(
        sessionId: string,
        update: Pick<
            ConstructorParameters<typeof UpdateCommand>[0],
            "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
        >,
    ): Promise<TransitionResult> {
        try {
            await this.documents.send(new UpdateCommand({ TableName: this.tableName, Key: { sessionId }, ...update }));
            return { applied: true };
        } catch (error) {
            if (hasErrorName(error, "ConditionalCheckFailedException")) {
                return { applied: false, current: await this.get(sessionId) };
            }
            throw error;
        }
    }
}

/** DynamoDB rejects unused expression attribute names, so each write declares only the ones it uses. */
function attributeNames(keys: readonly (keyof typeof NAMES)[]): Record<string, string> {
    return Object.fromEntries(keys.map((key) => [key, NAMES[key]]));
}

export function isTerminal(status: SessionStatus): boolean {
    return TERMINAL_STATUSES.includes(status);
}

function truncateCause(error: StepFunctionsError): StepFunctionsError {
    if (error.Cause === undefined || error.Cause.length <= MAX_STORED_CAUSE_CHARS) {
        return error;
    }
    return { Error: error.Error, Cause: `${error.Cause.slice(0, MAX_STORED_CAUSE_CHARS)}…[truncated]` };
}
