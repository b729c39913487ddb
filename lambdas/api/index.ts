/** API Gateway HTTP API (payload v2) integration for `ANY /api` and `ANY /api/{proxy+}`. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type LambdaContext, type LambdaEvent, handle } from "hono/aws-lambda";
import { lazyInit } from "../shared/init";
import { createLogger, type Logger } from "../shared/log";
import { SessionStore } from "../shared/sessionStore";
import { createApp } from "./app";
import { createBundleLinkSigner } from "./bundleLinks";
import { loadApiConfig } from "./config";
import { ProofBudget } from "./proofBudget";
import { FixedWindowRateLimiter } from "./rateLimit";
import { createExpectedImageIdSource } from "./proverImage";
import { createSecretStore } from "./secrets";

export interface ApiClients {
    dynamodb: DynamoDBClient;
    sqs: SQSClient;
    sfn: SFNClient;
    ssm: SSMClient;
    s3: S3Client;
}

/**
 * The function as deployed, from its environment and AWS clients (see prover-dispatch's index.ts).
 * `now` is the clock (a local run moves it forward to reach deadlines).
 */
export function createApiFunction(env: NodeJS.ProcessEnv, clients: ApiClients, logger: Logger, now?: () => Date) {
    const config = loadApiConfig(env);
    const documents = DynamoDBDocumentClient.from(clients.dynamodb);
    return handle(
        createApp({
            config,
            sessions: new SessionStore(documents, config.sessionsTable),
            sqs: clients.sqs,
            sfn: clients.sfn,
            secrets: createSecretStore({ ssm: clients.ssm, parameterNames: config.secretParameters }),
            rateLimiter: new FixedWindowRateLimiter(documents, config.rateLimitKeyTable),
            proofBudget: new ProofBudget(documents, config.rateLimitKeyTable, config.proofBudget, now && (() => now().getTime())),
            bundleLinks: createBundleLinkSigner(clients.s3, config.bucket),
            expectedImageId: createExpectedImageIdSource({ ssm: clients.ssm, parameterName: config.proverImageParameter }),
            logger,
            now,
        }),
    );
}

const logger = createLogger();
const instance = lazyInit(
    "api",
    () =>
        createApiFunction(
            process.env,
            { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), sfn: new SFNClient({}), ssm: new SSMClient({}), s3: new S3Client({}) },
            logger,
        ),
    logger,
);

export async function handler(event: LambdaEvent, context?: LambdaContext) {
    return instance()(event, context);
}
