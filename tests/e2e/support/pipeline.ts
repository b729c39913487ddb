/** Shared steps of the end-to-end tests: the develop stack's wiring (synthesized once) and the api calls a client makes. */
import * as assert from "node:assert/strict";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CAPABILITY_HEADER } from "../../../lambdas/api/capability";
import { clientError } from "../../../lambdas/api/clientErrors";
import type { SessionStatusView } from "../../../lambdas/api/statusRoute";
import type { SessionRecord } from "../../../lambdas/shared/contracts";
import { SAMPLE_INPUT } from "../../../local/fakeHost";
import { postJson } from "../../../local/httpApi";
import { LocalPipeline, type PipelineFaults } from "../../../local/pipeline";
import { type PipelineWiring, pipelineWiring } from "../../../local/stackWiring";
import { synth } from "../../support/synth";

export async function developWiring(): Promise<PipelineWiring> {
    return pipelineWiring(await synth("develop"));
}

export async function startPipeline(faults: Partial<PipelineFaults> = {}): Promise<LocalPipeline> {
    return LocalPipeline.start(await developWiring(), faults);
}

/**
 * Starts the pipeline with `faults`, hands it to `started` at once (so the test's afterEach stops it even
 * when a step below fails), requests one proof and runs the pipeline until it is idle.
 */
export async function proveWith(faults: Partial<PipelineFaults>, sessionId: string, started: (pipeline: LocalPipeline) => void) {
    const pipeline = await startPipeline(faults);
    started(pipeline);
    const accepted = await requestProof(pipeline, sessionId);
    await pipeline.deliverWork();
    const executions = await pipeline.settled();
    return { accepted, executions, view: await statusOf(pipeline, accepted) };
}

export interface Accepted {
    sessionId: string;
    executionId: string;
    capability: string;
}

/**
 * `POST /api/sessions` (captcha solved at the stand-in), then `POST /api/finalize` with the session's
 * capability; asserts the 201 and the 202. `label` only names the request in failure messages: the
 * api draws the session id.
 */
export async function requestProof(pipeline: LocalPipeline, label: string, input: object = SAMPLE_INPUT): Promise<Accepted> {
    const { sessionId, capability } = await pipeline.createSession();
    const response = await pipeline.request(postJson("/api/finalize", { sessionId, input }, { [CAPABILITY_HEADER]: capability }));
    assert.equal(response.status, 202, `${label}: ${JSON.stringify(response.json)}`);
    const body = response.json as { executionId: string; status: string };
    assert.equal(body.status, "pending");
    return { sessionId, executionId: body.executionId, capability };
}

/**
 * `GET /api/sessions/{id}/status` with the session's capability; asserts the 200, and that a failure
 * is shown only as its fixed client code (never the stored Cause). `stored` is the item as the table
 * holds it, for assertions on what operators see.
 */
export async function statusOf(pipeline: LocalPipeline, accepted: Pick<Accepted, "sessionId" | "capability">): Promise<SessionStatusView & { stored: SessionRecord }> {
    const response = await pipeline.request({
        method: "GET",
        path: `/api/sessions/${accepted.sessionId}/status`,
        headers: { [CAPABILITY_HEADER]: accepted.capability },
    });
    assert.equal(response.status, 200, JSON.stringify(response.json));
    const view = response.json as SessionStatusView;
    const stored = (await pipeline.session(accepted.sessionId))!;
    assert.deepEqual(view.error, stored.error === undefined ? undefined : clientError(stored.error));
    return { ...view, stored };
}

/** Every object key under the execution's prefix, sorted. */
export async function executionObjects(pipeline: LocalPipeline, accepted: Accepted): Promise<string[]> {
    const prefix = `${pipeline.wiring.proofPrefix}${accepted.sessionId}/${accepted.executionId}/`;
    const listed = await pipeline.s3.client.send(new ListObjectsV2Command({ Bucket: pipeline.wiring.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
}
