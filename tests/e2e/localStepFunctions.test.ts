/** StartExecution semantics of the local Step Functions (local/stepFunctions.ts), which prover-dispatch's idempotency relies on. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as assert from "node:assert/strict";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { ExecutionInput } from "../../lambdas/shared/contracts";
import type { ProverTaskHandlers } from "../../local/stateMachine";
import { LocalStepFunctions } from "../../local/stepFunctions";
import { developWiring } from "./support/pipeline";

const input = (receivedAt: string): string =>
    JSON.stringify({
        payload: { sessionId: "s-1", executionId: "e-1", inputS3Key: "sessions/s-1/e-1/input.json", queuedAt: "2026-03-01T00:00:00.000Z" },
        messageId: "m-1",
        receivedAt,
    } satisfies ExecutionInput);

describe("local Step Functions StartExecution", () => {
    let release: () => void;
    let sfn: LocalStepFunctions;
    let arn: string;

    beforeEach(async () => {
        const wiring = await developWiring();
        arn = wiring.stateMachine.arn;
        const gate = new Promise<void>((resolve) => (release = resolve));
        // The signature check waits for the test, so the execution is still running while it starts others.
        const handlers: ProverTaskHandlers = {
            verifyImageSignature: async () => (
                await gate,
                {
                    verdict: "DENY",
                    checks: 1,
                    status: "MISSING",
                    signingStatuses: [],
                    scan: { status: "COMPLETE", findingSeverityCounts: {} },
                    error: { Error: "ImageSignatureVerificationFailed", Cause: "no signing status" },
                }
            ),
            runProver: () => assert.fail("not reached"),
            finalize: () => ({}),
            // Never reached (the gate refuses first); a closed local port, so a stray call fails loudly.
            dynamodb: new DynamoDBClient({ endpoint: "http://127.0.0.1:9", region: wiring.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
        };
        sfn = new LocalStepFunctions(wiring.stateMachine, handlers, wiring.region);
    });

    it("the same name and input while running returns the same execution; other input is ExecutionAlreadyExists", async () => {
        const client = sfn.client();
        const first = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: "e-1", input: input("t1") }));
        const again = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: "e-1", input: input("t1") }));
        assert.equal(first.executionArn, `${arn.replace(":stateMachine:", ":execution:")}:e-1`);
        assert.equal(again.executionArn, first.executionArn);
        await assert.rejects(() => client.send(new StartExecutionCommand({ stateMachineArn: arn, name: "e-1", input: input("t2") })), { name: "ExecutionAlreadyExists" });
        release();
        const [execution] = await sfn.settled();
        assert.equal(execution.status, "SUCCEEDED");
        await assert.rejects(() => client.send(new StartExecutionCommand({ stateMachineArn: arn, name: "e-1", input: input("t1") })), { name: "ExecutionAlreadyExists" });
        assert.deepEqual(sfn.startRequests.map((r) => r.outcome), ["started", "same-execution", "ExecutionAlreadyExists", "ExecutionAlreadyExists"]);
    });

    it("refuses another state machine and an invalid execution name", async () => {
        const client = sfn.client();
        await assert.rejects(() => client.send(new StartExecutionCommand({ stateMachineArn: `${arn}-other`, name: "e-1", input: input("t") })), { name: "StateMachineDoesNotExist" });
        await assert.rejects(() => client.send(new StartExecutionCommand({ stateMachineArn: arn, name: "has space", input: input("t") })), { name: "InvalidName" });
        assert.equal(sfn.executions.size, 0);
    });
});
