/**
 * Server-side verification end to end: the develop stack with a verifier configured (the test stack
 * file tests/fixtures/verifier-stack), the real verifier-service-runner handler, the fake verifier
 * binary (local/fakeVerifier.ts) reading the bundle the real prover runner published.
 */
import * as assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { FAKE_IMAGE_ID, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import { LocalPipeline, type PipelineFaults } from "../../local/pipeline";
import { type PipelineWiring, pipelineWiring } from "../../local/stackWiring";
import { rawZip } from "../lambdas/support/rawZip";
import { synth } from "../support/synth";
import { type Accepted, executionObjects, requestProof, statusOf } from "./support/pipeline";

const CONFIG_DIR = "tests/fixtures/verifier-stack";
const EXPECTED = FAKE_IMAGE_ID.slice(2);
const OTHER_IMAGE_ID = "11".repeat(32);

async function verifierWiring(imageId = EXPECTED): Promise<PipelineWiring> {
    const overrides = imageId === EXPECTED ? {} : { configOverrides: { "stark-ballot-simulator:verifier": { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId } } };
    return pipelineWiring(await synth("develop", { stackConfigDir: CONFIG_DIR, ...overrides }));
}

describe("local pipeline (develop with a verifier): VerifyProof", function () {
    this.timeout(60000);

    async function prove(sessionId: string, faults: Partial<PipelineFaults> = {}, imageId?: string) {
        const pipeline = await LocalPipeline.start(await verifierWiring(imageId), faults);
        try {
            const accepted: Accepted = await requestProof(pipeline, sessionId);
            await pipeline.deliverWork();
            const [execution] = await pipeline.settled();
            const view = await statusOf(pipeline, accepted);
            const objects = await executionObjects(pipeline, accepted);
            const report = objects.includes("verification.json")
                ? JSON.parse(
                      await (await pipeline.s3.client.send(new GetObjectCommand({ Bucket: pipeline.wiring.bucket, Key: `sessions/${accepted.sessionId}/${accepted.executionId}/verification.json` }))).Body!.transformToString(),
                  )
                : undefined;
            const verifierCalls = pipeline.invocations.filter((i) => i.role === "verifier-service-runner");
            return { accepted, execution, view, objects, report, verifierCalls, wiring: pipeline.wiring };
        } finally {
            await pipeline.stop();
        }
    }

    it("the wiring has the verifier, its environment and the prover image record with the expected image id", async () => {
        const wiring = await verifierWiring();
        assert.deepEqual(wiring.verifier?.environment, {
            S3_PROOF_BUCKET: "stark-ballot-simulator-proof-bundles-develop-123456789012",
            S3_PROOF_PREFIX: "sessions/",
            PROVER_IMAGE_PARAMETER: "/stark-ballot-simulator/develop/prover-image",
        });
        const record = JSON.parse(wiring.parameters["/stark-ballot-simulator/develop/prover-image"].value);
        assert.equal(record.zkvmImageId, EXPECTED);
        assert.equal(wiring.parameters["/stark-ballot-simulator/develop/prover-image"].type, "String");
    });

    it("success: the session succeeds with the report linked beside the bundle", async () => {
        const { accepted, execution, view, objects, report, verifierCalls } = await prove("verify-ok");
        assert.deepEqual(execution.path, ["VerifyImageSignature", "CheckImageSignature", "AcquireProofSlot", "RunProver", "ReleaseProofSlot", "VerifyProof", "CheckProofVerification", "FinalizeSucceeded"]);
        assert.deepEqual(verifierCalls.map((c) => [c.event, c.outcome]), [[{ sessionId: accepted.sessionId, executionId: accepted.executionId }, "verdict success"]]);
        assert.equal(view.status, "succeeded");
        assert.equal(view.verificationReportKey, `sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`);
        assert.match(String(view.verificationReportUrl), new RegExp(`/sessions/${accepted.sessionId}/${accepted.executionId}/verification\\.json\\?`));
        assert.deepEqual(objects, [...SUCCESS_OBJECT_NAMES, "verification.json"].sort());
        assert.deepEqual(report, { status: "success", imageId: EXPECTED, expectedImageId: EXPECTED, error: null });
    });

    it("a mismatched image id: the session fails with ProofVerificationFailed, the report says failed", async () => {
        const { accepted, execution, view, report } = await prove("verify-mismatch", {}, OTHER_IMAGE_ID);
        // The execution fails too, after recording the failure: ExecutionsFailed (the executions-failed alarm) counts it.
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, view.stored.error);
        assert.deepEqual(execution.path.slice(-5), ["VerifyProof", "CheckProofVerification", "RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.equal(view.status, "failed");
        assert.equal(view.bundleKey, undefined);
        assert.deepEqual(view.stored.error, {
            Error: "ProofVerificationFailed",
            Cause: `Proof verification reported failed (expected zkVM image id ${OTHER_IMAGE_ID}); report at sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`,
        });
        assert.deepEqual(report, { status: "failed", imageId: EXPECTED, expectedImageId: OTHER_IMAGE_ID, error: "image id mismatch" });
    });

    it("dev_mode: a dev-mode receipt fails the session", async () => {
        const { accepted, execution, view, report } = await prove("verify-devmode", { hostMode: "dev-mode-receipt" });
        assert.equal(execution.status, "FAILED");
        assert.deepEqual(execution.error, view.stored.error);
        assert.deepEqual(execution.path.slice(-3), ["RecordVerificationRejection", "FinalizeVerificationFailed", "ProofNotVerified"]);
        assert.equal(view.status, "failed");
        assert.deepEqual(view.stored.error, {
            Error: "ProofVerificationFailed",
            Cause: `Proof verification reported dev_mode (expected zkVM image id ${EXPECTED}); report at sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`,
        });
        assert.equal(report.status, "dev_mode");
    });

    it("a crashing verifier is retried (1 + 2 attempts), then FinalizeFailed records VerifierCrashed; no report", async () => {
        const { execution, view, report, verifierCalls } = await prove("verify-crash", { verifierMode: "crash" });
        assert.equal(verifierCalls.length, 3);
        assert.deepEqual(verifierCalls.map((c) => c.outcome), Array(3).fill("VerifierCrashed: verifier exited 1: Error: verifier panicked: simulated crash"));
        assert.deepEqual(execution.path.slice(-3), ["VerifyProof", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
        assert.equal(view.status, "failed");
        assert.equal(view.stored.error?.Error, "VerifierCrashed");
        assert.equal(report, undefined);
    });

    it("a malicious bundle (path escape) is refused without running the verifier or retrying", async () => {
        const evil = rawZip([{ name: "../../../../tmp/owned.json", data: "{}" }]);
        const { execution, view, report, verifierCalls } = await prove("verify-evil", { replaceBundle: evil, verifierMode: "crash" });
        assert.equal(verifierCalls.length, 1);
        assert.equal(verifierCalls[0].outcome, "UnsafeBundle: bundle.zip could not be extracted: invalid relative path: ../../../../tmp/owned.json");
        assert.deepEqual(execution.path.slice(-3), ["VerifyProof", "ReleaseProofSlotAfterFailure", "FinalizeFailed"]);
        assert.equal(view.status, "failed");
        assert.equal(view.stored.error?.Error, "UnsafeBundle");
        assert.equal(report, undefined);
    });
});
