/**
 * "The verifier and the api read the expected image id from one place" (issue 14 §3), end to end:
 * the synthesized stack's prover image record, served by the local SSM stand-in, is what the api's
 * 202 names and what the verifier-service-runner checks the receipt against. Neither function's
 * configuration carries the id.
 */
import * as assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { CAPABILITY_HEADER } from "../../lambdas/api/capability";
import { SAMPLE_INPUT } from "../../local/fakeHost";
import { postJson } from "../../local/httpApi";
import { LocalPipeline } from "../../local/pipeline";
import { pipelineWiring } from "../../local/stackWiring";
import { synth } from "../support/synth";

const RECORD = "/stark-ballot-simulator/develop/prover-image";
const OTHER_IMAGE_ID = "11".repeat(32);

async function finalizeOnce(pipeline: LocalPipeline) {
    const { sessionId, capability } = await pipeline.createSession();
    const response = await pipeline.request(postJson("/api/finalize", { sessionId, input: SAMPLE_INPUT }, { [CAPABILITY_HEADER]: capability }));
    assert.equal(response.status, 202, JSON.stringify(response.json));
    return { sessionId, ...(response.json as { executionId: string; expectedImageId: string | null }) };
}

describe("local pipeline: one expected image id, from the prover image record", function () {
    this.timeout(60000);

    it("with a verifier: the api's 202 and the verifier's report name the record's id; no function's environment holds it", async () => {
        const wiring = pipelineWiring(
            await synth("develop", {
                stackConfigDir: "tests/fixtures/verifier-stack",
                configOverrides: { "stark-ballot-simulator:verifier": { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId: OTHER_IMAGE_ID } },
            }),
        );
        for (const fn of [...Object.values(wiring.functions), wiring.verifier!]) {
            assert.ok(!Object.values(fn.environment).includes(OTHER_IMAGE_ID), JSON.stringify(fn.environment));
        }
        assert.equal(wiring.functions.api.environment.PROVER_IMAGE_PARAMETER, RECORD);
        const pipeline = await LocalPipeline.start(wiring);
        try {
            const accepted = await finalizeOnce(pipeline);
            assert.equal(accepted.expectedImageId, OTHER_IMAGE_ID);
            await pipeline.deliverWork();
            await pipeline.settled();
            const key = `sessions/${accepted.sessionId}/${accepted.executionId}/verification.json`;
            const report = JSON.parse(await (await pipeline.s3.client.send(new GetObjectCommand({ Bucket: wiring.bucket, Key: key }))).Body!.transformToString());
            assert.equal(report.expectedImageId, accepted.expectedImageId);
            // Both read the same parameter from the SSM stand-in.
            assert.deepEqual(
                pipeline.ssmCalls.filter((c) => c.name === RECORD).map((c) => c.outcome),
                ["ok", "ok"],
            );
        } finally {
            await pipeline.stop();
        }
    });

    it("without a verifier (the committed develop stack): the record holds no id and the 202 says null", async () => {
        const pipeline = await LocalPipeline.start(pipelineWiring(await synth("develop")));
        try {
            assert.equal(JSON.parse(pipeline.wiring.parameters[RECORD].value).zkvmImageId, null);
            assert.equal((await finalizeOnce(pipeline)).expectedImageId, null);
        } finally {
            await pipeline.stop();
        }
    });
});
