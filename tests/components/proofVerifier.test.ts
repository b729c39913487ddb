/**
 * The verifier and the prover image record under the mocks: both committed stacks without a verifier
 * (no verification step, the record with a null image id) and develop with one (test stack file).
 */
import * as assert from "node:assert/strict";
import { mockState } from "../../offline/mockCloud";
import { find, findAll, json, statementsBySid, synth } from "../support/synth";

const CONFIG_DIR = "tests/fixtures/verifier-stack";
const IMAGE_ID = "5a".repeat(32);
const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";

describe("ProofVerifier and ProverImageRecord", function () {
    this.timeout(120000);

    for (const stack of ["develop", "main"]) {
        it(`${stack} without a verifier: no verifier resources, no VerifyProof, the record with a null image id`, async () => {
            const result = await synth(stack);
            assert.deepEqual(findAll(result, "stark:prover:ProofVerifier"), []);
            assert.deepEqual(findAll(result, "aws:lambda/layerVersion:LayerVersion"), []);
            const definition = json(find(result, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher"), "definition");
            assert.equal("VerifyProof" in definition.States, false);
            const parameter = find(result, "aws:ssm/parameter:Parameter", "prover-image-record-parameter");
            assert.equal(parameter.inputs.name, `/stark-ballot-simulator/${stack}/prover-image`);
            assert.equal(parameter.inputs.type, "String");
            assert.equal(parameter.inputs.tier, "Standard");
            const record = JSON.parse(parameter.inputs.insecureValue);
            assert.deepEqual(Object.keys(record), ["repository", "digest", "imageUri", "zkvmImageId"]);
            assert.equal(record.repository, `stark-ballot-simulator-prover-${stack}`);
            assert.match(record.digest, /^sha256:[0-9a-f]{64}$/);
            assert.equal(record.imageUri, String(result.outputs.proverImageUri));
            assert.ok(record.imageUri.endsWith(`@${record.digest}`));
            assert.equal(record.zkvmImageId, null);
            assert.equal(result.outputs.proverImageParameterName, `/stark-ballot-simulator/${stack}/prover-image`);
            assert.equal((result.outputs.appEnvironment as Record<string, string>).PROVER_IMAGE_PARAMETER, `/stark-ballot-simulator/${stack}/prover-image`);
            assert.equal("verifierFunctionName" in result.outputs, false);
        });
    }

    describe("develop with a verifier", () => {
        const result = () => synth("develop", { stackConfigDir: CONFIG_DIR });
        const FUNCTION = "stark-ballot-simulator-verifier-service-runner-develop";
        const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`;
        const BUCKET = `stark-ballot-simulator-proof-bundles-develop-${ACCOUNT}`;

        it("the layer ships the configured artifact for the configured architecture", async () => {
            const layer = find(await result(), "aws:lambda/layerVersion:LayerVersion", "proof-verifier-layer");
            assert.equal(layer.inputs.layerName, "stark-ballot-simulator-verifier-service-develop");
            assert.deepEqual(layer.inputs.compatibleArchitectures, ["arm64"]);
            assert.deepEqual(layer.inputs.compatibleRuntimes, ["nodejs22.x"]);
            assert.equal(await layer.inputs.code.path, "tests/fixtures/verifier-layer");
        });

        it("the function: the layer, the same architecture, 120 s / 2048 MB, its environment", async () => {
            const r = await result();
            const fn = find(r, "aws:lambda/function:Function", "proof-verifier-runner-function");
            assert.equal(fn.inputs.name, FUNCTION);
            assert.deepEqual(fn.inputs.architectures, ["arm64"]);
            assert.equal(fn.inputs.layers.length, 1);
            const layer = find(r, "aws:lambda/layerVersion:LayerVersion", "proof-verifier-layer");
            assert.equal(fn.inputs.layers[0], mockState(layer.type, layer.name, layer.inputs, r.account).state.arn);
            assert.equal(fn.inputs.timeout, 120);
            assert.equal(fn.inputs.memorySize, 2048);
            assert.deepEqual(fn.inputs.environment.variables, {
                S3_PROOF_BUCKET: BUCKET,
                S3_PROOF_PREFIX: "sessions/",
                PROVER_IMAGE_PARAMETER: "/stark-ballot-simulator/develop/prover-image",
            });
            assert.equal(r.outputs.verifierFunctionName, FUNCTION);
        });

        it("least privilege: reads bundles and writes reports under the prefix, reads the record, nothing else", async () => {
            const s = statementsBySid(find(await result(), "aws:iam/rolePolicy:RolePolicy", "proof-verifier-runner-policy"));
            assert.deepEqual(Object.keys(s), ["WriteOwnLogGroup", "ReadProofBundles", "WriteVerificationReports", "ReadProverImageRecord"]);
            assert.deepEqual(s.ReadProofBundles, { Sid: "ReadProofBundles", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/sessions/*/bundle.zip` });
            assert.deepEqual(s.WriteVerificationReports, { Sid: "WriteVerificationReports", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/sessions/*/verification.json` });
            assert.deepEqual(s.ReadProverImageRecord, {
                Sid: "ReadProverImageRecord",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/stark-ballot-simulator/develop/prover-image`,
            });
        });

        it("the state machine invokes the verifier (by the ARN of the function it creates) and may invoke it", async () => {
            const r = await result();
            const definition = json(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher"), "definition");
            assert.equal(definition.States.RunProver.Next, "ReleaseProofSlot");
            assert.equal(definition.States.ReleaseProofSlot.Next, "VerifyProof");
            assert.equal(definition.States.VerifyProof.Parameters.FunctionName, FUNCTION_ARN);
            // The reference handler's contract: the two ids only, the reference answer's status.
            assert.deepEqual(definition.States.VerifyProof.Parameters.Payload, { "sessionId.$": "$.payload.sessionId", "executionId.$": "$.payload.executionId" });
            assert.deepEqual(definition.States.CheckProofVerification.Choices[0], { Variable: "$.verification.Payload.status", StringEquals: "success", Next: "FinalizeSucceeded" });
            assert.equal(definition.States.FinalizeSucceeded.Parameters.Payload["verification.$"], "$.verification.Payload");
            const invoke = Object.values(statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy"))).find((st: any) => st.Action === "lambda:InvokeFunction" || (Array.isArray(st.Action) && st.Action.includes("lambda:InvokeFunction")));
            assert.ok(invoke, "an invoke statement");
            // The gate, the callback and the verifier: the state machine invokes exactly these three.
            assert.deepEqual(invoke.Resource, [
                "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-check-image-signature-develop",
                "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-finalize-callback-develop",
                FUNCTION_ARN,
            ]);
            // The reference handler publishes its own report: the state machine puts nothing in S3.
            assert.equal(definition.States.PublishVerificationReport, undefined);
            assert.equal(statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy")).PublishVerificationReports, undefined);
            // It reads the prover image record itself too: the state machine neither reads it nor may.
            assert.equal(definition.States.ReadProverImageRecord, undefined);
            assert.equal(statementsBySid(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-dispatcher-policy")).ReadProverImageRecord, undefined);
        });

        it("the verifier's Errors alarm watches the function it creates and notifies the alarm topic", async () => {
            const r = await result();
            const alarm = find(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "observability-verifier-service-runner-errors").inputs;
            assert.deepEqual(
                [alarm.name, alarm.namespace, alarm.metricName, alarm.dimensions, alarm.statistic, alarm.threshold, alarm.comparisonOperator],
                ["stark-ballot-simulator-verifier-service-runner-errors-develop", "AWS/Lambda", "Errors", { FunctionName: FUNCTION }, "Sum", 0, "GreaterThanThreshold"],
            );
            const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:stark-ballot-simulator-alarms-develop`;
            assert.deepEqual(alarm.alarmActions, [topic]);
            assert.deepEqual(alarm.okActions, [topic]);
        });

        it("the record carries the configured image id", async () => {
            const parameter = find(await result(), "aws:ssm/parameter:Parameter", "prover-image-record-parameter");
            assert.equal(JSON.parse(parameter.inputs.insecureValue).zkvmImageId, IMAGE_ID);
        });
    });
});
