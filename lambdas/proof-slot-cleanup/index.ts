/** EventBridge target: releases prover slots of ended executions (see cleanup.ts). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { LAMBDA_ENV } from "../shared/contracts";
import { readEnv } from "../shared/env";
import { lazyInit } from "../shared/init";
import { createLogger, type Logger } from "../shared/log";
import { type CleanupSummary, createCleanupHandler } from "./cleanup";

export function createProofSlotCleanupFunction(env: NodeJS.ProcessEnv, clients: { dynamodb: DynamoDBClient; sfn: SFNClient }, logger: Logger) {
    const values = readEnv(LAMBDA_ENV.proofSlotCleanup, env);
    return createCleanupHandler({ ...clients, tableName: values.PROOF_SLOTS_TABLE, stateMachineArn: values.STATE_MACHINE_ARN, logger });
}

const logger = createLogger();
const instance = lazyInit(
    "proof-slot-cleanup",
    () => createProofSlotCleanupFunction(process.env, { dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}) }, logger),
    logger,
);

export async function handler(event: unknown): Promise<CleanupSummary> {
    return instance()(event);
}
