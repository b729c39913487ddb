/**
 * Issue 12: settings runtime mocks accept but AWS rejects (or that break at run time), each pinned
 * on the synthesized program. The policy pack's side of the same classes: tests/policy/awsAcceptance.test.ts.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ProverPipeline } from "../../components/proverPipeline";
import { ACCOUNT_UNIQUE_NAME_KEYS } from "../../policy-pack/policies/physicalNames";
import { PROJECT_ROOT, SynthResult, synthesizeStack } from "../../scripts/lib/synthesize";
import { assertConfigRefused, find, synth, synthFailure } from "../support/synth";

const ACCOUNT = "123456789012";

/** A personal stack: the develop stack file under another stack name. */
function synthPersonal(stack: string): Promise<SynthResult> {
    const dir = mkdtempSync(join(tmpdir(), "stack-"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), readFileSync(join(PROJECT_ROOT, "Pulumi.develop.yaml")));
    return synth(stack, { stackConfigDir: dir });
}

/** Every name AWS keeps unique per account (or globally, for buckets), with its type. */
function accountUniqueNames(r: SynthResult): string[] {
    return r.resources
        .filter((res) => ACCOUNT_UNIQUE_NAME_KEYS[res.type] !== undefined && typeof res.inputs[ACCOUNT_UNIQUE_NAME_KEYS[res.type]] === "string")
        .map((res) => `${res.type} ${res.inputs[ACCOUNT_UNIQUE_NAME_KEYS[res.type]]}`);
}

