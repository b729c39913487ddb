/** Step Functions tasks `FinalizeSucceeded`, `FinalizeSignatureFailed` and `FinalizeFailed`. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { lazyInit } from "../shared/init";
import { createLogger, type Logger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { loadFinalizeConfig } from "./config";
import { type FinalizeSummary, createFinalizeHandler } from "./finalize";

/** The function as deployed, from its environment and DynamoDB client (see prover-dispatch's index.ts). */
export function createFinalizeFunction(env: NodeJS.ProcessEnv, clients: { dynamodb: DynamoDBClient }, logger: Logger) {
    const config = loadFinalizeConfig(env);
    return createFinalizeHandler({
        sessions: new SessionStore(DynamoDBDocumentClient.from(clients.dynamodb), config.sessionsTable),
        proofPrefix: config.proofPrefix,
        stateMachineArn: config.stateMachineArn,
        logger,
    });
}

const logger = createLogger();
const instance = lazyInit("finalize-callback", () => createFinalizeFunction(process.env, { dynamodb: new DynamoDBClient({}) }, logger), logger);

export async function handler(event: unknown): Promise<FinalizeSummary> {
    return instance()(event);
}
