/**
 * VerifyProof under the application's contract, end to end: develop with a verifier and
 * `applicationBuilds.verifierRunner` (the test stack file tests/fixtures/verifier-stack plus an
 * override), the real state machine definition, and local/applicationVerifierRunner.ts standing in for
 * the application's build, running the fake verifier binary (local/fakeVerifier.ts).
 *
 * The application's runner re-zips the bundle and needs the six public artifacts its own synchronous
 * prover publishes, metadata.json included (verification-bundle.ts REQUIRED_PUBLIC_BUNDLE_ARTIFACTS);
 * the reference prover publishes the asynchronous bundle, five. The verdict cases publish an
 * application-style bundle (the `replaceBundle` fault), where the runner publishes its own report;
 * with the reference prover's bundle the runner answers its verdict without a report and the state
 * machine publishes it (PublishVerificationReport).
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

    it("the reference prover's five-artifact bundle: a success verdict without a report; the state machine publishes the answered report and the proof counts", async () => {
        const { accepted, execution, view, objects, report, verifierCalls, bundle } = await prove({});
        assert.deepEqual(verifierCalls.map((c) => [c.event, c.outcome]), [[verifyEvent(accepted), "verdict success (report not published)"]]);
        const answer = verifierCalls[0].answer as { status: string; verifierStatus: string; verificationReport: unknown; s3: unknown };
        assert.deepEqual([answer.status, answer.verifierStatus, answer.s3], ["success", "success", {}]);
        assert.equal(execution.status, "SUCCEEDED");
        assert.deepEqual(execution.path.slice(-4), ["VerifyProof", "CheckProofVerification", "PublishVerificationReport", "FinalizeSucceeded"]);
        // verification.json beside bundle.zip, exactly the report the runner answered.
        assert.deepEqual(objects, ["bundle.zip", "close-statement.json", "election-manifest.json", "included-bitmap.json", "input.json", "journal.json", "public-input.json", "receipt.json", "seen-bitmap.json", "verification.json"]);
        assert.deepEqual(report, answer.verificationReport);
        assert.deepEqual(report, { status: "success", imageId: EXPECTED, expectedImageId: EXPECTED, error: null });
        // The runner's re-zip failed before any upload: bundle.zip is still the prover's five artifacts.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prover-bundle-"));
        try {
            fs.writeFileSync(path.join(dir, "bundle.zip"), bundle!);
            fs.mkdirSync(path.join(dir, "out"));
            const names = (await safeExtract(path.join(dir, "bundle.zip"), path.join(dir, "out"), BUNDLE_EXTRACT_LIMITS)).map(String).map((f) => path.basename(f)).sort();
            assert.deepEqual(names, SIX.filter((name) => name !== "metadata.json"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        // The status route links the report.
        const reportKey = `sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`;
        assert.equal(view.status, "succeeded");
        assert.equal(view.verificationReportKey, reportKey);
        assert.match(String(view.verificationReportUrl), new RegExp(`/sessions/${accepted.sessionId}/${accepted.executionId}/verification\\.json\\?`));
    });

    it("the reference prover's bundle, S3 throttling the report put twice: retried, the proof counts", async () => {
        const { execution, view, report } = await prove({ reportPutFaults: ["SlowDown", "SlowDown"] });
        assert.equal(execution.status, "SUCCEEDED");
        assert.equal(execution.taskCalls.filter((c) => c.state === "PublishVerificationReport").length, 3);
        assert.equal(view.status, "succeeded");
        assert.equal(report.status, "success");
    });

    it("the reference prover's bundle, S3 refusing the report put (403): the session and the execution fail with S3's error, no report", async () => {
        const { execution, view, objects } = await prove({ reportPutFaults: ["AccessDenied", "AccessDenied", "AccessDenied", "AccessDenied"] });
        const error = { Error: "S3.S3Exception", Cause: "Access Denied (Service: S3, Status Code: 403, Request ID: local)" };
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, error);
        assert.deepEqual(execution.path.slice(-4), ["CheckProofVerification", "PublishVerificationReport", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.equal(view.status, "failed");
        assert.deepEqual(view.stored.error, error);
        assert.equal(objects.includes("verification.json"), false);
    });

    describe("the expected image id comes from the prover image record, read at each verification", () => {
        const RECORD = "/stark-ballot-simulator/develop/prover-image";
        /** One pipeline; `between` edits the local SSM's record after the api accepted each proof, before it runs. */
        async function proveEach(count: number, between: (parameters: PipelineWiring["parameters"], i: number) => void) {
            const wiring = pipelineWiring(await synthesized(EXPECTED));
            const pipeline = await LocalPipeline.start(wiring, { replaceBundle: applicationBundle() });
            try {
                const runs = [];
                for (let i = 0; i < count; i++) {
                    const accepted = await requestProof(pipeline, `record-${i}`);
                    between(pipeline.wiring.parameters, i);
                    await pipeline.deliverWork();
                    await pipeline.settled();
                    runs.push({ accepted, view: await statusOf(pipeline, accepted) });
                }
                const verifierCalls = pipeline.invocations.filter((i) => i.role === "verifier-service-runner");
                return { runs, verifierCalls, ssmCalls: pipeline.ssmCalls.filter((c) => c.name === RECORD) };
            } finally {
                await pipeline.stop();
            }
        }
        const withId = (parameters: PipelineWiring["parameters"], zkvmImageId: string | null) => {
            parameters[RECORD] = { ...parameters[RECORD], value: JSON.stringify({ ...JSON.parse(parameters[RECORD].value), zkvmImageId }) };
        };

        it("the runner receives the record's id; the record re-recorded between two proofs changes what the second is checked against", async () => {
            const { runs, verifierCalls } = await proveEach(2, (parameters, i) => {
                // The synthesized record holds the config's id; only the second proof sees another one.
                if (i === 0) assert.equal(JSON.parse(parameters[RECORD].value).zkvmImageId, EXPECTED);
                else withId(parameters, OTHER_IMAGE_ID);
            });
            // The first proof publishes the application's bundle (replaceBundle, once), the second the
            // reference prover's: its failed verdict comes without a published report.
            assert.deepEqual(verifierCalls.map((c) => [c.event, c.outcome]), [
                [verifyEvent(runs[0].accepted, EXPECTED), "verdict success"],
                [verifyEvent(runs[1].accepted, OTHER_IMAGE_ID), "verdict failed (report not published)"],
            ]);
            assert.deepEqual(runs.map((r) => r.view.status), ["succeeded", "failed"]);
            assert.deepEqual(runs[1].view.stored.error, { Error: "ProofVerificationFailed", Cause: `Proof verification reported failed (expected zkVM image id ${OTHER_IMAGE_ID})` });
        });

        it("a record without an id fails closed: nothing is verified, ProverImageRecordIncomplete", async () => {
            const { runs, verifierCalls } = await proveEach(1, (parameters) => withId(parameters, null));
            assert.deepEqual(verifierCalls, []);
            assert.equal(runs[0].view.status, "failed");
            assert.equal(runs[0].view.stored.error?.Error, "ProverImageRecordIncomplete");
            assert.match(String(runs[0].view.stored.error?.Cause), new RegExp(`^The prover image record ${RECORD} holds no zkVM image id: \\{.*"zkvmImageId":null\\}$`));
        });

        it("a missing record fails closed: Ssm.ParameterNotFoundException, not retried, nothing is verified", async () => {
            const { runs, verifierCalls, ssmCalls } = await proveEach(1, (parameters) => delete parameters[RECORD]);
            assert.deepEqual(verifierCalls, []);
            assert.equal(runs[0].view.status, "failed");
            assert.deepEqual(runs[0].view.stored.error, { Error: "Ssm.ParameterNotFoundException", Cause: `parameter ${RECORD} not found (Service: Ssm, Status Code: 400, Request ID: local)` });
            // The api read it when it accepted the proof; the state machine once, when it was gone.
            assert.deepEqual(ssmCalls.map((c) => c.outcome), ["ok", "ParameterNotFound"]);
        });
    });
});
