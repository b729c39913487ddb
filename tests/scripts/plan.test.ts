import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function plan(...args: string[]) {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/plan.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        timeout: 120_000,
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run plan", function () {
    let develop: ReturnType<typeof plan>;
    before(() => {
        develop = plan("develop");
    });

    it("prints the develop stack grouped by component, with settings, outputs, policies and timing", () => {
        assert.equal(develop.code, 0, develop.err);
        for (const heading of ["stark:network:Network::network", "stark:prover:ProverPipeline::prover", "stark:app:AppApi::app", "stark:observability:Observability::observability"]) {
            assert.ok(develop.out.includes(`\n${heading}  (`), `missing component group ${heading}`);
        }
        assert.match(develop.out, /aws:sqs\/queue:Queue  prover-work-queue\n\s+name=stark-ballot-simulator-prover-work-develop  visibilityTimeout=1000  retention=345600  longPolling=20/);
        assert.match(develop.out, /\n  proverWorkQueueArn: arn:aws:sqs:ap-northeast-1:123456789012:stark-ballot-simulator-prover-work-develop\n/);
        assert.match(develop.out, /\nPolicies: all passed\n/);
        assert.match(develop.out, /\nSynthesized in \d+\.\d\d s\n/);
    });

    it("never prints a secret value, only that offline placeholders were used", () => {
        assert.ok(!develop.out.includes("offline-placeholder-"), "a secret value reached the plan output");
        assert.match(develop.out, /Offline placeholders \(not in the stack file; set with pulumi config set --secret\): sessionCapabilitySecret, voteEncryptionKey, captchaSecret/);
    });

    it("marks protected resources in main", () => {
        const main = plan("main");
        assert.equal(main.code, 0, main.err);
        assert.match(main.out, /aws:s3\/bucket:Bucket  prover-bundles \[protected\]/);
        assert.match(main.out, /aws:dynamodb\/table:Table  app-sessions-table \[protected\]/);
    });

    it("with an invalid stack file prints every problem and exits 1 before synthesizing", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const stackFile = fs.readFileSync(path.join(ROOT, "Pulumi.develop.yaml"), "utf8")
            .replace("stark-ballot-simulator:networkMode: public", "stark-ballot-simulator:networkMode: nat")
            .replace("stark-ballot-simulator:proofPrefix: sessions/", "stark-ballot-simulator:proofPrefix: sessions");
        fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), stackFile);
        const broken = plan("broken", "--config-dir", dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(broken.code, 1);
        assert.equal(
            broken.err,
            [
                'Invalid configuration for stack "broken" (2 problems):',
                '  - stark-ballot-simulator:proofPrefix: "sessions" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)',
                '  - stark-ballot-simulator:networkMode: must be "public" or "private", got "nat"',
                "",
            ].join("\n"),
        );
        assert.equal(broken.out, "");
    });

    it("applies Pulumi.yaml's declarations as the CLI does: a missing required key stops the plan with the CLI's message", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const stackFile = fs.readFileSync(path.join(ROOT, "Pulumi.develop.yaml"), "utf8").replace("  stark-ballot-simulator:environment: develop\n", "");
        fs.writeFileSync(path.join(dir, "Pulumi.noenv.yaml"), stackFile);
        const missing = plan("noenv", "--config-dir", dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(missing.code, 1);
        assert.equal(missing.err, "Stack 'noenv' is missing configuration value 'environment'\n");
        assert.equal(missing.out, "");
    });

    it("prints the Lambda bundles' sizes and whether each came from the cache", () => {
        assert.match(develop.out, /\nLambda bundles \(build\/lambdas\/, minified with source maps; \d built, \d from cache, \d+ ms\)\n/);
        for (const entry of ["lambdas/api/index.ts", "lambdas/prover-dispatch/index.ts", "lambdas/finalize-callback/index.ts", "lambdas/check-image-signature/index.ts"]) {
            assert.match(develop.out, new RegExp(`\\n  ${entry.replace(/\//g, "\\/").replace(/\./g, "\\.")} +\\d+ KiB \\+ map +\\d+ KiB  (cached|built )`));
        }
    });

    it("explains its usage", () => {
        const usage = plan();
        assert.equal(usage.code, 64);
        assert.match(usage.err, /usage: npm run plan -- <stack>/);
    });
});
