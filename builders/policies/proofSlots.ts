/**
 * IAM for admission control (builders/proofSlots.ts): the state machine may only update the slot
 * item's table; the cleanup Lambda may read and update it and describe this state machine's executions.
 */
import { AwsContext, PolicyDocument, PolicyStatement, arn, policyDocument } from "./document";

/**
 * The state machine's semaphore states call `dynamodb:updateItem` only (acquire, check, release).
 * https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html
 */
export function proofSlotsStateMachinePolicy(tableArn: string): PolicyDocument {
    return policyDocument({ Sid: "TakeAndReleaseProverSlots", Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: tableArn });
}

export function proofSlotCleanupPolicy(ctx: AwsContext, tableArn: string, stateMachineName: string): PolicyDocument {
    const statements: PolicyStatement[] = [
        { Sid: "ReadAndReleaseProverSlots", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: tableArn },
        {
            Sid: "DescribeProverExecutions",
            Effect: "Allow",
            Action: "states:DescribeExecution",
            Resource: arn.stateMachineExecutions(ctx, stateMachineName),
        },
    ];
    return policyDocument(...statements);
}

/**
 * The EventBridge pattern of the cleanup rule: this state machine's executions that ended without
 * reaching a release state. https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export function executionEndedPattern(stateMachineArn: string): Record<string, unknown> {
    return {
        source: ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [stateMachineArn] },
    };
}
