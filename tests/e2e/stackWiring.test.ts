/** What the local pipeline reads from the synthesized stacks (local/stackWiring.ts). */
import * as assert from "node:assert/strict";
import { LAMBDA_ENV } from "../../lambdas/shared/contracts";
import { pipelineWiring } from "../../local/stackWiring";
import { synth } from "../support/synth";

const ACCOUNT = "123456789012";
const AT = `ap-northeast-1:${ACCOUNT}`;

describe("local pipeline wiring from the synthesized stacks", () => {
    it("develop: queues, mapping, state machine, task and functions with the ARNs inside the definitions", async () => {
        const w = pipelineWiring(await synth("develop"));
        assert.equal(w.bucket, `stark-ballot-simulator-proof-bundles-develop-${ACCOUNT}`);
        assert.equal(w.proofPrefix, "sessions/");
        assert.deepEqual(w.workQueue, {
            name: "stark-ballot-simulator-prover-work-develop",
            url: `https://sqs.ap-northeast-1.amazonaws.com/${ACCOUNT}/stark-ballot-simulator-prover-work-develop`,
            arn: `arn:aws:sqs:${AT}:stark-ballot-simulator-prover-work-develop`,
            visibilityTimeoutSeconds: 1000,
            maxMessageBytes: 262144,
            redrive: { deadLetterTargetArn: `arn:aws:sqs:${AT}:stark-ballot-simulator-prover-work-dlq-develop`, maxReceiveCount: 3 },
        });
        assert.equal(w.deadLetterQueue.redrive, undefined);
        assert.deepEqual(w.eventSource, {
            queueArn: w.workQueue.arn,
            functionArn: w.functions["prover-dispatch"].arn,
            batchSize: 1,
            reportBatchItemFailures: true,
        });
        assert.equal(w.stateMachine.arn, `arn:aws:states:${AT}:stateMachine:stark-ballot-simulator-prover-dispatcher-develop`);
        const states = w.stateMachine.definition.States;
        assert.equal(states.VerifyImageSignature.Parameters.FunctionName, w.functions["check-image-signature"].arn);
        for (const finalize of [states.FinalizeSucceeded, states.FinalizeSignatureFailed, states.FinalizeFailed]) {
            assert.equal(finalize.Parameters.FunctionName, w.functions["finalize-callback"].arn);
        }
        assert.equal(states.RunProver.Parameters.Cluster, w.clusterArn);
        assert.equal(states.RunProver.Parameters.TaskDefinition, w.taskDefinition.arn);
        assert.equal(w.taskDefinition.arn, `arn:aws:ecs:${AT}:task-definition/stark-ballot-simulator-prover-develop:1`);
        assert.equal(w.taskDefinition.container.name, "prover");
        assert.equal(w.ecrRepositoryName, "stark-ballot-simulator-prover-develop");
        assert.deepEqual(
            w.tables.map((t) => [t.name, t.hashKey.name, t.rangeKey?.name]),
            [
                ["stark-ballot-simulator-proof-slots-develop", "semaphore", undefined],
                ["stark-ballot-simulator-sessions-develop", "sessionId", undefined],
                ["stark-ballot-simulator-rate-limit-keys-develop", "key", undefined],
                ["stark-ballot-simulator-rate-limit-develop", "scope", "timestamp"],
                // The data API's tables (the local pipeline creates them too; only the application's builds use them).
                ["stark-ballot-simulator-voting-sessions-develop", "id", undefined],
                ["stark-ballot-simulator-votes-develop", "sessionId", "voteIndex"],
            ],
        );
        assert.equal(w.functions["prover-dispatch"].environment.STATE_MACHINE_ARN, w.stateMachine.arn);
        assert.equal(w.functions.api.environment.PROVER_WORK_QUEUE_URL, w.workQueue.url);
    });

    it("each function gets exactly the variables its handler reads", async () => {
        const w = pipelineWiring(await synth("develop"));
        assert.deepEqual(Object.keys(w.functions.api.environment).sort(), [...LAMBDA_ENV.api].sort());
        assert.deepEqual(Object.keys(w.functions["prover-dispatch"].environment).sort(), [...LAMBDA_ENV.proverDispatch].sort());
        assert.deepEqual(Object.keys(w.functions["finalize-callback"].environment).sort(), [...LAMBDA_ENV.finalizeCallback].sort());
        assert.deepEqual(w.functions["check-image-signature"].environment, {});
    });

    it("reads the secret parameters' values, which the mocks receive in Pulumi's secret wire form", async () => {
        const w = pipelineWiring(await synth("develop"));
        assert.deepEqual(w.parameters["/stark-ballot-simulator/develop/session-capability-secret"], {
            type: "SecureString",
            value: "offline-placeholder-sessionCapabilitySecret",
        });
    });

    it("main: the same pipeline with main's names and settings", async () => {
        const w = pipelineWiring(await synth("main"));
        assert.equal(w.environment, "main");
        assert.equal(w.workQueue.redrive?.maxReceiveCount, 3);
        assert.equal(w.functions["prover-dispatch"].environment.STATE_MACHINE_ARN, w.stateMachine.arn);
        assert.match(w.stateMachine.arn, /:stateMachine:stark-ballot-simulator-prover-dispatcher-main$/);
    });

    it("names what is missing when a stack lacks a resource it needs", async () => {
        const result = await synth("develop");
        const withoutMachine = { ...result, resources: result.resources.filter((r) => r.type !== "aws:sfn/stateMachine:StateMachine") };
        assert.throws(() => pipelineWiring(withoutMachine), /expected one state machine for the stack, found 0/);
        const withoutDlq = { ...result, resources: result.resources.filter((r) => r.inputs.name !== "stark-ballot-simulator-prover-work-dlq-develop") };
        assert.throws(() => pipelineWiring(withoutDlq), /expected one aws:sqs\/queue:Queue for name stark-ballot-simulator-prover-work-dlq-develop, found 0 \(have: stark-ballot-simulator-prover-work-develop\)/);
    });
});
