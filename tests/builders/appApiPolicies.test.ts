import * as assert from "node:assert/strict";
import { apiPolicy, finalizeCallbackPolicy, proverDispatchPolicy } from "../../builders/policies/appApi";

const ctx = { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" };
const at = `${ctx.region}:${ctx.accountId}`;
const sessionsTableArn = `arn:aws-cn:dynamodb:${at}:table/sessions`;
const workQueueArn = `arn:aws-cn:sqs:${at}:work`;
const stateMachineArn = `arn:aws-cn:states:${at}:stateMachine:dispatcher`;

describe("app layer IAM documents", () => {
    it("prover-dispatch: PutObject under the prefix, StartExecution on the state machine, session writes, queue consumption", () => {
        const doc = proverDispatchPolicy({ ctx, bucketName: "bundles", proofPrefix: "proofs/v1/", stateMachineArn, sessionsTableArn, workQueueArn });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                { Sid: "WriteProofInputs", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws-cn:s3:::bundles/proofs/v1/*" },
                { Sid: "StartProverExecutions", Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn },
                { Sid: "MarkSessionsRunning", Effect: "Allow", Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: sessionsTableArn },
                {
                    Sid: "ConsumeWorkQueue",
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    Resource: workQueueArn,
                },
            ],
        });
    });

    it("prover-dispatch with an empty prefix: objects of the whole bucket, nothing wider", () => {
        const doc = proverDispatchPolicy({ ctx, bucketName: "bundles", proofPrefix: "", stateMachineArn, sessionsTableArn, workQueueArn });
        assert.equal(doc.Statement[0].Resource, "arn:aws-cn:s3:::bundles/*");
    });

    it("finalize-callback: only conditional session writes (and the read that explains a refused one)", () => {
        assert.deepEqual(finalizeCallbackPolicy({ sessionsTableArn }), {
            Version: "2012-10-17",
            Statement: [{ Sid: "WriteSessionResults", Effect: "Allow", Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: sessionsTableArn }],
        });
    });

    it("api: send work, follow this state machine's executions, read proofs, item access to its tables, its three secrets", () => {
        const tableArns = [sessionsTableArn, `arn:aws-cn:dynamodb:${at}:table/rate-limit`, `arn:aws-cn:dynamodb:${at}:table/rate-limit-keys`];
        const secretParameterArns = ["a", "b", "c"].map((n) => `arn:aws-cn:ssm:${at}:parameter/app/${n}`);
        const doc = apiPolicy({ ctx, bucketName: "bundles", proofPrefix: "sessions/", workQueueArn, stateMachineName: "dispatcher", tableArns, secretParameterArns });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                { Sid: "QueueProofWork", Effect: "Allow", Action: "sqs:SendMessage", Resource: workQueueArn },
                {
                    Sid: "FollowProverExecutions",
                    Effect: "Allow",
                    Action: ["states:DescribeExecution", "states:StopExecution"],
                    Resource: `arn:aws-cn:states:${at}:execution:dispatcher:*`,
                },
                { Sid: "ReadProofObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws-cn:s3:::bundles/sessions/*" },
                {
                    Sid: "ReadWriteAppTables",
                    Effect: "Allow",
                    Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
                    Resource: tableArns,
                },
                { Sid: "ReadApplicationSecrets", Effect: "Allow", Action: "ssm:GetParameter", Resource: secretParameterArns },
            ],
        });
    });

    it("no statement of any function allows a wildcard resource, a wildcard action or a Deny", () => {
        const docs = [
            proverDispatchPolicy({ ctx, bucketName: "b", proofPrefix: "p/", stateMachineArn, sessionsTableArn, workQueueArn }),
            finalizeCallbackPolicy({ sessionsTableArn }),
            apiPolicy({ ctx, bucketName: "b", proofPrefix: "p/", workQueueArn, stateMachineName: "m", tableArns: [sessionsTableArn], secretParameterArns: ["arn:aws-cn:ssm:x"] }),
        ];
        for (const statement of docs.flatMap((d) => d.Statement)) {
            const resources = ([] as string[]).concat(statement.Resource ?? []);
            const actions = ([] as string[]).concat(statement.Action);
            assert.ok(resources.length > 0 && resources.every((r) => r !== "*" && r.startsWith("arn:aws-cn:")), `${statement.Sid}: ${resources}`);
            assert.ok(actions.every((a) => /^[a-z0-9]+:[A-Za-z]+$/.test(a)), `${statement.Sid}: ${actions}`);
            assert.equal(statement.Effect, "Allow");
        }
    });
});
