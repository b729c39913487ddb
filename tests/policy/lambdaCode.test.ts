import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { evaluatePolicies } from "../../policy-pack/evaluate";
import { checkLambdaCodeNotText } from "../../policy-pack/policies/lambdaCode";
import { synth } from "../support/synth";

const FUNCTION = "aws:lambda/function:Function";
const fn = (code: unknown, extra: Record<string, unknown> = {}) => ({ runtime: "nodejs22.x", handler: "index.handler", code, ...extra });

describe("lambda-code-not-text", () => {
    it("passes a FileArchive (directory or .zip), a RemoteArchive, S3 code and images", () => {
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, fn(new pulumi.asset.FileArchive("build/lambdas/lambdas-api-index"))), []);
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, fn(new pulumi.asset.FileArchive("dist/api.zip"))), []);
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, fn(new pulumi.asset.RemoteArchive("https://example.com/api.zip"))), []);
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, { runtime: "nodejs22.x", s3Bucket: "b", s3Key: "k.zip" }), []);
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, { packageType: "Image", imageUri: "repo@sha256:abc" }), []);
    });

    it("reports an AssetArchive of StringAssets (the bundles as they were) and a bare StringAsset", () => {
        const inline = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 1;") });
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, fn(inline)), [
            "code is an AssetArchive, whose members may be StringAssets stored as text in the stack's state; write the bundle to a build folder and pass a FileArchive of that folder (or a .zip)",
        ]);
        assert.deepEqual(checkLambdaCodeNotText(FUNCTION, fn(new pulumi.asset.StringAsset("exports.handler = 1"))), [
            "code is a StringAsset: its text is stored in the stack's state; write the bundle to a file and pass a FileArchive of it",
        ]);
    });

    it("is one of the pack's mandatory rules, run by the offline evaluator", async () => {
        const inline = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("x") });
        const violations = await evaluatePolicies(
            [{ type: FUNCTION, name: "f", urn: "f", inputs: fn(inline), protect: false }],
            { environment: "develop" },
        );
        assert.deepEqual(
            violations.filter((v) => v.policy === "lambda-code-not-text").map((v) => [v.resource, v.enforcementLevel]),
            [["f", "mandatory"]],
        );
    });

    it("passes the synthesized develop stack, and fails it once a function's code is inline text again", async function () {
        this.timeout(120_000);
        const r = await synth("develop");
        const onlyThis = async (resources: typeof r.resources) =>
            (await evaluatePolicies(resources, { environment: "develop" })).filter((v) => v.policy === "lambda-code-not-text").map((v) => v.resource);
        assert.deepEqual(await onlyThis(r.resources), []);
        // The bundles as they were shipped before: an AssetArchive holding the code as a StringAsset.
        const broken = r.resources.map((x) =>
            x.name === "app-api-function"
                ? { ...x, inputs: { ...x.inputs, code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});") }) } }
                : x,
        );
        assert.deepEqual(await onlyThis(broken), ["aws:lambda/function:Function::app-api-function"]);
    });
});
