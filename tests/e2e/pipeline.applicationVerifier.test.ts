/**
 * VerifyProof under the application's contract, end to end: develop with a verifier and
 * `applicationBuilds.verifierRunner` (the test stack file tests/fixtures/verifier-stack plus an
 * override), the real state machine definition, and local/applicationVerifierRunner.ts standing in for
 * the application's build, running the fake verifier binary (local/fakeVerifier.ts).
 *
 * The application's runner re-zips the bundle and needs the six public artifacts its own prover
 * publishes, metadata.json included (verification-bundle.ts REQUIRED_PUBLIC_BUNDLE_ARTIFACTS); the
 * reference prover publishes five. So the verdict cases publish an application-style bundle (the
 * `replaceBundle` fault), and one case shows what the reference prover's bundle gets.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { FAKE_IMAGE_ID } from "../../local/fakeHost";
import { LocalPipeline, type PipelineFaults } from "../../local/pipeline";
import { type PipelineWiring, pipelineWiring } from "../../local/stackWiring";
import { safeExtract, BUNDLE_EXTRACT_LIMITS } from "../../lambdas/verifier-runner/safeExtract";
import { rawZip } from "../lambdas/support/rawZip";
import { find, synth } from "../support/synth";
import { type Accepted, executionObjects, requestProof, statusOf } from "./support/pipeline";

const CONFIG_DIR = "tests/fixtures/verifier-stack";
const EXPECTED = FAKE_IMAGE_ID.slice(2);
const OTHER_IMAGE_ID = "11".repeat(32);
const KEY = (k: string) => `stark-ballot-simulator:${k}`;
const SIX = ["close-statement.json", "election-manifest.json", "journal.json", "metadata.json", "public-input.json", "receipt.json"];

/** A bundle as the application's prover publishes it: the six public artifacts. */
function applicationBundle(devMode = false): Buffer {
    const receipt = { receipt: devMode ? { inner: { Fake: { claim: {} } } } : { fake: true }, image_id: FAKE_IMAGE_ID };
    return rawZip(SIX.map((name) => ({ name, data: name === "receipt.json" ? JSON.stringify(receipt) : name === "metadata.json" ? JSON.stringify({ methodVersion: "test" }) : "{}" })));
}

