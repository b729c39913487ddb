/**
 * The application's own verifier-service-runner build (applicationBuilds.verifierRunner), under the
 * mocks: develop with the verifier test stack file and the application's api and verifier builds;
 * main (no verifier) refuses the key. The reference runner is tests/components/proofVerifier.test.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "../../components/lambdaCode";
import { ProverPipeline } from "../../components/proverPipeline";
import { evaluatePolicies } from "../../policy-pack/policies";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, statementsBySid, synth } from "../support/synth";

const CONFIG_DIR = "tests/fixtures/verifier-stack";
const IMAGE_ID = "5a".repeat(32);
const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const KEY = (k: string) => `stark-ballot-simulator:${k}`;
const FUNCTION = "stark-ballot-simulator-verifier-service-runner-develop";
const BUCKET = `stark-ballot-simulator-proof-bundles-develop-${ACCOUNT}`;

function makeBuild(root: string, fn: string, module: string): { path: string; handler: string } {
    const dir = path.join(root, fn);
    fs.mkdirSync(path.join(dir, path.dirname(module)), { recursive: true });
    fs.writeFileSync(path.join(dir, `${module}.js`), `exports.handler = async () => "${fn}";\n`);
    return { path: dir, handler: `${module}.handler` };
}

describe("the application's verifier-service-runner build", function () {
    this.timeout(120000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "app-verifier-"));
    const builds = {
        api: makeBuild(root, "api", "amplify/functions/hono-api/handler"),
        verifierRunner: makeBuild(root, "verifierRunner", "amplify/functions/verifier-service-runner/handler"),
    };
    let r: SynthResult;
    before(async () => {
        r = await synth("develop", { stackConfigDir: CONFIG_DIR, configOverrides: { [KEY("applicationBuilds")]: builds } });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("runs the secrets wrapper with the build under app/, keeps the layer and the architecture", async () => {
        const fn = find(r, "aws:lambda/function:Function", "proof-verifier-runner-function");
        assert.equal(fn.inputs.name, FUNCTION);
        assert.equal(fn.inputs.handler, "index.handler");
        assert.deepEqual(fn.inputs.architectures, ["arm64"]);
        assert.equal(fn.inputs.layers.length, 1);
        const dir: string = await fn.inputs.code.path;
        assert.deepEqual(fs.readdirSync(dir).sort(), ["app", "handler.js", "handler.js.map", "index.js"]);
        const wrapper = bundleHandler("lambdas/app-wrapper/index.ts");
        for (const file of fs.readdirSync(wrapper.dir)) assert.ok(fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(wrapper.dir, file))), file);
        assert.ok(fs.existsSync(path.join(dir, "app", "amplify/functions/verifier-service-runner/handler.js")));
    });

    it("its environment: exactly what the application's verifier-service-runner reads (backend.ts verifierEnvMappings)", () => {
        assert.deepEqual(find(r, "aws:lambda/function:Function", "proof-verifier-runner-function").inputs.environment.variables, {
            APP_HANDLER: "amplify/functions/verifier-service-runner/handler.handler",
            USE_S3: "true",
            S3_PROOF_BUCKET: BUCKET,
            S3_PROOF_PREFIX: "sessions/",
            ENV_NAME: "develop",
            AWS_BRANCH: "develop",
            AMPLIFY_BRANCH: "develop",
            VERIFIER_SERVICE_BIN: "/opt/bin/verifier-service",
            // Not EXPECTED_IMAGE_ID: the wrapper sets it at cold start from the prover image record.
            APP_PROVER_IMAGE_PARAMETER: "/stark-ballot-simulator/develop/prover-image",
        });
    });

    it("its role: reads the prover image record, reads and writes under the proof prefix and lists it; no data API", () => {
        const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "proof-verifier-runner-policy"));
        assert.deepEqual(Object.keys(s), ["WriteOwnLogGroup", "ReadProverImageRecord", "ReadWriteProofArtifacts", "ListProofPrefix"]);
        assert.deepEqual(s.ReadProverImageRecord, {
            Sid: "ReadProverImageRecord",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/stark-ballot-simulator/develop/prover-image`,
        });
        assert.deepEqual(s.ReadWriteProofArtifacts, { Sid: "ReadWriteProofArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/sessions/*` });
        assert.deepEqual(s.ListProofPrefix, {
            Sid: "ListProofPrefix",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::${BUCKET}`,
            Condition: { StringLike: { "s3:prefix": "sessions/*" } },
        });
    });

    it("the application's api gets the verifier's function name, may invoke exactly that function, and reads the image id from the prover image record only", () => {
        const env = find(r, "aws:lambda/function:Function", "app-api-function").inputs.environment.variables;
        assert.equal(env.VERIFIER_SERVICE_RUNNER_FUNCTION_NAME, FUNCTION);
        // No copy of the image id in the configuration: the wrapper sets EXPECTED_IMAGE_ID from the record.
        assert.equal(env.EXPECTED_IMAGE_ID, undefined);
        assert.equal(env.APP_PROVER_IMAGE_PARAMETER, "/stark-ballot-simulator/develop/prover-image");
        const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "app-api-policy"));
        assert.deepEqual(s.InvokeVerifier, { Sid: "InvokeVerifier", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}` });
        assert.deepEqual(s.ReadProverImageRecord, {
            Sid: "ReadProverImageRecord",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/stark-ballot-simulator/develop/prover-image`,
        });
        const record = find(r, "aws:ssm/parameter:Parameter", "prover-image-record-parameter");
        assert.equal(JSON.parse(record.inputs.insecureValue).zkvmImageId, IMAGE_ID);
    });

    it("no function carries EXPECTED_IMAGE_ID; both application builds that read it name the prover image record instead", () => {
        const functions = r.resources.filter((x) => x.type === "aws:lambda/function:Function");
        assert.deepEqual(functions.filter((x) => x.inputs.environment?.variables?.EXPECTED_IMAGE_ID !== undefined).map((x) => x.name), []);
        assert.deepEqual(
            functions.filter((x) => x.inputs.environment?.variables?.APP_PROVER_IMAGE_PARAMETER !== undefined).map((x) => x.name).sort(),
            ["app-api-function", "proof-verifier-runner-function"],
        );
    });

    it("the state machine speaks the application's contract: the image id read from the prover image record, its s3_bundle event, its verifierStatus, its published report", () => {
        const definition = JSON.parse(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher").inputs.definition);
        const bundleKey = "States.Format('sessions/{}/{}/bundle.zip', $.payload.sessionId, $.payload.executionId)";
        // The definition holds no image id: it reads the record the stack creates, by its name.
        assert.ok(!JSON.stringify(definition).includes(IMAGE_ID));
        assert.equal(definition.States.ReleaseProofSlot.Next, "ReadProverImageRecord");
        assert.equal(definition.States.ReadProverImageRecord.Resource, "arn:aws:states:::aws-sdk:ssm:getParameter");
        assert.deepEqual(definition.States.ReadProverImageRecord.Parameters, { Name: find(r, "aws:ssm/parameter:Parameter", "prover-image-record-parameter").inputs.name });
        assert.deepEqual(definition.States.ReadProverImageRecord.Parameters, { Name: "/stark-ballot-simulator/develop/prover-image" });
        assert.deepEqual(definition.States.VerifyProof.Parameters, {
            FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`,
            Payload: {
                mode: "s3_bundle",
                "sessionId.$": "$.payload.sessionId",
                "executionId.$": "$.payload.executionId",
                "bundleKey.$": bundleKey,
                "expectedImageId.$": "$.imageRecord.record.zkvmImageId",
            },
        });
        const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy"));
        assert.deepEqual(s.ReadProverImageRecord, {
            Sid: "ReadProverImageRecord",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/stark-ballot-simulator/develop/prover-image`,
        });
        assert.deepEqual(definition.States.CheckProofVerification.Choices[0].And, [
            { Variable: "$.verification.Payload.status", StringEquals: "success" },
            { Variable: "$.verification.Payload.verifierStatus", StringEquals: "success" },
            { Variable: "$.verification.Payload.s3.reportKey", IsPresent: true },
        ]);
        assert.deepEqual(definition.States.FinalizeSucceeded.Parameters.Payload.verification, {
            "status.$": "$.verification.Payload.verifierStatus",
            "bundleKey.$": bundleKey,
            "reportKey.$": "$.verification.Payload.s3.reportKey",
            "expectedImageId.$": "$.imageRecord.record.zkvmImageId",
        });
        assert.equal(definition.States.ProofNotVerified.Type, "Fail");
    });

    it("a success verdict without a published report: PublishVerificationReport puts it beside the bundle; the state machine role may put only verification.json", () => {
        const definition = JSON.parse(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher").inputs.definition);
        assert.equal(definition.States.CheckProofVerification.Choices[1].Next, "PublishVerificationReport");
        assert.equal(definition.States.PublishVerificationReport.Resource, "arn:aws:states:::aws-sdk:s3:putObject");
        assert.deepEqual(definition.States.PublishVerificationReport.Parameters, {
            Bucket: BUCKET,
            "Key.$": "States.Format('sessions/{}/{}/verification.json', $.payload.sessionId, $.payload.executionId)",
            "Body.$": "States.JsonToString($.verification.Payload.verificationReport)",
            ContentType: "application/json",
            ServerSideEncryption: "AES256",
        });
        const s = statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy"));
        assert.deepEqual(s.PublishVerificationReports, {
            Sid: "PublishVerificationReports",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${BUCKET}/sessions/*/verification.json`,
        });
        // No other statement of the state machine's role touches S3.
        assert.deepEqual(
            Object.values(s).filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith("s3:"))).map((st: any) => st.Sid),
            ["PublishVerificationReports"],
        );
    });

    it("the policy pack passes", async () => {
        assert.deepEqual(await evaluatePolicies(r.resources, { environment: "develop" }), []);
    });

    it("ProverPipeline refuses a verifier contract without the verification step, before registering anything", () => {
        const args = {
            environment: "develop",
            awsContext: { partition: "aws", region: REGION, accountId: ACCOUNT },
            bundleBucketName: "stark-ballot-simulator-proof-bundles-develop-123456789012",
            bundleExpirationDays: 7,
            logRetentionDays: 7,
            image: { kind: "prebuilt" as const, uri: "u", registryAccountId: ACCOUNT, registryRegion: REGION, repositoryName: "r", digest: "sha256:x" },
            taskSubnetIds: [pulumi.output("s")],
            taskSecurityGroupIds: [pulumi.output("g")],
            assignPublicIp: true,
            finalizeCallbackFunctionArn: "f",
            workQueueSenderRoleArns: [`arn:aws:iam::${ACCOUNT}:role/api-role`],
            verifierContract: { kind: "application" as const, imageRecordName: "/stark-ballot-simulator/develop/prover-image" },
        };
        assert.throws(() => new ProverPipeline("no-verifier", args), /^Error: ProverPipeline no-verifier: invalid arguments \(1\):\n  - verifierContract: "application" needs verifyProofFunctionArn \(the verification step\)$/);
    });

    it("main (no verifier) refuses applicationBuilds.verifierRunner, naming the key", async () => {
        await assert.rejects(
            synth("main", { configOverrides: { [KEY("applicationBuilds")]: { verifierRunner: builds.verifierRunner } } }),
            (e: Error) => e.message.includes(`${KEY("applicationBuilds.verifierRunner")}: requires the verifier step: set verifier {layer, architecture, imageId} as well`),
        );
    });
});
