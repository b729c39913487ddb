/** API Gateway HTTP API (payload v2) integration for `ANY /api` and `ANY /api/{proxy+}`. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type LambdaContext, type LambdaEvent, handle } from "hono/aws-lambda";
import { lazyInit } from "../shared/init";
import { createLogger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { createApp } from "./app";
import { createBundleLinkSigner } from "./bundleLinks";
import { loadApiConfig } from "./config";
import { FixedWindowRateLimiter } from "./rateLimit";
import { createSecretStore } from "./secrets";

const logger = createLogger();
const instance = lazyInit(
    "api",
    () => {
        const config = loadApiConfig();
        const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
        return handle(
            createApp({
                config,
                sessions: new SessionStore(documents, config.sessionsTable),
                sqs: new SQSClient({}),
                secrets: createSecretStore({ ssm: new SSMClient({}), parameterNames: config.secretParameters }),
                rateLimiter: new FixedWindowRateLimiter(documents, config.rateLimitKeyTable),
                bundleLinks: createBundleLinkSigner(new S3Client({}), config.bucket),
                logger,
            }),
        );
    },
    logger,
);

export async function handler(event: LambdaEvent, context?: LambdaContext) {
    return instance()(event, context);
}
