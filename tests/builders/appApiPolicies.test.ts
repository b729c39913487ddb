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

    const tableArns: [string, string, string] = [sessionsTableArn, `arn:aws-cn:dynamodb:${at}:table/rate-limit`, `arn:aws-cn:dynamodb:${at}:table/rate-limit-keys`];
    const secretParameterArns = ["a", "b", "c"].map((n) => `arn:aws-cn:ssm:${at}:parameter/app/${n}`);
    const imageParameterArn = `arn:aws-cn:ssm:${at}:parameter/stark-ballot-simulator/develop/prover-image`;
    // A presigned GET is authorized as the api's role when used: the report link needs the report's read.
    const bundlesAndReports = ["arn:aws-cn:s3:::bundles/sessions/*/bundle.zip", "arn:aws-cn:s3:::bundles/sessions/*/verification.json"];

    it("api (reference handler): only what lambdas/api calls; bundles and their reports, not inputs; no StopExecution; the prover image record", () => {
        const doc = apiPolicy({ ctx, bucketName: "bundles", proofPrefix: "sessions/", workQueueArn, stateMachineName: "dispatcher", tableArns, secretParameterArns, imageParameterArn });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                { Sid: "QueueProofWork", Effect: "Allow", Action: "sqs:SendMessage", Resource: workQueueArn },
                { Sid: "FollowProverExecutions", Effect: "Allow", Action: "states:DescribeExecution", Resource: `arn:aws-cn:states:${at}:execution:dispatcher:*` },
                { Sid: "ReadProofBundles", Effect: "Allow", Action: "s3:GetObject", Resource: bundlesAndReports },
                { Sid: "ReadWriteSessions", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: sessionsTableArn },
                { Sid: "CountRateLimitWindows", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: tableArns[2] },
                { Sid: "ReadApplicationSecrets", Effect: "Allow", Action: "ssm:GetParameter", Resource: secretParameterArns },
                { Sid: "ReadProverImageRecord", Effect: "Allow", Action: "ssm:GetParameter", Resource: imageParameterArn },
            ],
        });
    });

    it("api (application build): also StopExecution and item access to all three tables, still bundles only", () => {
        const doc = apiPolicy({ ctx, bucketName: "bundles", proofPrefix: "sessions/", workQueueArn, stateMachineName: "dispatcher", tableArns, secretParameterArns, imageParameterArn, applicationBuild: true });
        assert.deepEqual(doc.Statement.slice(1, 4), [
            {
                Sid: "FollowProverExecutions",
                Effect: "Allow",
                Action: ["states:DescribeExecution", "states:StopExecution"],
                Resource: `arn:aws-cn:states:${at}:execution:dispatcher:*`,
            },
            { Sid: "ReadProofBundles", Effect: "Allow", Action: "s3:GetObject", Resource: bundlesAndReports },
            {
                Sid: "ReadWriteAppTables",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
                Resource: tableArns,
            },
        ]);
    });

    it("api: the reference handler's source (lambdas/api and its session store) sends exactly these commands", async () => {
        const fs = await import("node:fs/promises");
        const path = await import("node:path");
        const root = path.join(__dirname, "../../lambdas");
        const files = [...(await fs.readdir(path.join(root, "api"))).filter((f) => f.endsWith(".ts")).map((f) => path.join(root, "api", f)), path.join(root, "shared/sessionStore.ts")];
        const used = new Set<string>();
        for (const file of files) {
            for (const m of (await fs.readFile(file, "utf8")).matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) used.add(m[1]);
        }
        // Get/Update: DynamoDB document client (GetItem/UpdateItem); GetObject: the presigned bundle link.
        assert.deepEqual([...used].sort(), ["DescribeExecution", "Get", "GetObject", "GetParameter", "SendMessage", "Update"]);
    });

    it("no statement of any function allows a wildcard resource, a wildcard action or a Deny", () => {
        const docs = [
            proverDispatchPolicy({ ctx, bucketName: "b", proofPrefix: "p/", stateMachineArn, sessionsTableArn, workQueueArn }),
            finalizeCallbackPolicy({ sessionsTableArn }),
            apiPolicy({ ctx, bucketName: "b", proofPrefix: "p/", workQueueArn, stateMachineName: "m", tableArns, secretParameterArns: ["arn:aws-cn:ssm:x"], imageParameterArn }),
            apiPolicy({ ctx, bucketName: "b", proofPrefix: "p/", workQueueArn, stateMachineName: "m", tableArns, secretParameterArns: ["arn:aws-cn:ssm:x"], imageParameterArn, applicationBuild: true }),
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
