/**
 * Fixed-window counters in the rate-limit key table: one item per (scope, subject, window), counted
 * with an atomic ADD so concurrent containers share the count, removed by TTL after the window.
 */
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { RATE_LIMIT_KEY_TABLE_SCHEMA } from "../shared/tables";

export interface RateLimitRule {
    /** Requests allowed per window. */
    limit: number;
    windowSeconds: number;
}

/** Proofs are expensive (16 vCPU for up to 15 minutes), so a client gets a handful per window. */
export const FINALIZE_RATE_LIMIT: RateLimitRule = Object.freeze({ limit: 10, windowSeconds: 600 });

/** Creating a session is cheap, but each one is a capability to a proof: a classroom behind one NAT needs a few dozen. */
export const SESSION_RATE_LIMIT: RateLimitRule = Object.freeze({ limit: 60, windowSeconds: 600 });

export interface RateLimitDecision {
    allowed: boolean;
    /** Requests counted in this window, including this one. */
    count: number;
    /** Seconds until the window resets. */
    retryAfterSeconds: number;
}

export class FixedWindowRateLimiter {
    constructor(
        private readonly documents: DynamoDBDocumentClient,
        readonly tableName: string,
        private readonly now: () => number = Date.now,
    ) {}

    async hit(scope: string, subject: string, rule: RateLimitRule): Promise<RateLimitDecision> {
        const nowSeconds = Math.floor(this.now() / 1000);
        const windowStart = nowSeconds - (nowSeconds % rule.windowSeconds);
        const windowEnd = windowStart + rule.windowSeconds;
        const { Attributes } = await this.documents.send(
            new UpdateCommand({
                TableName: this.tableName,
                Key: { [RATE_LIMIT_KEY_TABLE_SCHEMA.hashKey.name]: `${scope}#${subject}#${windowStart}` },
                UpdateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
                ExpressionAttributeNames: { "#count": "count", "#expiresAt": RATE_LIMIT_KEY_TABLE_SCHEMA.ttlAttribute ?? "expiresAt" },
                ExpressionAttributeValues: { ":one": 1, ":expiresAt": windowEnd },
                ReturnValues: "UPDATED_NEW",
            }),
        );
        const count = Number(Attributes?.count);
        return { allowed: count <= rule.limit, count, retryAfterSeconds: windowEnd - nowSeconds };
    }
}
