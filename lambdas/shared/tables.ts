/**
 * Key schemas of the DynamoDB tables the handlers use, as plain data.
 *
 * The Pulumi component builds the tables from these same definitions and the handler tests create
 * them on a local server from them, so the code that reads a table and the table itself cannot drift
 * apart. Plain data only: this module is bundled into Lambda code and must not import `@pulumi/*`.
 */

/** DynamoDB scalar attribute types allowed in a key. */
export type KeyAttributeType = "S" | "N" | "B";

export interface KeyAttribute {
    readonly name: string;
    readonly type: KeyAttributeType;
}

export interface TableSchema {
    /** Partition key. */
    readonly hashKey: KeyAttribute;
    /** Sort key, when the table has one. */
    readonly rangeKey?: KeyAttribute;
    /** Attribute holding the expiry time (epoch seconds) when TTL is enabled. */
    readonly ttlAttribute?: string;
}

/** Sessions: one item per session, written by the api, prover-dispatch and finalize-callback. */
export const SESSIONS_TABLE_SCHEMA: TableSchema = Object.freeze({
    hashKey: Object.freeze({ name: "sessionId", type: "S" as const }),
});

/** Rate-limit log (parity with the earlier setup): one item per event in a scope. */
export const RATE_LIMIT_TABLE_SCHEMA: TableSchema = Object.freeze({
    hashKey: Object.freeze({ name: "scope", type: "S" as const }),
    rangeKey: Object.freeze({ name: "timestamp", type: "N" as const }),
    ttlAttribute: "expiresAt",
});

/** Rate-limit counters (parity): one item per key and window, counted with an atomic ADD. */
export const RATE_LIMIT_KEY_TABLE_SCHEMA: TableSchema = Object.freeze({
    hashKey: Object.freeze({ name: "key", type: "S" as const }),
    ttlAttribute: "expiresAt",
});
