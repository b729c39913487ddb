/** Step Functions tasks `FinalizeSucceeded`, `FinalizeSignatureFailed` and `FinalizeFailed`. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { lazyInit } from "../shared/init";
import { createLogger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { loadFinalizeConfig } from "./config";
import { type FinalizeSummary, createFinalizeHandler } from "./finalize";

const logger = createLogger();
const instance = lazyInit(
    "finalize-callback",
    () => {
        const config = loadFinalizeConfig();
        return createFinalizeHandler({
            sessions: new SessionStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), config.sessionsTable),
            proofPrefix: config.proofPrefix,
            logger,
        });
    },
    logger,
);

export async function handler(event: unknown): Promise<FinalizeSummary> {
    return instance()(event);
}
