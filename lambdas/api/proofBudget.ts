/**
 * The global proof budget (issue 13, SPEC §7): at most `perHour` proofs admitted per UTC hour and
 * `perDay` per UTC day, whoever asks. Counted in the rate-limit key table with conditional atomic
 * updates, so concurrent api containers can never admit more than the cap together:
 * `ADD` only while the count is below the limit, else DynamoDB answers ConditionalCheckFailedException
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 * Items expire by TTL after their window.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { RATE_LIMIT_KEY_TABLE_SCHEMA } from "../shared/tables";
import { PROOF_BUDGET_BOUNDS } from "../shared/rules";

export interface ProofBudgetLimits {
    perHour: number;
    perDay: number;
}

export type BudgetDecision =
    | { allowed: true; /** The windows spent, to refund when nothing was queued after all. */ spent: string[] }
    | { allowed: false; exhausted: "hour" | "day"; retryAfterSeconds: number };

const WINDOWS = [
    { name: "hour" as const, seconds: 3600, limit: (l: ProofBudgetLimits) => l.perHour },
    { name: "day" as const, seconds: 86400, limit: (l: ProofBudgetLimits) => l.perDay },
];

export class ProofBudget {
    constructor(
        private readonly documents: DynamoDBDocumentClient,
        readonly tableName: string,
        readonly limits: ProofBudgetLimits,
        private readonly now: () => number = Date.now,
    ) {}

    /** Spends one proof from the hour's and the day's budget, or neither. */
    async spend(): Promise<BudgetDecision> {
        const nowSeconds = Math.floor(this.now() / 1000);
        const spent: string[] = [];
        for (const window of WINDOWS) {
            const start = nowSeconds - (nowSeconds % window.seconds);
            const key = `proof-budget#${window.name}#${start}`;
            try {
                await this.documents.send(
                    new UpdateCommand({
                        TableName: this.tableName,
                        Key: { [RATE_LIMIT_KEY_TABLE_SCHEMA.hashKey.name]: key },
                        UpdateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
                        ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
                        ExpressionAttributeNames: { "#count": "count", "#expiresAt": RATE_LIMIT_KEY_TABLE_SCHEMA.ttlAttribute ?? "expiresAt" },
                        ExpressionAttributeValues: { ":one": 1, ":limit": window.limit(this.limits), ":expiresAt": start + window.seconds },
                    }),
                );
                spent.push(key);
            } catch (error) {
                if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException")) {
                    await this.refund(spent);
                    throw error;
                }
                // The hour was spent but the day is exhausted: give the hour back.
                await this.refund(spent);
                return { allowed: false, exhausted: window.name, retryAfterSeconds: start + window.seconds - nowSeconds };
            }
        }
        return { allowed: true, spent };
    }

    /** Gives spent windows back (the attempt was not created or not queued). */
    async refund(keys: readonly string[]): Promise<void> {
        for (const key of keys) {
            await this.documents.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: { [RATE_LIMIT_KEY_TABLE_SCHEMA.hashKey.name]: key },
                    UpdateExpression: "ADD #count :minusOne",
                    ConditionExpression: "attribute_exists(#count)",
                    ExpressionAttributeNames: { "#count": "count" },
                    ExpressionAttributeValues: { ":minusOne": -1 },
                }),
            );
        }
    }
}

/** PROOFS_PER_HOUR / PROOFS_PER_DAY: positive integers, the hour's at most the day's. */
export function parseProofBudgetLimits(perHour: string, perDay: string): ProofBudgetLimits {
    const parse = (name: string, value: string) => {
        const { min, max } = PROOF_BUDGET_BOUNDS;
        const count = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!(count >= min && count <= max)) throw new Error(`${name}: "${value}" must be an integer from ${min} to ${max}`);
        return count;
    };
    const limits = { perHour: parse("PROOFS_PER_HOUR", perHour), perDay: parse("PROOFS_PER_DAY", perDay) };
    if (limits.perHour > limits.perDay) throw new Error(`PROOFS_PER_HOUR: ${limits.perHour} must not exceed PROOFS_PER_DAY (${limits.perDay})`);
    return limits;
}
