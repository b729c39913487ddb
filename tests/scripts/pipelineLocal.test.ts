import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function pipelineLocal(...args: string[]) {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/pipeline-local.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run pipeline:local", function () {
    it("runs one proof through the develop pipeline, verification included (the labelled local stand-in), and prints each step with its timing", () => {
        const run = pipelineLocal();
        assert.equal(run.code, 0, run.out + run.err);
        assert.match(
            run.out,
            new RegExp(
                "^Synthesized develop in \\d+ ms; state machine arn:aws:states:ap-northeast-1:123456789012:stateMachine:stark-ballot-simulator-prover-dispatcher-develop\n" +
                    `Verifier: LOCAL STAND-IN \\(the develop stack configures no verifier; this run adds layer tests/fixtures/verifier-layer with the fake verifier-service, expected image id ${"5a".repeat(32)}; nothing is written to Pulumi\\.develop\\.yaml\\)\n`,
            ),
        );
        const steps = [
            /api +POST \/api\/sessions → HTTP 201/,
            /api +POST \/api\/finalize → HTTP 202/,
            /sqs +poll work queue → 1 deleted, 0 redelivered, 0 in DLQ/,
            /prover-dispatch +invoke → 0 batch item failure\(s\)/,
            /step-functions +execution [0-9a-f-]{36} → SUCCEEDED after 8 states/,
            /check-image-signature +invoke → signature COMPLETE/,
            /ecs +RunTask stark-ballot-simulator-prover-develop:1 → container exited 0/,
            /verifier-service-runner invoke → verdict success/,
            /finalize-callback +invoke → succeeded \(updated\)/,
            /api +GET \/api\/sessions\/[0-9a-f-]{36}\/status → HTTP 200/,
        ];
        for (const step of steps) {
            assert.match(run.out, new RegExp(`\\n +\\d+ +\\d+  ${step.source}\\n`));
        }
        assert.match(run.out, /\nExecution [0-9a-f-]{36}: SUCCEEDED via VerifyImageSignature → CheckImageSignature → AcquireProofSlot → RunProver → ReleaseProofSlot → VerifyProof → CheckProofVerification → FinalizeSucceeded\n/);
        assert.match(run.out, /\nSession [0-9a-f-]{36}: succeeded, bundle s3:\/\/stark-ballot-simulator-proof-bundles-develop-123456789012\/sessions\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/bundle\.zip\n/);
        const report = /\nVerification \(local stand-in verifier\): report s3:\/\/stark-ballot-simulator-proof-bundles-develop-123456789012\/sessions\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/verification\.json: (\{[^]*?\n\})\n/.exec(run.out);
        assert.ok(report, run.out);
        assert.deepEqual(JSON.parse(report[1]), { status: "success", imageId: "5a".repeat(32), expectedImageId: "5a".repeat(32), error: null });
        assert.match(run.out, /\nBundle: \d+ bytes in the local bucket\n$/);
    });

    it("rejects unknown options with its usage and exit code 64", () => {
        const run = pipelineLocal("--fast");
        assert.equal(run.code, 64);
        assert.match(run.err, /usage: npm run pipeline:local \[-- <stack> \[--config-dir <dir holding Pulumi\.<stack>\.yaml>\]\]/);
        assert.equal(pipelineLocal("develop", "--config-dir").code, 64);
    });

    it("with a verifier configured (test stack file), shows VerifyProof and the report", () => {
        const run = pipelineLocal("develop", "--config-dir", "tests/fixtures/verifier-stack");
        assert.equal(run.code, 0, run.out + run.err);
        assert.match(run.out, /\n +\d+ +\d+  verifier-service-runner invoke → verdict success\n/);
        assert.match(run.out, /\nExecution [0-9a-f-]{36}: SUCCEEDED via VerifyImageSignature → CheckImageSignature → AcquireProofSlot → RunProver → ReleaseProofSlot → VerifyProof → CheckProofVerification → FinalizeSucceeded\n/);
        assert.doesNotMatch(run.out, /STAND-IN|stand-in/);
        assert.match(run.out, /\nVerification: report s3:\/\/stark-ballot-simulator-proof-bundles-develop-123456789012\/sessions\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/verification\.json: \{\n  "status": "success",/);
    });
});
