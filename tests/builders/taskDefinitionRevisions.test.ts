import * as assert from "node:assert/strict";
import { stateMachineRolePolicy, taskDefinitionRevisionsPattern } from "../../builders/policies/proverPipeline";

describe("defect 6: executions that started before a deploy may still run their task definition revision", () => {
    const cases: Array<[string, string]> = [
        ["arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:1", "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:*"],
        ["arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-main:42", "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-main:*"],
        ["arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/prover:7", "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/prover:*"],
    ];
    for (const [revision, family] of cases) {
        it(`${revision} -> every revision of its family`, () => assert.equal(taskDefinitionRevisionsPattern(revision), family));
    }

    it("refuses an ARN without a revision (it would not be the one the definition runs)", () => {
        assert.throws(() => taskDefinitionRevisionsPattern("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/prover"), /is not a task definition ARN with a revision/);
    });

    it("the state machine role runs any revision of the family, only in the prover cluster", () => {
        const policy = stateMachineRolePolicy({
            ctx: { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" },
            taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:3",
            clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/stark-ballot-simulator-prover-develop",
            clusterName: "stark-ballot-simulator-prover-develop",
            taskRoleArn: "t",
            executionRoleArn: "e",
            invokedFunctionArns: ["f"],
        });
        assert.deepEqual(policy.Statement[0], {
            Sid: "RunProverTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:*",
            Condition: { ArnEquals: { "ecs:cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/stark-ballot-simulator-prover-develop" } },
        });
    });
});
