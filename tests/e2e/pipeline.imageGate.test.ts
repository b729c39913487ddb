/**
 * The runtime image gate through the synthesized develop stack: the real check-image-signature
 * handler, the synthesized state machine definition, and the local ECR (local/ecr.ts) modelling the
 * registry as ECR answers (signing rule or none, signing and scan in progress then done, failures,
 * findings). No path reaches RunProver unless the modelled registry reports every signature COMPLETE
 * and an acceptable scan.
 */
import * as assert from "node:assert/strict";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import { IMAGE_GATE, IMAGE_SCAN_INCOMPLETE_ERROR, IMAGE_SCAN_REFUSED_ERROR, IMAGE_SIGNATURE_FAILED_ERROR } from "../../lambdas/shared/contracts";
import { DescribeImageScanFindingsCommand, DescribeImageSigningStatusCommand } from "@aws-sdk/client-ecr";
import { LOCAL_SIGNING_PROFILE_ARN, localEcr } from "../../local/ecr";
import type { LocalPipeline, PipelineFaults } from "../../local/pipeline";
import { type Accepted, developWiring, executionObjects, proveWith } from "./support/pipeline";

const S = PROVER_STATES;
/** One recheck: wait, check again, decide. */
const RECHECK = [S.WaitForImageGate, S.RecheckImageSignature, S.CheckImageSignature];

