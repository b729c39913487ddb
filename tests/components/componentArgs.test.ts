/**
 * Every component checks its arguments before `super`: bad arguments are reported all at once, in
 * one error naming each argument and its rule, and nothing (not the component, not a child) is
 * registered. The mocks here record every registration, so a check after `super` would show up.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AppApi, AppApiArgs } from "../../components/appApi";
import { DataApi } from "../../components/dataApi";
import { Network } from "../../components/network";
import { NodeFunction } from "../../components/nodeFunction";
import { Observability, ObservabilityArgs } from "../../components/observability";
import { OperatorAccess } from "../../components/operatorAccess";
import { ProofVerifier } from "../../components/proofVerifier";
import { ProverImageRecord } from "../../components/proverImageRecord";
import { ProverPipeline } from "../../components/proverPipeline";
import { WebHosting, WebHostingArgs } from "../../components/webHosting";

const ACCOUNT = "123456789012";
const ctx = { partition: "aws", region: "ap-northeast-1", accountId: ACCOUNT };

/** Runs `construct` under mocks that record every registration (component or custom resource). */
async function registrationsOf(construct: () => unknown): Promise<{ error?: Error; registered: string[] }> {
    const registered: string[] = [];
    pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                registered.push(`${a.type}::${a.name}`);
                return { id: `${a.name}-id`, state: a.inputs };
            },
            call: (a) => {
                throw new Error(`unexpected provider function call ${a.token}`);
            },
        },
        "stark-ballot-simulator",
        "component-args",
        false,
    );
    let error: Error | undefined;
    try {
        construct();
    } catch (e) {
        error = e as Error;
    }
    // Registrations are asynchronous RPCs: let every one queued by `construct` reach the mocks.
    await (pulumi.runtime as unknown as { waitForRPCs?(): Promise<void> }).waitForRPCs?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { error, registered };
}

const message = (component: string, name: string, problems: string[]) =>
    `${component} ${name}: invalid arguments (${problems.length}):\n${problems.map((p) => `  - ${p}`).join("\n")}`;

