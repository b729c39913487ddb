import * as assert from "node:assert/strict";
import { checkRepositoryLifecycle, checkScanOnPush } from "../../policy-pack/policies/ecr";
import { stackResource } from "./support/fixtures";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const KEEP_20 = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } }] });

describe("ECR policies", () => {
    describe("ecr-scan-on-push", () => {
        it("passes a repository that scans on push", () => {
            assert.deepStrictEqual(checkScanOnPush(REPOSITORY, { imageScanningConfiguration: { scanOnPush: true } }), []);
        });
        it("reports a repository that does not", () => {
            const message = "repository must scan images on push (imageScanningConfiguration.scanOnPush: true)";
            assert.deepStrictEqual(checkScanOnPush(REPOSITORY, { imageScanningConfiguration: { scanOnPush: false } }), [message]);
            assert.deepStrictEqual(checkScanOnPush(REPOSITORY, {}), [message]);
        });
    });

    describe("ecr-lifecycle-policy", () => {
        const repository = stackResource(REPOSITORY, "repository", { name: "prover" });
        const violation = { urn: repository.urn, message: "repository has no lifecycle policy with rules" };

        it("passes a repository with a lifecycle policy naming it, by value or by dependency", () => {
            assert.deepStrictEqual(checkRepositoryLifecycle([repository, stackResource(LIFECYCLE, "lc", { repository: "prover", policy: KEEP_20 })]), []);
            const pending = stackResource(LIFECYCLE, "lc", { repository: "unknown", policy: KEEP_20 }, { propertyDependencies: { repository: [repository.urn] } });
            assert.deepStrictEqual(checkRepositoryLifecycle([repository, pending]), []);
        });
        it("reports a repository without one, or whose policy has no rules or is for another repository", () => {
            assert.deepStrictEqual(checkRepositoryLifecycle([repository]), [violation]);
            assert.deepStrictEqual(checkRepositoryLifecycle([repository, stackResource(LIFECYCLE, "lc", { repository: "prover", policy: '{"rules":[]}' })]), [violation]);
            assert.deepStrictEqual(checkRepositoryLifecycle([repository, stackResource(LIFECYCLE, "lc", { repository: "other", policy: KEEP_20 })]), [violation]);
        });
    });
});
