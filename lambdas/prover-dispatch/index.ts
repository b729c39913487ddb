/** SQS event source of the work queue (batch size 1, ReportBatchItemFailures). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { lazyInit } from "../shared/init";
import { createLogger, type Logger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { loadDispatchConfig } from "./config";
import { createDispatchHandler } from "./dispatch";

export interface DispatchClients {
    s3: S3Client;
    sfn: SFNClient;
    dynamodb: DynamoDBClient;
}

/**
 * The function as deployed, from its environment and AWS clients. Lambda passes `process.env` and
 * default-chain clients; the local pipeline passes the synthesized environment and local clients.
 */
export function createDispatchFunction(env: NodeJS.ProcessEnv, clients: DispatchClients, logger: Logger) {
    const config = loadDispatchConfig(env);
    return createDispatchHandler({
        config,
        s3: clients.s3,
        sfn: clients.sfn,
        sessions: new SessionStore(DynamoDBDocumentClient.from(clients.dynamodb), config.sessionsTable),
        logger,
    });
}

const logger = createLogger();
const instance = lazyInit(
    "prover-dispatch",
    () => createDispatchFunction(process.env, { s3: new S3Client({}), sfn: new SFNClient({}), dynamodb: new DynamoDBClient({}) }, logger),
    logger,
);

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
    return instance()(event);
}
