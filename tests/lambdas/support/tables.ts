/** Creates the handlers' tables on the local DynamoDB server from the same schemas the Pulumi component uses. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createTable } from "../../../local/servers";
import {
    RATE_LIMIT_KEY_TABLE_SCHEMA,
    RATE_LIMIT_TABLE_SCHEMA,
    SESSIONS_TABLE_SCHEMA,
} from "../../../lambdas/shared/tables";

export const TABLES = {
    sessions: "sessions-test",
    rateLimit: "rate-limit-test",
    rateLimitKey: "rate-limit-key-test",
} as const;

export async function createAllTables(client: DynamoDBClient): Promise<void> {
    await createTable(client, TABLES.sessions, SESSIONS_TABLE_SCHEMA);
    await createTable(client, TABLES.rateLimit, RATE_LIMIT_TABLE_SCHEMA);
    await createTable(client, TABLES.rateLimitKey, RATE_LIMIT_KEY_TABLE_SCHEMA);
}
