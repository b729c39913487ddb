/** Creates the handlers' tables on the local DynamoDB server from the same schemas the Pulumi component uses. */
import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type KeySchemaElement } from "@aws-sdk/client-dynamodb";
import {
    RATE_LIMIT_KEY_TABLE_SCHEMA,
    RATE_LIMIT_TABLE_SCHEMA,
    SESSIONS_TABLE_SCHEMA,
    type TableSchema,
} from "../../../lambdas/shared/tables";

export const TABLES = {
    sessions: "sessions-test",
    rateLimit: "rate-limit-test",
    rateLimitKey: "rate-limit-key-test",
} as const;

export async function createTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<void> {
    const keys = [schema.hashKey, ...(schema.rangeKey === undefined ? [] : [schema.rangeKey])];
    const keySchema: KeySchemaElement[] = [
        { AttributeName: schema.hashKey.name, KeyType: "HASH" },
        ...(schema.rangeKey === undefined ? [] : [{ AttributeName: schema.rangeKey.name, KeyType: "RANGE" as const }]),
    ];
    const attributes: AttributeDefinition[] = keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            KeySchema: keySchema,
            AttributeDefinitions: attributes,
            BillingMode: "PAY_PER_REQUEST",
        }),
    );
}

export async function createAllTables(client: DynamoDBClient): Promise<void> {
    await createTable(client, TABLES.sessions, SESSIONS_TABLE_SCHEMA);
    await createTable(client, TABLES.rateLimit, RATE_LIMIT_TABLE_SCHEMA);
    await createTable(client, TABLES.rateLimitKey, RATE_LIMIT_KEY_TABLE_SCHEMA);
}
