/**
 * Releases prover slots (builders/proofSlots.ts) held by executions that ended without releasing
 * them, the cleanup half of AWS's Step Functions semaphore pattern
 * (https://aws.amazon.com/blogs/compute/controlling-concurrency-in-distributed-systems-using-aws-step-functions/):
 *
 * - on EventBridge's "Step Functions Execution Status Change" for FAILED, TIMED_OUT or ABORTED
 *   executions of the prover state machine (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html),
 *   it releases the slot that execution holds, if any;
 * - on its schedule ("Scheduled Event"), it sweeps: every holder whose execution DescribeExecution no
 *   longer reports RUNNING (or does not know) gives its slot back. That reclaims a slot whose status
 *   event was lost, or one left by a state machine replaced during a deploy.
 *
 * Every release is the same conditional update the state machine uses (only a holder gives a slot
 * back), so a release racing with the execution's own is a no-op, never a double decrement.
 */
import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from "@aws-sdk/client-sfn";
import type { Logger } from "../shared/log";
import { PROOF_SLOTS_TABLE_SCHEMA, PROOF_SLOT_ITEM, isHolderAttribute } from "../shared/proofSlots";

export interface CleanupDeps {
    dynamodb: DynamoDBClient;
    sfn: SFNClient;
    tableName: string;
    stateMachineArn: string;
    logger: Logger;
}

export interface CleanupSummary {
    /** Execution names whose slot was released. */
    released: string[];
    /** Holders checked (the sweep) or considered (an event). */
    checked: number;
}

/** The statuses the EventBridge rule forwards: an execution that ended without reaching a release state. */
export const ENDED_WITHOUT_RELEASE = ["FAILED", "TIMED_OUT", "ABORTED"] as const;

export function createCleanupHandler(deps: CleanupDeps): (event: unknown) => Promise<CleanupSummary> {
    const key = { [PROOF_SLOTS_TABLE_SCHEMA.hashKey.name]: { S: PROOF_SLOT_ITEM.name } };

    async function release(executionName: string): Promise<boolean> {
        try {
            await deps.dynamodb.send(
                new UpdateItemCommand({
                    TableName: deps.tableName,
                    Key: key,
                    UpdateExpression: "SET #count = #count - :one REMOVE #holder",
                    ConditionExpression: "attribute_exists(#holder)",
                    ExpressionAttributeNames: { "#count": PROOF_SLOT_ITEM.countAttribute, "#holder": executionName },
                    ExpressionAttributeValues: { ":one": { N: "1" } },
                }),
            );
            return true;
        } catch (error) {
            if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") return false;
            throw error;
        }
    }

    async function sweep(): Promise<CleanupSummary> {
        const { Item } = await deps.dynamodb.send(new GetItemCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true }));
        const holders = Object.entries(Item ?? {}).filter(([name]) => isHolderAttribute(name));
        const released: string[] = [];
        for (const [name, value] of holders) {
            const executionArn = value.S ?? "";
            let running: boolean;
            try {
                const described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
                running = described.status === "RUNNING";
            } catch (error) {
                if (!(error instanceof ExecutionDoesNotExist || (error as Error).name === "ExecutionDoesNotExist")) throw error;
                running = false;
            }
            if (!running && (await release(name))) released.push(name);
        }
        if (released.length > 0) deps.logger.warn("released leaked prover slots", { released });
        return { released, checked: holders.length };
    }

    return async (event: unknown) => {
        const e = (event ?? {}) as { "detail-type"?: string; detail?: { stateMachineArn?: string; name?: string; status?: string } };
        if (e["detail-type"] === "Scheduled Event") return sweep();
        if (e["detail-type"] !== "Step Functions Execution Status Change" || e.detail === undefined) {
            throw Object.assign(new Error(`unexpected event: ${JSON.stringify(event).slice(0, 200)}`), { name: "InvalidInput" });
        }
        const { stateMachineArn, name, status } = e.detail;
        // The rule matches this state machine only; anything else is a wiring mistake, not work.
        if (stateMachineArn !== deps.stateMachineArn || typeof name !== "string" || !(ENDED_WITHOUT_RELEASE as readonly string[]).includes(status ?? "")) {
            throw Object.assign(new Error(`status change of ${stateMachineArn}/${name} (${status}) is not this cleanup's`), { name: "InvalidInput" });
        }
        const released = await release(name);
        if (released) deps.logger.info("released the slot of an ended execution", { executionName: name, status });
        return { released: released ? [name] : [], checked: 1 };
    };
}