describe("local pipeline (develop): the image gate", function () {
    let pipeline: LocalPipeline;
    afterEach(() => pipeline?.stop());

    async function runWith(registry: PipelineFaults["registry"], sessionId: string) {
        const { accepted, executions, view } = await proveWith({ registry }, sessionId, (p) => (pipeline = p));
        assert.equal(executions.length, 1);
        return { accepted, execution: executions[0], view };
    }

    /** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@<digest>`, as the gate names the image. */
    const image = () => {
        const w = pipeline.wiring;
        // The mocked digest hashes the build inputs, which include the checkout's path.
        const digest = w.taskDefinition.container.image.split("@")[1];
        assert.match(digest, /^sha256:[0-9a-f]{64}$/);
        return `${w.accountId}.dkr.ecr.${w.region}.amazonaws.com/${w.ecrRepositoryName}@${digest}`;
    };

    async function assertRefused(accepted: Accepted, view: { status: string; bundleKey?: string }) {
        assert.deepEqual(pipeline.ecs.runs, [], "the prover never runs");
        assert.equal(view.status, "failed");
        assert.equal(view.bundleKey, undefined);
        assert.deepEqual(await executionObjects(pipeline, accepted), ["input.json"], "the input is kept for a retry");
    }

    it("asks the stack's own registry for the pinned digest, signature and scan", async () => {
        const { execution } = await runWith({}, "gate-asks");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlot, S.FinalizeSucceeded]);
        const w = pipeline.wiring;
        const digest = w.taskDefinition.container.image.split("@")[1];
        const asked = { registryId: w.accountId, repositoryName: w.ecrRepositoryName, imageDigest: digest };
        assert.deepEqual(pipeline.ecr.calls, [
            { operation: "DescribeImageSigningStatus", ...asked },
            { operation: "DescribeImageScanFindings", ...asked },
        ]);
    });

    it("unsigned registry (no signing rule): no status at all, refused at once, the prover never runs", async () => {
        const { accepted, execution, view } = await runWith({ signingRule: false }, "gate-unsigned");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, S.FinalizeSignatureFailed]);
        assert.equal(execution.status, "SUCCEEDED", "a refused image is an answer, not an execution failure");
        await assertRefused(accepted, view);
        assert.deepEqual(view.stored.error, {
            Error: IMAGE_SIGNATURE_FAILED_ERROR,
            Cause: `Prover image ${image()}: ECR reports no signing status: no signing rule of the registry matched the repository when the image was pushed (deploy the bootstrap stack, then push again)`,
        });
    });

    it("signing IN_PROGRESS for three checks, then COMPLETE: the gate waits and the proof succeeds", async () => {
        const { view, execution } = await runWith({ signingInProgressChecks: 3 }, "gate-in-progress");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, ...RECHECK, ...RECHECK, ...RECHECK, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlot, S.FinalizeSucceeded]);
        assert.equal(view.status, "succeeded");
        assert.equal(pipeline.ecs.runs.length, 1);
        assert.deepEqual(
            pipeline.invocations.filter((i) => i.role === "check-image-signature").map((i) => [(i.event as { previousChecks?: number }).previousChecks, i.outcome]),
            [
                [undefined, "signature IN_PROGRESS"],
                [1, "signature IN_PROGRESS"],
                [2, "signature IN_PROGRESS"],
                [3, "signature COMPLETE"],
            ],
        );
    });

    it("signing FAILED: refused with ECR's failure code and reason", async () => {
        const { accepted, execution, view } = await runWith({ signingInProgressChecks: 1, signingOutcome: "FAILED" }, "gate-failed");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, ...RECHECK, S.FinalizeSignatureFailed]);
        await assertRefused(accepted, view);
        assert.deepEqual(view.stored.error, {
            Error: IMAGE_SIGNATURE_FAILED_ERROR,
            Cause: `Prover image ${image()}: signing status FAILED for 1 of 1 signing profile(s): ${LOCAL_SIGNING_PROFILE_ARN}: FAILED AccessDenied (The pushing principal may not call signer:SignPayload on the profile)`,
        });
    });

    it("signing still IN_PROGRESS after the bound (1 + 20 checks, 5 minutes in AWS): refused, saying so", async () => {
        const { accepted, execution, view } = await runWith({ signingInProgressChecks: 1000 }, "gate-bound");
        assert.equal(execution.path.filter((s) => s === S.WaitForImageGate).length, IMAGE_GATE.maxRechecks);
        assert.deepEqual(execution.path.slice(-2), [S.CheckImageSignature, S.FinalizeSignatureFailed]);
        assert.equal(pipeline.ecr.calls.filter((c) => c.operation === "DescribeImageSigningStatus").length, 21);
        await assertRefused(accepted, view);
        assert.deepEqual(view.stored.error, {
            Error: IMAGE_SIGNATURE_FAILED_ERROR,
            Cause: `Prover image ${image()}: signing status still IN_PROGRESS after 21 checks over 300 s`,
        });
    });

    it("scan IN_PROGRESS for two checks, then COMPLETE and clean: the proof succeeds", async () => {
        const { execution, view } = await runWith({ scanInProgressChecks: 2 }, "gate-scan-wait");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, ...RECHECK, ...RECHECK, S.AcquireProofSlot, S.RunProver, S.ReleaseProofSlot, S.FinalizeSucceeded]);
        assert.equal(view.status, "succeeded");
    });

    it("a CRITICAL finding refuses the image, naming the counts", async () => {
        const { accepted, execution, view } = await runWith({ findingSeverityCounts: { CRITICAL: 1, HIGH: 2, LOW: 5 } }, "gate-critical");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.CheckImageSignature, S.FinalizeSignatureFailed]);
        await assertRefused(accepted, view);
        assert.deepEqual(view.stored.error, {
            Error: IMAGE_SCAN_REFUSED_ERROR,
            Cause: `Prover image ${image()}: scan findings CRITICAL=1, HIGH=2, LOW=5; CRITICAL findings always refuse the image`,
        });
    });

    it("a HIGH finding refuses the image by default (the develop stack does not allow HIGH)", async () => {
        const { accepted, view } = await runWith({ findingSeverityCounts: { HIGH: 1 } }, "gate-high");
        await assertRefused(accepted, view);
        assert.deepEqual(view.stored.error, {
            Error: IMAGE_SCAN_REFUSED_ERROR,
            Cause: `Prover image ${image()}: scan findings CRITICAL=0, HIGH=1; HIGH findings refuse the image unless allowHighScanFindings is true`,
        });
    });

    it("a digest never scanned (ScanNotFoundException) and a failed scan are refused as ImageScanIncomplete", async () => {
        const first = await runWith({ scanned: false }, "gate-unscanned");
        await assertRefused(first.accepted, first.view);
        assert.deepEqual(first.view.stored.error, {
            Error: IMAGE_SCAN_INCOMPLETE_ERROR,
            Cause: `Prover image ${image()}: ECR has no scan of this digest (scan on push did not run); only a scanned image may run`,
        });
        await pipeline.stop();
        const second = await runWith({ scanOutcome: "FAILED" }, "gate-scan-failed");
        assert.deepEqual(second.view.stored.error, {
            Error: IMAGE_SCAN_INCOMPLETE_ERROR,
            Cause: `Prover image ${image()}: scan status FAILED (The scan failed.); only a scanned image may run`,
        });
    });

    it("the gate Lambda cannot read ECR (AccessDenied): FinalizeFailed records its error and the Lambda logs it", async () => {
        const { accepted, execution, view } = await runWith({ accessDenied: true }, "gate-denied");
        assert.deepEqual(execution.path, [S.VerifyImageSignature, S.ReleaseProofSlotAfterFailure, S.FinalizeFailed]);
        await assertRefused(accepted, view);
        assert.equal(view.stored.error?.Error, "AccessDeniedException");
        const { trace, ...cause } = JSON.parse(view.stored.error!.Cause!);
        assert.deepEqual(cause, {
            errorType: "AccessDeniedException",
            errorMessage: "User is not authorized to perform: ecr:DescribeImageSigningStatus",
        });
        assert.ok(trace[0].endsWith(": User is not authorized to perform: ecr:DescribeImageSigningStatus"), trace[0]);
        assert.deepEqual(
            pipeline.logsOf("check-image-signature").filter((l) => l.level === "ERROR").map((l) => [l.message, l.fields.errorName]),
            [["image signature check failed", "AccessDeniedException"]],
        );
    });
});