describe("component arguments: checked before anything is registered", function () {
    it("the harness sees registrations: a valid component registers itself and its child", async () => {
        const r = await registrationsOf(() => new OperatorAccess("ok", { nameScope: "develop", partition: "aws", bundleBucketName: "b", proofPrefix: "sessions/" }));
        assert.equal(r.error, undefined);
        assert.deepEqual(r.registered, ["stark:operators:OperatorAccess::ok", "aws:iam/policy:Policy::ok-bundle-operators"]);
    });

    const cases: { component: string; name: string; construct: (name: string) => unknown; problems: string[] }[] = [
        {
            component: "ProverPipeline",
            name: "pp",
            construct: (name) =>
                new ProverPipeline(name, {
                    environment: " ",
                    nameScope: "develop",
                    awsContext: ctx,
                    bundleBucketName: "Bundles",
                    proofPrefix: "../",
                    bundleExpirationDays: 0,
                    logRetentionDays: 8,
                    image: { kind: "build", context: "prover", dockerfile: "Dockerfile", buildArgs: {}, platform: "linux/arm64" },
                    hostTimeoutSeconds: 1.5,
                    useFargateSpot: true,
                    taskSubnetIds: [],
                    taskSecurityGroupIds: ["a", "b", "c", "d", "e", "f"],
                    assignPublicIp: true,
                    finalizeCallbackFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:f",
                    maxConcurrentProofs: 0,
                    workQueueSenderRoleArns: [],
                    verifierContract: { kind: "reference" },
                }),
            problems: [
                "environment: must not be empty",
                'proofPrefix: "../" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)',
                'bundleBucketName: "Bundles" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)',
                "useFargateSpot: the prover task is ARM64, and Fargate Spot runs only X86_64 Linux tasks (every RunTask would fail)",
                'verifierContract: "reference" needs verifyProofFunctionArn (the verification step)',
                "bundleExpirationDays: 0 must be a positive integer",
                "logRetentionDays: 8 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
                "hostTimeoutSeconds: 1.5 must be a positive integer",
                "taskSubnetIds: needs 1 to 16 entries, got 0",
                "taskSecurityGroupIds: needs 1 to 5 entries, got 6",
                "workQueueSenderRoleArns: needs at least 1 entries, got 0",
                "maxConcurrentProofs: 0 must be a positive integer",
            ],
        },
        {
            component: "NodeFunction",
            name: "fn",
            construct: (name) =>
                new NodeFunction(name, {
                    functionName: "has space",
                    entry: "lambdas/api/index.ts",
                    code: new pulumi.asset.AssetArchive({}),
                    timeoutSeconds: 901,
                    memorySize: 64,
                    logRetentionDays: 8,
                    reservedConcurrency: -1,
                    awsContext: ctx,
                    layers: ["1", "2", "3", "4", "5", "6"],
                }),
            problems: [
                'functionName: "has space" is not a Lambda function name (1-64 letters, digits, "-" or "_")',
                "entry, code: set exactly one (the handler to bundle, or a prebuilt archive)",
                "timeoutSeconds: 901 must be an integer from 1 to 900",
                "memorySize: 64 must be an integer from 128 to 10240",
                "logRetentionDays: 8 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
                "reservedConcurrency: -1 must be an integer of at least 0",
                "layers: needs 0 to 5 entries, got 6",
            ],
        },
        {
            component: "Network",
            name: "net",
            construct: (name) =>
                new Network(name, {
                    environment: "develop",
                    region: "",
                    mode: "private",
                    cidrBlock: "10.0.0.0/16",
                    publicSubnetCidrs: ["10.0.1.0/24", "10.0.1.128/25"],
                    privateSubnetCidrs: ["10.1.0.0/24", "10.0.3.0/30"],
                }),
            problems: [
                "region: must not be empty",
                'publicSubnetCidrs[1]: "10.0.1.128/25" overlaps publicSubnetCidrs[0] "10.0.1.0/24"',
                'privateSubnetCidrs[0]: "10.1.0.0/24" is not inside cidrBlock "10.0.0.0/16"',
                'privateSubnetCidrs[1]: "10.0.3.0/30" must be from /16 to /28',
            ],
        },
        {
            component: "Observability",
            name: "obs",
            construct: (name) =>
                new Observability(name, {
                    environment: "develop",
                    awsContext: ctx,
                    cloudTrail: { enabled: true, retentionDays: 100 },
                    alarmEmails: ["nope"],
                } as unknown as ObservabilityArgs),
            problems: [
                "cloudTrail.retentionDays: 100 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
                'alarmEmails[0]: "nope" is not an e-mail address',
            ],
        },
        {
            component: "WebHosting",
            name: "web",
            construct: (name) =>
                new WebHosting(name, {
                    environment: "develop",
                    awsContext: ctx,
                    environmentVariableNames: ["AWS_REGION_NAME", "bad name"],
                    environmentVariables: {},
                    logRetentionDays: 8,
                } as unknown as WebHostingArgs),
            problems: [
                "environmentVariableNames: not environment variable names: bad name",
                "environmentVariableNames: AWS_REGION_NAME: Amplify reserves environment variable names starting with AWS",
                "logRetentionDays: 8 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
            ],
        },
        {
            component: "AppApi",
            name: "app",
            construct: (name) =>
                new AppApi(name, {
                    workQueueVisibilityTimeoutSeconds: 120,
                    finalizeCallbackFunctionName: "f",
                    applicationBuilds: { proverDispatch: { path: "tests/fixtures/hosting" } },
                } as unknown as AppApiArgs),
            problems: [
                "workQueueVisibilityTimeoutSeconds: 120 s must be at least 6 times the prover-dispatch timeout (180 s)",
                "applicationBuilds (proverDispatch): the application's builds reach their data only through the data API; pass dataApi",
            ],
        },
        {
            component: "DataApi",
            name: "data",
            construct: (name) => new DataApi(name, { environment: "Develop!", awsContext: ctx, logRetentionDays: 0 }),
            problems: [
                'environment: "Develop!" must be 1-40 lower-case letters, digits or "-" (it is part of table and API names)',
                "logRetentionDays: 0 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
            ],
        },
        {
            component: "ProofVerifier",
            name: "verifier",
            construct: (name) =>
                new ProofVerifier(name, {
                    nameScope: "",
                    awsContext: ctx,
                    layerPath: "tests/fixtures/verifier-layer",
                    architecture: "mips" as "arm64",
                    bucketName: "b",
                    proofPrefix: "sessions/",
                    imageParameterName: "p",
                    imageParameterArn: "arn",
                    logRetentionDays: 8,
                }),
            problems: [
                "nameScope: must not be empty",
                'architecture: "mips" must be one of arm64, x86_64',
                "logRetentionDays: 8 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
            ],
        },
        {
            component: "OperatorAccess",
            name: "ops",
            construct: (name) => new OperatorAccess(name, { nameScope: "", partition: " ", bundleBucketName: "b", proofPrefix: "" }),
            problems: ["nameScope: must not be empty", "partition: must not be empty"],
        },
        {
            component: "ProverImageRecord",
            name: "record",
            construct: (name) => new ProverImageRecord(name, { nameScope: "", repositoryName: "r", imageDigest: "d", imageUri: "u" }),
            problems: ["nameScope: must not be empty"],
        },
    ];

    for (const c of cases) {
        it(`${c.component}: every problem in one error, nothing registered`, async () => {
            const r = await registrationsOf(() => c.construct(c.name));
            assert.equal(r.error?.message, message(c.component, c.name, c.problems));
            assert.deepEqual(r.registered, []);
        });
    }
});
