import * as assert from "node:assert/strict";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, findAll, json, statementsBySid, synth } from "../support/synth";
import { ACCOUNT, at, REGION } from "../support/mockAccount";


function expectations(env: "develop" | "main") {
    const bucket = `stark-ballot-simulator-proof-bundles-${env}-${ACCOUNT}`;
    return {
        env,
        bucket,
        bucketArn: `arn:aws:s3:::${bucket}`,
        queueArn: `arn:aws:sqs:${at}:stark-ballot-simulator-prover-work-${env}`,
        dlqArn: `arn:aws:sqs:${at}:stark-ballot-simulator-prover-work-dlq-${env}`,
        repositoryArn: `arn:aws:ecr:${at}:repository/stark-ballot-simulator-prover-${env}`,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/stark-ballot-simulator-prover-${env}`,
        clusterArn: `arn:aws:ecs:${at}:cluster/stark-ballot-simulator-prover-${env}`,
        taskDefinitionArn: `arn:aws:ecs:${at}:task-definition/stark-ballot-simulator-prover-${env}:1`,
        stateMachineArn: `arn:aws:states:${at}:stateMachine:stark-ballot-simulator-prover-dispatcher-${env}`,
        signatureFunctionArn: `arn:aws:lambda:${at}:function:stark-ballot-simulator-check-image-signature-${env}`,
        finalizeFunctionArn: `arn:aws:lambda:${at}:function:stark-ballot-simulator-finalize-callback-${env}`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/stark-ballot-simulator-prover-task-${env}`,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/stark-ballot-simulator-prover-execution-${env}`,
        proverLogGroup: `/ecs/stark-ballot-simulator-prover-${env}`,
        dispatcherLogGroup: `/aws/vendedlogs/states/stark-ballot-simulator-prover-dispatcher-${env}`,
        retention: env === "develop" ? 7 : 14,
        expiration: env === "develop" ? 7 : 30,
    };
}

for (const env of ["develop", "main"] as const) {
    describe(`ProverPipeline in ${env} (synthesized)`, function () {
        const x = expectations(env);
        let r: SynthResult;
        before(async () => {
            r = await synth(env);
        });

        it("work queue: parity timeouts, SSE, redrive to the DLQ after 3 receives", () => {
            const q = find(r, "aws:sqs/queue:Queue", "prover-work-queue");
            assert.equal(q.inputs.name, `stark-ballot-simulator-prover-work-${env}`);
            assert.equal(q.inputs.visibilityTimeoutSeconds, 1000);
            assert.equal(q.inputs.messageRetentionSeconds, 345600);
            assert.equal(q.inputs.receiveWaitTimeSeconds, 20);
            assert.equal(q.inputs.sqsManagedSseEnabled, true);
            // Explicit, because the api refuses messages above it (PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES).
            assert.equal(q.inputs.maxMessageSize, 262144);
            assert.deepEqual(JSON.parse(q.inputs.redrivePolicy), { deadLetterTargetArn: x.dlqArn, maxReceiveCount: 3 });
        });

        it("DLQ: 14-day retention, SSE, redrive allowed only from the work queue", () => {
            const dlq = find(r, "aws:sqs/queue:Queue", "prover-work-dlq");
            assert.equal(dlq.inputs.name, `stark-ballot-simulator-prover-work-dlq-${env}`);
            assert.equal(dlq.inputs.messageRetentionSeconds, 1209600);
            assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
            const allow = json(find(r, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "prover-work-dlq-redrive-allow"), "redriveAllowPolicy");
            assert.deepEqual(allow, { redrivePermission: "byQueue", sourceQueueArns: [x.queueArn] });
        });

        it("the work queue lets only the api's role send (an explicit Deny for every other principal); the DLQ keeps its TLS-only policy", () => {
            const apiRole = `arn:aws:iam::123456789012:role/stark-ballot-simulator-api-${env}-role`;
            const work = statementsBySid(find(r, "aws:sqs/queuePolicy:QueuePolicy", "prover-work-queue-policy"));
            assert.deepEqual(Object.keys(work), ["DenyInsecureTransport", "OnlyTheApiSends"]);
            assert.deepEqual(work.OnlyTheApiSends, {
                Sid: "OnlyTheApiSends",
                Effect: "Deny",
                Principal: "*",
                Action: "sqs:SendMessage",
                Resource: x.queueArn,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": [apiRole] } },
            });
            // The ARN names the api function's real role.
            assert.equal(find(r, "aws:iam/role:Role", "app-api-role").inputs.name, apiRole.split("/")[1]);
            assert.deepEqual(Object.keys(statementsBySid(find(r, "aws:sqs/queuePolicy:QueuePolicy", "prover-work-dlq-policy"))), ["DenyInsecureTransport"]);
        });

        it("queues deny requests without TLS", () => {
            for (const [name, queueArn] of [["prover-work-queue-policy", x.queueArn], ["prover-work-dlq-policy", x.dlqArn]]) {
                const s = statementsBySid(find(r, "aws:sqs/queuePolicy:QueuePolicy", name)).DenyInsecureTransport;
                assert.deepEqual(s, { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: [queueArn], Condition: { Bool: { "aws:SecureTransport": "false" } } });
            }
        });

        it("bundle bucket: name with account id, SSE-S3, public access blocked, owner-enforced, TLS-only, unencrypted uploads denied", () => {
            assert.equal(find(r, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket, x.bucket);
            const sse = find(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "prover-bundles-sse");
            assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const pab = find(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "prover-bundles-public-access").inputs;
            assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
            assert.equal(find(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "prover-bundles-ownership").inputs.rule.objectOwnership, "BucketOwnerEnforced");
            const policy = statementsBySid(find(r, "aws:s3/bucketPolicy:BucketPolicy", "prover-bundles-policy"));
            assert.deepEqual(policy.DenyInsecureTransport.Resource, [x.bucketArn, `${x.bucketArn}/*`]);
            assert.deepEqual(policy.DenyInsecureTransport.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepEqual(policy.DenyUnencryptedObjectUploads, {
                Sid: "DenyUnencryptedObjectUploads",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: `${x.bucketArn}/*`,
                Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
            });
        });

        it(`bundle bucket lifecycle: objects under the prefix, current and noncurrent, expire after ${x.expiration} days`, () => {
            const rules = find(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prover-bundles-lifecycle").inputs.rules;
            assert.deepEqual(rules[0], {
                id: "expire-proof-bundles",
                status: "Enabled",
                filter: { prefix: "sessions/" },
                expiration: { days: x.expiration },
                noncurrentVersionExpiration: { noncurrentDays: x.expiration },
            });
            assert.deepEqual(rules[1], { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "sessions/" }, expiration: { expiredObjectDeleteMarker: true } });
            assert.deepEqual(rules[2].abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
        });

        it("bundle bucket is versioned, so an overwritten bundle stays recoverable", () => {
            const versioning = find(r, "aws:s3/bucketVersioning:BucketVersioning", "prover-bundles-versioning").inputs;
            assert.equal(versioning.bucket, x.bucket);
            assert.deepEqual(versioning.versioningConfiguration, { status: "Enabled" });
        });

        it("ECR repository: immutable tags, scan on push, AES256, lifecycle keeping 10 images with their signatures (20 artifacts)", () => {
            const repo = find(r, "aws:ecr/repository:Repository", "prover-repository").inputs;
            assert.equal(repo.name, `stark-ballot-simulator-prover-${env}`);
            assert.equal(repo.imageScanningConfiguration.scanOnPush, true);
            // Immutable tags: a pushed tag never moves; the program pushes a tag per build and runs by digest.
            assert.equal(repo.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(repo.encryptionConfigurations, [{ encryptionType: "AES256" }]);
            const lifecycle = json(find(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "prover-repository-lifecycle"), "policy");
            assert.deepEqual(lifecycle.rules[0].selection, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 });
        });

        it("ECS cluster with Container Insights and only the FARGATE capacity provider (Fargate Spot runs no ARM64 task)", () => {
            const cluster = find(r, "aws:ecs/cluster:Cluster", "prover-cluster").inputs;
            assert.deepEqual(cluster.settings, [{ name: "containerInsights", value: "enabled" }]);
            assert.deepEqual(find(r, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "prover-cluster-capacity").inputs.capacityProviders, ["FARGATE"]);
        });

        it("task definition: awsvpc, FARGATE, Linux ARM64, 16384/32768, hardened digest-pinned container", () => {
            const td = find(r, "aws:ecs/taskDefinition:TaskDefinition", "prover-task");
            assert.equal(td.inputs.family, `stark-ballot-simulator-prover-${env}`);
            assert.equal(td.inputs.networkMode, "awsvpc");
            assert.deepEqual(td.inputs.requiresCompatibilities, ["FARGATE"]);
            assert.deepEqual(td.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
            assert.equal(td.inputs.cpu, "16384");
            assert.equal(td.inputs.memory, "32768");
            assert.equal(td.inputs.taskRoleArn, x.taskRoleArn);
            assert.equal(td.inputs.executionRoleArn, x.executionRoleArn);
            assert.deepEqual(td.inputs.volumes, [{ name: "scratch" }]);
            // A replaced revision stays ACTIVE: executions started before a deploy can still run it.
            assert.equal(td.inputs.skipDestroy, true);
            const [c, ...others] = json(td, "containerDefinitions");
            assert.equal(others.length, 0);
            assert.equal(c.name, "prover");
            assert.equal(c.essential, true);
            assert.match(c.image, new RegExp(`^${x.repositoryUrl}@sha256:[0-9a-f]{64}$`));
            // Root only to start the zkVM host as 10001:10001 (credential isolation); four capabilities kept.
            assert.equal(c.user, "0:0");
            assert.deepEqual(c.linuxParameters, {
                capabilities: { drop: ["AUDIT_WRITE", "DAC_OVERRIDE", "FOWNER", "FSETID", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETPCAP", "SYS_CHROOT"] },
            });
            assert.equal(c.readonlyRootFilesystem, true);
            assert.deepEqual(c.mountPoints, [{ sourceVolume: "scratch", containerPath: "/scratch", readOnly: false }]);
            assert.deepEqual(c.environment, [
                { name: "ENV_NAME", value: env },
                { name: "S3_PROOF_BUCKET", value: x.bucket },
                { name: "S3_PROOF_PREFIX", value: "sessions/" },
                { name: "ZKVM_TIMEOUT_SECONDS", value: "900" },
                { name: "SCRATCH_DIR", value: "/scratch" },
                { name: "ZKVM_HOST_USER", value: "10001:10001" },
            ]);
            assert.deepEqual(c.logConfiguration, {
                logDriver: "awslogs",
                options: { "awslogs-group": x.proverLogGroup, "awslogs-region": REGION, "awslogs-stream-prefix": "prover" },
            });
        });

        it(`log groups of the pipeline keep ${x.retention} days`, () => {
            const groups = findAll(r, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("prover-"));
            assert.deepEqual(
                groups.map((g) => [g.inputs.name, g.inputs.retentionInDays]).sort(),
                [
                    [`/aws/lambda/stark-ballot-simulator-check-image-signature-${env}`, x.retention],
                    [`/aws/lambda/stark-ballot-simulator-proof-slot-cleanup-${env}`, x.retention],
                    [x.dispatcherLogGroup, x.retention],
                    [x.proverLogGroup, x.retention],
                ].sort(),
            );
        });

        it("task role: reads input.json and writes the published objects, nothing else (no DeleteObject, no ListBucket)", () => {
            const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-task-policy"));
            assert.deepEqual(Object.keys(s), ["ReadProofInputs", "WriteProofOutputs"]);
            assert.equal(s.ReadProofInputs.Action, "s3:GetObject");
            assert.equal(s.ReadProofInputs.Resource, `${x.bucketArn}/sessions/*/input.json`);
            assert.equal(s.WriteProofOutputs.Action, "s3:PutObject");
            assert.deepEqual(
                s.WriteProofOutputs.Resource,
                ["receipt.json", "journal.json", "public-input.json", "election-manifest.json", "close-statement.json", "included-bitmap.json", "seen-bitmap.json", "bundle.zip"].map(
                    (n) => `${x.bucketArn}/sessions/*/${n}`,
                ),
            );
            const actions = Object.values(s).flatMap((st) => ([] as string[]).concat(st.Action));
            assert.ok(!actions.includes("s3:DeleteObject") && !actions.includes("s3:ListBucket"), actions.join());
        });

        it("execution role: pull from the prover repository, write the prover log group", () => {
            const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-task-execution-policy"));
            assert.deepEqual(Object.keys(s), ["GetEcrAuthorizationToken", "PullProverImage", "WriteOwnLogGroup"]);
            assert.equal(s.GetEcrAuthorizationToken.Resource, "*");
            assert.equal(s.PullProverImage.Resource, x.repositoryArn);
            assert.equal(s.WriteOwnLogGroup.Resource, `arn:aws:logs:${at}:log-group:${x.proverLogGroup}:log-stream:*`);
        });

        it("task role trusts ECS tasks of this account's ECS resources (both keys, as the task role page documents)", () => {
            const trust = json(find(r, "aws:iam/role:Role", "prover-task-role"), "assumeRolePolicy").Statement[0];
            assert.deepEqual(trust.Principal, { Service: "ecs-tasks.amazonaws.com" });
            assert.deepEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ecs:${at}:*` } });
        });

        it("execution role trusts ECS tasks of this account, with no aws:SourceArn (no AWS page says that assume sends it)", () => {
            const trust = json(find(r, "aws:iam/role:Role", "prover-task-execution-role"), "assumeRolePolicy").Statement[0];
            assert.deepEqual(trust.Principal, { Service: "ecs-tasks.amazonaws.com" });
            assert.deepEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT } });
        });

        it("state machine role: exactly the task, cluster, roles, rule, two Lambdas and log delivery", () => {
            const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy"));
            assert.deepEqual(Object.keys(s), ["RunProverTask", "TrackProverTasks", "PassProverRolesToEcs", "ManageEcsSyncRule", "InvokePipelineFunctions", "DeliverExecutionLogs"]);
            assert.equal(s.RunProverTask.Action, "ecs:RunTask");
            // Every revision of the family (in-flight executions keep running the previous one), still only in the prover cluster.
            assert.equal(s.RunProverTask.Resource, `arn:aws:ecs:${at}:task-definition/stark-ballot-simulator-prover-${env}:*`);
            assert.deepEqual(s.RunProverTask.Condition, { ArnEquals: { "ecs:cluster": x.clusterArn } });
            assert.deepEqual(s.TrackProverTasks.Action, ["ecs:StopTask", "ecs:DescribeTasks"]);
            assert.equal(s.TrackProverTasks.Resource, `arn:aws:ecs:${at}:task/stark-ballot-simulator-prover-${env}/*`);
            assert.deepEqual(s.PassProverRolesToEcs.Resource, [x.taskRoleArn, x.executionRoleArn]);
            assert.deepEqual(s.PassProverRolesToEcs.Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
            assert.equal(s.ManageEcsSyncRule.Resource, `arn:aws:events:${at}:rule/StepFunctionsGetEventsForECSTaskRule`);
            assert.deepEqual(s.InvokePipelineFunctions.Resource, [x.signatureFunctionArn, x.finalizeFunctionArn]);
            assert.equal(s.DeliverExecutionLogs.Resource, "*");
            // The vended-logs delivery actions Step Functions documents for logging; they accept no narrower resource.
            // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
            assert.deepEqual(s.DeliverExecutionLogs.Action, [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups",
            ]);
        });

        it("state machine role trusts Step Functions only for this state machine", () => {
            const trust = json(find(r, "aws:iam/role:Role", "prover-dispatcher-role"), "assumeRolePolicy").Statement[0];
            assert.deepEqual(trust.Principal, { Service: "states.amazonaws.com" });
            assert.deepEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": x.stateMachineArn } });
        });

        it("signature Lambda: 10 s / 128 MB on nodejs22.x, may only describe signing status and scan findings of the repository", () => {
            const fn = find(r, "aws:lambda/function:Function", "prover-check-image-signature-function").inputs;
            assert.equal(fn.name, `stark-ballot-simulator-check-image-signature-${env}`);
            assert.equal(fn.runtime, "nodejs22.x");
            assert.equal(fn.timeout, 10);
            assert.equal(fn.memorySize, 128);
            assert.equal(fn.loggingConfig.logGroup, `/aws/lambda/stark-ballot-simulator-check-image-signature-${env}`);
            const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-check-image-signature-policy"));
            assert.deepEqual(Object.keys(s), ["WriteOwnLogGroup", "DescribeProverImageSigningAndScan"]);
            assert.deepEqual(s.DescribeProverImageSigningAndScan.Action, ["ecr:DescribeImageSigningStatus", "ecr:DescribeImageScanFindings"]);
            assert.equal(s.DescribeProverImageSigningAndScan.Resource, x.repositoryArn);
        });

        it("state machine: STANDARD, logging ALL without execution data, to its own log group", () => {
            const sm = find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher").inputs;
            assert.equal(sm.name, `stark-ballot-simulator-prover-dispatcher-${env}`);
            assert.equal(sm.type, "STANDARD");
            assert.deepEqual(sm.loggingConfiguration, {
                level: "ALL",
                includeExecutionData: false,
                logDestination: `arn:aws:logs:${at}:log-group:${x.dispatcherLogGroup}:*`,
            });
        });

        it("state machine definition: the picture's states, JSONPaths and the digest-pinned image", () => {
            const def = json(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher"), "definition");
            assert.equal(def.StartAt, "VerifyImageSignature");
            assert.deepEqual(Object.keys(def.States).sort(), [
                "AcquireProofSlot",
                "CheckImageSignature",
                "CheckProofSlotHeld",
                "FinalizeFailed",
                "FinalizeSignatureFailed",
                "FinalizeSucceeded",
                "RecheckImageSignature",
                "ReleaseProofSlot",
                "ReleaseProofSlotAfterFailure",
                "RunProver",
                "VerifyImageSignature",
                "WaitForImageGate",
                "WaitForProofSlot",
            ]);
            const verify = def.States.VerifyImageSignature;
            assert.equal(verify.Parameters.FunctionName, x.signatureFunctionArn);
            assert.equal(verify.ResultPath, "$.signingStatus");
            assert.equal(verify.Parameters.Payload.repositoryName, `stark-ballot-simulator-prover-${env}`);
            const td = json(find(r, "aws:ecs/taskDefinition:TaskDefinition", "prover-task"), "containerDefinitions");
            assert.equal(`${x.repositoryUrl}@${verify.Parameters.Payload.imageDigest}`, td[0].image, "gate and task see the same digest");
            assert.equal(verify.Parameters.Payload.registryId, "123456789012");
            assert.equal(verify.Parameters.Payload.allowHighScanFindings, false);
            assert.equal(def.States.CheckImageSignature.Choices[0].Variable, "$.signingStatus.Payload.verdict");
            const run = def.States.RunProver;
            assert.equal(run.Resource, "arn:aws:states:::ecs:runTask.sync");
            assert.equal(run.Parameters.Cluster, x.clusterArn);
            assert.equal(run.Parameters.TaskDefinition, x.taskDefinitionArn);
            assert.equal(run.Parameters.LaunchType, "FARGATE");
            assert.equal(run.ResultPath, "$.proverResult");
            assert.equal(run.TimeoutSeconds, 1500);
            const envVars = Object.fromEntries(
                run.Parameters.Overrides.ContainerOverrides[0].Environment.map((e: any) => [e.Name, e.Value ?? e["Value.$"]]),
            );
            assert.deepEqual(envVars, {
                ENV_NAME: env,
                S3_PROOF_BUCKET: x.bucket,
                S3_PROOF_PREFIX: "sessions/",
                INPUT_S3_BUCKET: x.bucket,
                INPUT_S3_KEY: "$.payload.inputS3Key",
                OUTPUT_S3_BUCKET: x.bucket,
                OUTPUT_S3_PREFIX: "States.Format('sessions/{}/{}', $.payload.sessionId, $.payload.executionId)",
            });
            assert.equal(def.States.FinalizeSucceeded.Parameters.FunctionName, x.finalizeFunctionArn);
        });

        it(`protects exactly the stateful resources ${env === "main" ? "in main" : "nowhere in develop"}`, () => {
            const protectedNames = r.resources.filter((res) => res.protect && res.name.startsWith("prover-")).map((res) => res.name).sort();
            assert.deepEqual(protectedNames, env === "main" ? ["prover-bundles", "prover-check-image-signature-logs", "prover-dispatcher-logs", "prover-proof-slot-cleanup-logs", "prover-proof-slots-table", "prover-prover-logs", "prover-repository", "prover-work-dlq", "prover-work-queue"] : []);
            assert.equal(find(r, "aws:s3/bucket:Bucket", "prover-bundles").inputs.forceDestroy, env !== "main");
            assert.equal(find(r, "aws:ecr/repository:Repository", "prover-repository").inputs.forceDelete, env !== "main");
        });

        it("exports the pipeline outputs under the SPEC §5 names", () => {
            // Exactly SPEC §5's names (plus the data API's, issue 17, and the operators' policy, issue 14): the application reads them, so none may be renamed or missing.
            assert.deepEqual(Object.keys(r.outputs).sort(), [
                "alarmTopicArn",
                "apiUrl",
                "appEnvironment",
                "dataApiGraphqlEndpoint",
                "dataApiId",
                "dataApiRegion",
                "ecrRepositoryUrl",
                "environment",
                "finalizeCallbackFunctionArn",
                "operatorPolicyArn",
                "proofBundleBucketName",
                "proofPrefix",
                "proverImageParameterName",
                "proverImageUri",
                "proverStateMachineArn",
                "proverWorkQueueArn",
                "proverWorkQueueUrl",
                "region",
                "sessionsTableName",
            ]);
            assert.equal(r.outputs.environment, env);
            assert.equal(r.outputs.region, REGION);
            assert.equal(r.outputs.proofBundleBucketName, x.bucket);
            assert.equal(r.outputs.proofPrefix, "sessions/");
            assert.equal(r.outputs.proverWorkQueueUrl, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/stark-ballot-simulator-prover-work-${env}`);
            assert.equal(r.outputs.proverWorkQueueArn, x.queueArn);
            assert.equal(r.outputs.proverStateMachineArn, x.stateMachineArn);
            assert.equal(r.outputs.ecrRepositoryUrl, x.repositoryUrl);
            assert.match(String(r.outputs.proverImageUri), new RegExp(`^${x.repositoryUrl}@sha256:[0-9a-f]{64}$`));
            const app = r.outputs.appEnvironment as Record<string, string>;
            assert.equal(app.S3_PROOF_BUCKET, x.bucket);
            assert.equal(app.S3_PROOF_PREFIX, "sessions/");
            assert.equal(app.PROVER_WORK_QUEUE_URL, r.outputs.proverWorkQueueUrl);
            assert.equal(app.PROVER_WORK_QUEUE_ARN, x.queueArn);
            assert.equal(app.PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES, "262144");
            assert.equal(app.PROVER_STATE_MACHINE_ARN, x.stateMachineArn);
        });

        it("calls only the allowed provider functions", () => {
            assert.deepEqual([...new Set(r.invokes)].sort(), [
                "aws:ecr/getAuthorizationToken:getAuthorizationToken",
                "aws:index/getAvailabilityZones:getAvailabilityZones",
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:index/getPartition:getPartition",
                "aws:index/getRegion:getRegion",
            ]);
        });
    });
}