describe("local ECR stand-in (local/ecr.ts): ECR's unhappy answers", () => {
    it("another registry, another repository, another digest, and a missing scan fail as ECR fails", async () => {
        const w = await developWiring();
        const digest = w.taskDefinition.container.image.split("@")[1];
        const ecr = localEcr(w, () => ({ scanned: false }));
        const ask = (over: object) => ({ registryId: w.accountId, repositoryName: w.ecrRepositoryName, imageId: { imageDigest: digest }, ...over });
        await assert.rejects(ecr.client.send(new DescribeImageSigningStatusCommand(ask({ registryId: "210987654321" }))), {
            name: "RepositoryNotFoundException",
            message: `The repository with name '${w.ecrRepositoryName}' does not exist in the registry with id '210987654321'`,
        });
        await assert.rejects(ecr.client.send(new DescribeImageSigningStatusCommand(ask({ repositoryName: "other" }))), { name: "RepositoryNotFoundException" });
        await assert.rejects(ecr.client.send(new DescribeImageScanFindingsCommand(ask({ imageId: { imageDigest: `sha256:${"0".repeat(64)}` } }))), { name: "ImageNotFoundException" });
        await assert.rejects(ecr.client.send(new DescribeImageScanFindingsCommand(ask({}))), { name: "ScanNotFoundException" });
        const signed = await ecr.client.send(new DescribeImageSigningStatusCommand(ask({})));
        assert.deepEqual(signed.signingStatuses, [{ signingProfileArn: LOCAL_SIGNING_PROFILE_ARN, status: "COMPLETE" }]);
        assert.equal(ecr.calls.length, 5);
    });

    it("signing stays IN_PROGRESS for the configured number of checks, then ends; without a rule there is no status at all", async () => {
        const w = await developWiring();
        const digest = w.taskDefinition.container.image.split("@")[1];
        const model = { signingInProgressChecks: 2, signingRule: true };
        const ecr = localEcr(w, () => model);
        const status = async () =>
            (await ecr.client.send(new DescribeImageSigningStatusCommand({ registryId: w.accountId, repositoryName: w.ecrRepositoryName, imageId: { imageDigest: digest } }))).signingStatuses;
        assert.deepEqual((await status())?.map((e) => e.status), ["IN_PROGRESS"]);
        assert.deepEqual((await status())?.map((e) => e.status), ["IN_PROGRESS"]);
        assert.deepEqual((await status())?.map((e) => e.status), ["COMPLETE"]);
        model.signingRule = false;
        assert.deepEqual(await status(), []);
    });
});