describe("defect 4: two stacks of one account share no physical name", function () {
    let develop: SynthResult;
    let alice: SynthResult;
    let longest: SynthResult;
    before(async () => {
        develop = await synth("develop");
        alice = await synthPersonal("alice");
        longest = await synthPersonal("abcdefghijkl");
    });

    it("a personal stack with environment develop gets names of its own, disjoint from develop's", () => {
        const ours = accountUniqueNames(alice);
        const theirs = new Set(accountUniqueNames(develop));
        // Name for name, develop's with the stack's name in place of the environment's, except AppSync's log group,
        // which AWS names after the API's generated id.
        const byId = (n: string) => n.startsWith("aws:cloudwatch/logGroup:LogGroup /aws/appsync/apis/");
        assert.deepEqual(
            ours.filter((n) => !byId(n)).sort(),
            [...theirs].filter((n) => !byId(n)).map((n) => n.replace(/develop/g, "alice")).sort(),
        );
        assert.equal(ours.length, theirs.size);
        assert.deepEqual(ours.filter((n) => theirs.has(n)), []);
    });

    it("the personal stack's bucket, queue, role and table carry its name; develop keeps its parity names", () => {
        assert.equal(find(alice, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket, `stark-ballot-simulator-proof-bundles-alice-${ACCOUNT}`);
        assert.equal(find(alice, "aws:sqs/queue:Queue", "prover-work-queue").inputs.name, "stark-ballot-simulator-prover-work-alice");
        assert.equal(find(alice, "aws:iam/role:Role", "prover-task-role").inputs.name, "stark-ballot-simulator-prover-task-alice");
        assert.equal(find(alice, "aws:dynamodb/table:Table", "app-sessions-table").inputs.name, "stark-ballot-simulator-sessions-alice");
        assert.equal(find(develop, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket, `stark-ballot-simulator-proof-bundles-develop-${ACCOUNT}`);
        assert.equal(find(develop, "aws:sqs/queue:Queue", "prover-work-queue").inputs.name, "stark-ballot-simulator-prover-work-develop");
        // Still the develop environment: same retention, ENV_NAME and Environment tag semantics.
        assert.equal(alice.outputs.environment, "develop");
    });

    it("the longest personal stack name (12 characters) keeps every name within AWS's limits", () => {
        const limits: Record<string, number> = {
            "aws:s3/bucket:Bucket": 63,
            "aws:iam/role:Role": 64,
            "aws:lambda/function:Function": 64,
            "aws:sqs/queue:Queue": 80,
            "aws:sfn/stateMachine:StateMachine": 80,
            "aws:dynamodb/table:Table": 255,
            "aws:ecr/repository:Repository": 256,
        };
        const tooLong = longest.resources
            .filter((r) => limits[r.type] !== undefined && String(r.inputs[ACCOUNT_UNIQUE_NAME_KEYS[r.type]]).length > limits[r.type])
            .map((r) => r.inputs[ACCOUNT_UNIQUE_NAME_KEYS[r.type]]);
        assert.deepEqual(tooLong, []);
        // The longest name of all: one character below S3's limit of 63.
        assert.equal(find(longest, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket, `stark-ballot-simulator-proof-bundles-abcdefghijkl-${ACCOUNT}`);
        assert.equal(find(longest, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket.length, 62);
    });

    it("a stack named after the other environment is refused before anything is registered", async () => {
        await synth("develop");
        const e = await synthFailure(synthesizeStack("main", { configOverrides: { "stark-ballot-simulator:environment": "develop", "aws:defaultTags": { tags: { Project: "stark-ballot-simulator", Environment: "develop", ManagedBy: "Pulumi" } } } }));
        assertConfigRefused(e, "main", [`stack "main": a stack named "main" must deploy environment main: its physical names would be the main stack's`]);
    });
});

describe("defect 5: one region", function () {
    it("stops before registering anything when the provider deploys to another region than aws:region", async () => {
        await synth("develop");
        const e = await synthFailure(synthesizeStack("develop", { providerRegion: "us-east-1" }));
        assert.equal(e.name, "RegionMismatchError");
        assert.equal(e.message, "aws:region: the stack is configured for ap-northeast-1, but the AWS provider deploys to us-east-1; derived ARNs would name the wrong region. Set aws:region to the region you deploy to, and let the AWS provider take its region from it.");
        assert.equal(e.registeredResources, 0);
    });

    it("refuses a stack file without aws:region", async () => {
        await synth("develop");
        const e = await synthFailure(synthesizeStack("develop", { configOverrides: { "aws:region": undefined } }));
        assertConfigRefused(e, "develop", ["aws:region: required: the region to deploy to, such as ap-northeast-1 (the provider and the ARNs the program derives must agree on it)"]);
    });
});

describe("defect 2: the dispatch reservation is opt-in", function () {
    it("configured, it reserves exactly that and the event source keeps dispatchConcurrency", async () => {
        const r = await synth("develop", { configOverrides: { "stark-ballot-simulator:dispatchReservedConcurrency": 3 } });
        assert.equal(find(r, "aws:lambda/function:Function", "app-prover-dispatch-function").inputs.reservedConcurrentExecutions, 3);
        assert.deepEqual(find(r, "aws:lambda/eventSourceMapping:EventSourceMapping", "app-prover-dispatch-work-queue").inputs.scalingConfig, { maximumConcurrency: 2 });
    });

    it("unset (both committed stacks), nothing is reserved", async () => {
        for (const stack of ["develop", "main"]) {
            const r = await synth(stack);
            assert.equal(find(r, "aws:lambda/function:Function", "app-prover-dispatch-function").inputs.reservedConcurrentExecutions, undefined);
        }
    });
});

describe("defect 3: no Fargate Spot for the ARM64 prover", function () {
    it("the stack refuses useFargateSpot: true, saying why", async () => {
        await synth("develop");
        const e = await synthFailure(synthesizeStack("develop", { configOverrides: { "stark-ballot-simulator:proverTask": { useFargateSpot: true } } }));
        assertConfigRefused(e, "develop", [
            `stark-ballot-simulator:proverTask.useFargateSpot: must be false while the task is ARM64: AWS says "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider", so every RunTask on Spot would fail`,
        ]);
    });

    it("the component refuses it too, before registering anything (no Pulumi runtime needed)", () => {
        const args = {
            environment: "develop",
            awsContext: { partition: "aws", region: "ap-northeast-1", accountId: ACCOUNT },
            bundleBucketName: "stark-ballot-simulator-proof-bundles-develop-123456789012",
            bundleExpirationDays: 7,
            logRetentionDays: 7,
            image: { kind: "prebuilt" as const, uri: "u", registryAccountId: ACCOUNT, registryRegion: "ap-northeast-1", repositoryName: "r", digest: "sha256:x" },
            useFargateSpot: true,
            taskSubnetIds: [pulumi.output("s")],
            taskSecurityGroupIds: [pulumi.output("g")],
            assignPublicIp: true,
            finalizeCallbackFunctionArn: "f",
            workQueueSenderRoleArns: ["arn:aws:iam::123456789012:role/api-role"],
        };
        assert.throws(() => new ProverPipeline("spot", args), { message: "ProverPipeline spot: invalid arguments (1):\n  - useFargateSpot: the prover task is ARM64, and Fargate Spot runs only X86_64 Linux tasks (every RunTask would fail)" });
    });
});

describe("defect 8: browsers can read ranged bundle downloads", function () {
    const CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration";
    /**
     * The one rule, for the configured origins in order. Exposed headers: a browser script reads only the
     * response headers CORS exposes; ranged downloads need Content-Range and Accept-Ranges.
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html
     */
    const bundleRule = (origins: string[]) => [
        {
            allowedMethods: ["GET", "HEAD"],
            allowedOrigins: origins,
            allowedHeaders: ["*"],
            exposeHeaders: ["ETag", "Content-Length", "Content-Type", "Content-Disposition", "Content-Range", "Accept-Ranges"],
            maxAgeSeconds: 3000,
        },
    ];

    it("develop (origins configured): the bundle bucket has exactly one CORS configuration, the rule for its origin", async () => {
        const r = await synth("develop");
        assert.deepEqual(r.resources.filter((x) => x.type === CORS).map((x) => x.name), ["prover-bundles-cors"]);
        const cors = find(r, CORS, "prover-bundles-cors");
        assert.deepEqual(cors.inputs.corsRules, bundleRule(["http://localhost:3000"]));
        assert.equal(cors.inputs.bucket, find(r, "aws:s3/bucket:Bucket", "prover-bundles").inputs.bucket);
    });

    it("main (origins stated as []): no CORS configuration at all, so S3 answers no browser origin", async () => {
        const r = await synth("main");
        assert.deepEqual(r.resources.filter((x) => x.type === CORS).map((x) => x.name), []);
    });

    it("main with two origins: the one rule names both, in the configured order", async () => {
        const origins = ["https://vote.example.com", "https://admin.example.com"];
        const r = await synth("main", { configOverrides: { "stark-ballot-simulator:bundleCorsOrigins": origins } });
        assert.deepEqual(r.resources.filter((x) => x.type === CORS).map((x) => x.name), ["prover-bundles-cors"]);
        assert.deepEqual(find(r, CORS, "prover-bundles-cors").inputs.corsRules, bundleRule(origins));
    });

    it("main must state its browser origins: without the keys it is refused", async () => {
        await synth("main");
        const e = await synthFailure(
            synthesizeStack("main", { configOverrides: { "stark-ballot-simulator:bundleCorsOrigins": undefined, "stark-ballot-simulator:apiCorsOrigins": undefined } }),
        );
        assertConfigRefused(
            e,
            "main",
            ["bundleCorsOrigins", "apiCorsOrigins"].map(
                (key) => `stark-ballot-simulator:${key}: required in main: the application's browser origins (such as https://app.example.com), or [] to state that no browser calls the API`,
            ),
        );
    });
});
