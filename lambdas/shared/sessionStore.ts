/**
 * State changes of a session's proof attempt, each a single conditional write so concurrent or late
 * writers (a redelivered SQS message, a duplicate or stale Step Functions callback, a second finalize
 * request) can never move a session backwards or overwrite a newer attempt.
 *
 *   (none|succeeded|failed) --createAttempt--> pending --markRunning--> running --markSucceeded/markFailed--> terminal
 *
 * Updates touch only the proof attributes, so attributes the application stores on the same item survive.
 */
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SessionRecord, SessionStatus, StepFunctionsError } from "./contracts";
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
} as const;

const ACTIVE_VALUES = { ":pending": "pending", ":running": "running" } as const;
const IS_ACTIVE = "#status IN (:pending, :running)";
const IS_THIS_ACTIVE_ATTEMPT = `#executionId = :executionId AND ${IS_ACTIVE}`;

export interface NewAttempt {
    sessionId: string;
    executionId: string;
    queuedAt: string;
    /**
     * Allow a new attempt over a finished one; without it only a session with no proof state yet (no
     * item, or an item the application created without a `status`) gets an attempt.
     */
    replaceFinished: boolean;
}

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

    /** Starts a new attempt: `pending`, unless one is already pending or running. */
    createAttempt(attempt: NewAttempt): Promise<TransitionResult> {
        const condition = attempt.replaceFinished
            ? `attribute_not_exists(#status) OR NOT (${IS_ACTIVE})`
            : "attribute_not_exists(#status)";
        return this.transition(attempt.sessionId, {
            UpdateExpression:
                "SET #status = :newStatus, #executionId = :executionId, #queuedAt = :queuedAt, #updatedAt = :updatedAt " +
                "REMOVE #executionArn, #bundleKey, #error, #verificationReportKey",
            ConditionExpression: condition,
            ExpressionAttributeNames: attributeNames([
                "#status", "#executionId", "#queuedAt", "#updatedAt", "#executionArn", "#bundleKey", "#error", "#verificationReportKey",
            ]),
            ExpressionAttributeValues: {
                ":newStatus": "pending",
                ":executionId": attempt.executionId,
                ":queuedAt": attempt.queuedAt,
                ":updatedAt": attempt.queuedAt,
                ...(attempt.replaceFinished ? ACTIVE_VALUES : {}),
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