describe("local pipeline (develop, the application's verifier-service-runner): VerifyProof", function () {
    this.timeout(120000);
    const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "app-verifier-build-"));
    fs.mkdirSync(path.join(buildDir, "amplify/functions/verifier-service-runner"), { recursive: true });
    fs.writeFileSync(path.join(buildDir, "amplify/functions/verifier-service-runner/handler.js"), "exports.handler = async () => ({});\n");
    const build = { path: buildDir, handler: "amplify/functions/verifier-service-runner/handler.handler" };
    after(() => fs.rmSync(buildDir, { recursive: true, force: true }));

    const synthesized = (imageId: string) =>
        synth("develop", {
            stackConfigDir: CONFIG_DIR,
            configOverrides: {
                [KEY("applicationBuilds")]: { verifierRunner: build },
                [KEY("verifier")]: { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId },
            },
        });

    async function prove(faults: Partial<PipelineFaults>, imageId = EXPECTED) {
        const result = await synthesized(imageId);
        const wiring: PipelineWiring = pipelineWiring(result);
        const pipeline = await LocalPipeline.start(wiring, faults);
        try {
            const accepted: Accepted = await requestProof(pipeline, "app-verifier");
            await pipeline.deliverWork();
            const [execution] = await pipeline.settled();
            const view = await statusOf(pipeline, accepted);
            const objects = await executionObjects(pipeline, accepted);
            const get = async (name: string) =>
                Buffer.from(await (await pipeline.s3.client.send(new GetObjectCommand({ Bucket: wiring.bucket, Key: `sessions/${accepted.sessionId}/${accepted.executionId}/${name}` }))).Body!.transformToByteArray());
            const report = objects.includes("verification.json") ? JSON.parse((await get("verification.json")).toString("utf8")) : undefined;
            const bundle = objects.includes("bundle.zip") ? await get("bundle.zip") : undefined;
            const verifierCalls = pipeline.invocations.filter((i) => i.role === "verifier-service-runner");
            return { result, accepted, execution, view, objects, report, verifierCalls, bundle };
        } finally {
            await pipeline.stop();
        }
    }

    const verifyEvent = (accepted: Accepted, imageId = EXPECTED) => ({
        mode: "s3_bundle",
        sessionId: accepted.sessionId,
        executionId: accepted.executionId,
        bundleKey: `sessions/${accepted.sessionId}/${accepted.executionId}/bundle.zip`,
        expectedImageId: imageId,
    });

    it("success: the runner's s3_bundle event, verdict success, its report linked; it re-publishes the six-artifact bundle", async () => {
        const { accepted, execution, view, objects, report, verifierCalls, bundle } = await prove({ replaceBundle: applicationBundle() });
        assert.equal(execution.status, "SUCCEEDED");
        assert.deepEqual(execution.path.slice(-3), ["VerifyProof", "CheckProofVerification", "FinalizeSucceeded"]);
        assert.deepEqual(verifierCalls.map((c) => [c.event, c.outcome]), [[verifyEvent(accepted), "verdict success"]]);
        assert.equal(view.status, "succeeded");
        assert.equal(view.verificationReportKey, `sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`);
        assert.ok(objects.includes("verification.json"), objects.join(", "));
        // The runner hands the binary the image id as 0x + hex (hexStringSchema); the binary accepts both.
        assert.deepEqual(report, { status: "success", imageId: EXPECTED, expectedImageId: EXPECTED, error: null });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "republished-"));
        try {
            const zip = path.join(dir, "bundle.zip");
            fs.writeFileSync(zip, bundle!);
            fs.mkdirSync(path.join(dir, "out"));
            assert.deepEqual((await safeExtract(zip, path.join(dir, "out"), BUNDLE_EXTRACT_LIMITS)).map(String).map((f) => path.basename(f)).sort(), SIX);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a mismatched image id: verdict failed; the session and the execution fail with ProofVerificationFailed (ExecutionsFailed counts it)", async () => {
        const { result, accepted, execution, view, report, verifierCalls } = await prove({ replaceBundle: applicationBundle() }, OTHER_IMAGE_ID);
        const error = { Error: "ProofVerificationFailed", Cause: `Proof verification reported failed (expected zkVM image id ${OTHER_IMAGE_ID})` };
        assert.deepEqual(verifierCalls.map((c) => [c.event, c.outcome]), [[verifyEvent(accepted, OTHER_IMAGE_ID), "verdict failed"]]);
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, error);
        assert.deepEqual(execution.path.slice(-5), ["VerifyProof", "CheckProofVerification", "RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.equal(view.status, "failed");
        assert.deepEqual(view.stored.error, error);
        assert.deepEqual(report, { status: "failed", imageId: EXPECTED, expectedImageId: OTHER_IMAGE_ID, error: "image id mismatch" });
        // The metric a FAILED execution increments is what the executions-failed alarm watches, on this state machine.
        const alarm = find(result, "aws:cloudwatch/metricAlarm:MetricAlarm", "observability-prover-executions-failed").inputs;
        assert.deepEqual([alarm.namespace, alarm.metricName, alarm.dimensions, alarm.threshold], ["AWS/States", "ExecutionsFailed", { StateMachineArn: pipelineWiring(result).stateMachine.arn }, 0]);
    });

    it("dev_mode: a dev-mode receipt fails the session and the execution", async () => {
        const { execution, view, report } = await prove({ replaceBundle: applicationBundle(true) });
        const error = { Error: "ProofVerificationFailed", Cause: `Proof verification reported dev_mode (expected zkVM image id ${EXPECTED})` };
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, error);
        assert.deepEqual(execution.path.slice(-3), ["RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.deepEqual(view.stored.error, error);
        assert.equal(report.status, "dev_mode");
    });

    it("a crashing binary: the runner answers status error (no Lambda error, no retry); VerifierRunnerFailed with its answer", async () => {
        const { execution, view, report, verifierCalls } = await prove({ replaceBundle: applicationBundle(), verifierMode: "crash" });
        const answer = { status: "error", message: "verifier-service execution failed", details: "Error: verifier panicked: simulated crash" };
        assert.deepEqual(verifierCalls.map((c) => c.outcome), ["error answer: verifier-service execution failed"]);
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, { Error: "VerifierRunnerFailed", Cause: JSON.stringify(answer) });
        assert.deepEqual(execution.path.slice(-3), ["RecordVerifierRunnerFailure", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.deepEqual(view.stored.error, { Error: "VerifierRunnerFailed", Cause: JSON.stringify(answer) });
        assert.equal(report, undefined);
    });

    it("the reference prover's five-artifact bundle: a success verdict, but the runner cannot publish its report, so the proof is not counted", async () => {
        const { execution, view, verifierCalls } = await prove({});
        assert.deepEqual(verifierCalls.map((c) => c.outcome), ["verdict success (report not published)"]);
        assert.equal(execution.status, "FAILED");
        assert.equal(execution.error?.Error, "VerifierRunnerFailed");
        const answer = JSON.parse(String(execution.error?.Cause));
        assert.deepEqual([answer.status, answer.verifierStatus, answer.s3], ["success", "success", {}]);
        assert.equal(view.status, "failed");
    });
});
