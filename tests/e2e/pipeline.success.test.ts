/**
 * One proof through the whole pipeline of the synthesized develop stack (local/pipeline.ts): every
 * hand-off is checked where it happens, with the values the program generated.
 */
import * as assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { PROVER_STATES } from "../../builders/proverStateMachine";
import type { ExecutionInput, WorkMessage } from "../../lambdas/shared/contracts";
import { SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import { BUNDLE_ENTRIES } from "../../prover/runner/proofBundle";
import { restoredProofProblems } from "../prover/support/applicationChecks";
import { goldenText } from "../prover/support/golden";
import type { LocalPipeline } from "../../local/pipeline";
import type { LocalExecution } from "../../local/stateMachine";
import { readZip } from "../prover/support/harness";
import { type Accepted, executionObjects, requestProof, startPipeline, statusOf } from "./support/pipeline";

const SESSION = "e2e-success";
const PREFIX = "sessions/";
const BUCKET = "stark-ballot-simulator-proof-bundles-develop-123456789012";
const STATE_MACHINE = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-develop";

describe("local pipeline (develop): a proof from POST /api/finalize to a downloadable bundle", function () {
    let pipeline: LocalPipeline;
    let accepted: Accepted;
    let queued: WorkMessage;
    let execution: LocalExecution;

    before(async () => {
        pipeline = await startPipeline();
        accepted = await requestProof(pipeline, SESSION);
        queued = JSON.parse(pipeline.workQueue.messages()[0].body);
        await pipeline.deliverWork();
        [execution] = await pipeline.settled();
    });
    after(() => pipeline.stop());

    it("queues the work message the api built, on the queue the stack created", () => {
        assert.deepEqual(queued, {
            sessionId: SESSION,
            executionId: accepted.executionId,
            queuedAt: queued.queuedAt,
            input: SAMPLE_INPUT,
        });
        assert.match(accepted.executionId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(pipeline.workQueue.messages(), [], "the work message was deleted after dispatch");
        assert.deepEqual(pipeline.deadLetterQueue.messages(), []);
    });

    it("prover-dispatch wrote input.json and started one execution named after the attempt", async () => {
        const key = `${PREFIX}${SESSION}/${accepted.executionId}/input.json`;
        const object = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        assert.deepEqual(JSON.parse(await object.Body!.transformToString()), SAMPLE_INPUT);
        assert.deepEqual(pipeline.stepFunctions.startRequests, [{ name: accepted.executionId, stateMachineArn: STATE_MACHINE, outcome: "started" }]);
        const started = JSON.parse(pipeline.stepFunctions.executions.get(accepted.executionId)!.input) as ExecutionInput;
        assert.deepEqual(started.payload, { sessionId: SESSION, executionId: accepted.executionId, inputS3Key: key, queuedAt: queued.queuedAt });
    });

    it("runs the generated definition through the signature gate, the prover and FinalizeSucceeded", () => {
        assert.equal(execution.status, "SUCCEEDED");
        assert.deepEqual(execution.path, [
            PROVER_STATES.VerifyImageSignature,
            PROVER_STATES.CheckImageSignature,
            PROVER_STATES.AcquireProofSlot,
            PROVER_STATES.RunProver,
            PROVER_STATES.ReleaseProofSlot,
            PROVER_STATES.FinalizeSucceeded,
        ]);
        assert.deepEqual(
            pipeline.invocations.map((i) => [i.role, i.outcome]),
            [
                ["prover-dispatch", "0 batch item failure(s)"],
                ["check-image-signature", "signature COMPLETE"],
                ["finalize-callback", "succeeded (updated)"],
            ],
        );
    });

    it("gives the prover container the environment the task definition and RunProver compute", () => {
        assert.equal(pipeline.ecs.runs.length, 1);
        const [run] = pipeline.ecs.runs;
        assert.deepEqual(run.environment, {
            ENV_NAME: "develop",
            S3_PROOF_BUCKET: BUCKET,
            S3_PROOF_PREFIX: PREFIX,
            ZKVM_TIMEOUT_SECONDS: "900",
            SCRATCH_DIR: "/scratch",
            ZKVM_HOST_USER: "10001:10001",
            INPUT_S3_BUCKET: BUCKET,
            INPUT_S3_KEY: `${PREFIX}${SESSION}/${accepted.executionId}/input.json`,
            OUTPUT_S3_BUCKET: BUCKET,
            OUTPUT_S3_PREFIX: `${PREFIX}${SESSION}/${accepted.executionId}`,
        });
        assert.equal(run.exitCode, 0);
        assert.deepEqual(run.logLines.filter((l) => l.level !== "INFO"), []);
    });

    it("publishes the artifacts, the bitmaps and bundle.zip under the execution's prefix", async () => {
        assert.deepEqual(await executionObjects(pipeline, accepted), [...SUCCESS_OBJECT_NAMES]);
    });

    it("answers succeeded with the bundle key and a presigned link that downloads the bundle", async () => {
        const view = await statusOf(pipeline, accepted);
        const bundleKey = `${PREFIX}${SESSION}/${accepted.executionId}/bundle.zip`;
        assert.equal(view.status, "succeeded");
        assert.equal(view.bundleKey, bundleKey);
        assert.equal(view.executionId, accepted.executionId);
        assert.equal(view.error, undefined);

        // The link the api signed for the local bucket: fetched over HTTP from 127.0.0.1, as a browser would.
        const response = await fetch(view.bundleUrl!);
        assert.equal(response.status, 200);
        const files = await readZip(Buffer.from(await response.arrayBuffer()));
        assert.deepEqual([...files.keys()], [...BUNDLE_ENTRIES]);
        // The application's own checks accept what it downloads, with the bitmaps published beside it.
        const sibling = async (name: string): Promise<string> => {
            const key = `${PREFIX}${SESSION}/${accepted.executionId}/${name}`;
            const object = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
            return object.Body!.transformToString();
        };
        assert.deepEqual(restoredProofProblems(files, { included: await sibling("included-bitmap.json"), seen: await sibling("seen-bitmap.json") }), []);
        // SAMPLE_INPUT is the original runner's golden input: what follows from the input alone is its output, byte for byte.
        for (const name of ["public-input.json", "election-manifest.json", "close-statement.json"]) {
            assert.equal(files.get(name), goldenText(name), name);
        }
    });

    it("stores the execution ARN on the session and logs no error anywhere", async () => {
        const record = await pipeline.session(SESSION);
        assert.equal(record?.executionArn, `${STATE_MACHINE.replace(":stateMachine:", ":execution:")}:${accepted.executionId}`);
        assert.deepEqual(pipeline.logs.filter((l) => l.level === "ERROR"), []);
    });
});
