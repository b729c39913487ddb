/**
 * `npm run pipeline:local [-- <stack>]`: synthesizes the stack offline, then creates a session (its
 * captcha solved at the local Turnstile stand-in) and runs one proof through the whole pipeline on this machine (see local/pipeline.ts) and prints each step with its timing, the
 * execution's path, where the bundle landed and the verification report. Exit 0 when the session
 * ends `succeeded` with its bundle (and report) in the bucket, 1 otherwise, 64 on bad usage.
 *
 * A stack without `verifier` (both committed stacks) still shows the VerifyProof step: this run adds
 * the local stand-in verifier (STAND_IN_VERIFIER) to the synthesis as a config override, and says so.
 * Nothing is written to the stack file, so no deploy ever sees the placeholder layer.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { CAPABILITY_HEADER } from "../lambdas/api/capability";
import { FAKE_IMAGE_ID, SAMPLE_INPUT } from "../local/fakeHost";
import { postJson } from "../local/httpApi";
import { LocalPipeline, type TraceEntry } from "../local/pipeline";
import { pipelineWiring } from "../local/stackWiring";
import { readStackFile, synthesizeStack } from "./lib/synthesize";

const VERIFIER_KEY = "stark-ballot-simulator:verifier";

/**
 * The verifier a local run adds when the stack has none: the placeholder layer with the real layer's
 * layout (the local pipeline runs local/fakeVerifier.ts where Lambda would run its binary) and the
 * image id the fake zkVM host reports, so an honest proof verifies.
 */
const STAND_IN_VERIFIER = { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId: FAKE_IMAGE_ID.slice(2) } as const;

const USAGE = "usage: npm run pipeline:local [-- <stack> [--config-dir <dir holding Pulumi.<stack>.yaml>]]   (default stack: develop)";

async function main(argv: string[]): Promise<number> {
    const [first, flag, stackConfigDir, ...extra] = argv;
    if (first?.startsWith("-") || (flag !== undefined && (flag !== "--config-dir" || !stackConfigDir)) || extra.length > 0) {
        console.error(USAGE);
        return 64;
    }
    const stack = first ?? "develop";
    const synthStarted = Date.now();
    const standIn = readStackFile(stack, stackConfigDir).config[VERIFIER_KEY] === undefined;
    const wiring = pipelineWiring(await synthesizeStack(stack, { stackConfigDir, ...(standIn ? { configOverrides: { [VERIFIER_KEY]: STAND_IN_VERIFIER } } : {}) }));
    console.log(`Synthesized ${stack} in ${Date.now() - synthStarted} ms; state machine ${wiring.stateMachine.arn}`);
    if (standIn) {
        console.log(
            `Verifier: LOCAL STAND-IN (the ${stack} stack configures no verifier; this run adds layer ${STAND_IN_VERIFIER.layer} ` +
                `with the fake verifier-service, expected image id ${STAND_IN_VERIFIER.imageId}; nothing is written to Pulumi.${stack}.yaml)`,
        );
    }

    const pipeline = await LocalPipeline.start(wiring);
    try {
        const { sessionId, capability } = await pipeline.createSession();
        const accepted = await pipeline.request(postJson("/api/finalize", { sessionId, input: SAMPLE_INPUT }, { [CAPABILITY_HEADER]: capability }));
        if (accepted.status !== 202) {
            console.error(`POST /api/finalize answered ${accepted.status}: ${JSON.stringify(accepted.json)}`);
            return 1;
        }
        const { executionId } = accepted.json as { executionId: string };
        await pipeline.deliverWork();
        const [execution] = await pipeline.settled();
        const status = await pipeline.request({ method: "GET", path: `/api/sessions/${sessionId}/status`, headers: { [CAPABILITY_HEADER]: capability } });

        printTrace(pipeline.trace);
        const view = status.json as { status: string; bundleKey?: string; verificationReportKey?: string; error?: { Error: string; Cause?: string } };
        console.log(`\nExecution ${executionId}: ${execution?.status ?? "not started"} via ${execution?.path.join(" → ") ?? "-"}`);
        console.log(`Session ${sessionId}: ${view.status}${view.bundleKey ? `, bundle s3://${wiring.bucket}/${view.bundleKey}` : ""}`);
        const verifierLabel = standIn ? " (local stand-in verifier)" : "";
        if (view.verificationReportKey !== undefined) {
            const report = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: wiring.bucket, Key: view.verificationReportKey }));
            console.log(`Verification${verifierLabel}: report s3://${wiring.bucket}/${view.verificationReportKey}: ${await report.Body!.transformToString()}`.trimEnd());
        } else if (view.error !== undefined) {
            console.log(`Verification or proof failed: ${view.error.Error}: ${view.error.Cause ?? ""}`);
        }
        if (view.status !== "succeeded" || view.bundleKey === undefined || view.verificationReportKey === undefined) {
            printErrors(pipeline);
            return 1;
        }
        const bundle = await pipeline.s3.client.send(new GetObjectCommand({ Bucket: wiring.bucket, Key: view.bundleKey }));
        console.log(`Bundle: ${bundle.ContentLength} bytes in the local bucket`);
        return 0;
    } finally {
        await pipeline.stop();
    }
}

function printTrace(trace: readonly TraceEntry[]): void {
    console.log("\n  at ms   took ms  actor                  step → outcome");
    for (const entry of [...trace].sort((a, b) => a.atMs - b.atMs)) {
        const at = String(entry.atMs).padStart(7);
        const took = String(entry.durationMs).padStart(8);
        console.log(`${at}  ${took}  ${entry.actor.padEnd(22)} ${entry.step} → ${entry.outcome}`);
    }
}

function printErrors(pipeline: LocalPipeline): void {
    for (const record of pipeline.logs.filter((r) => r.level === "ERROR")) {
        console.error(`ERROR ${record.actor}: ${record.message} ${JSON.stringify(record.fields)}`);
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    },
);
