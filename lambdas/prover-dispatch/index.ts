/** SQS event source of the work queue (batch size 1, ReportBatchItemFailures). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { lazyInit } from "../shared/init";
import { createLogger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { loadDispatchConfig } from "./config";
import { createDispatchHandler } from "./dispatch";

const logger = createLogger();
const instance = lazyInit(
    "prover-dispatch",
    () => {
        const config = loadDispatchConfig();
        return createDispatchHandler({
            config,
            s3: new S3Client({}),
            sfn: new SFNClient({}),
            sessions: new SessionStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), config.sessionsTable),
            logger,
        });
    },
    logger,
);

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
    return instance()(event);
}
