/** `npm run plan:bootstrap -- <stack>`: the bootstrap stack printed offline, as a user runs it. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function planBootstrap(...args: string[]) {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/plan-bootstrap.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        timeout: 120_000,
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run plan:bootstrap", function () {
    this.timeout(240_000);

    it("prints the example stack: the signing pieces, the roles with their exact subjects, the outputs", () => {
        const r = planBootstrap("example");
        assert.equal(r.code, 0, r.err);
        // 3 roles, the preview's inline policy, 4 managed policies and 4 attachments per deploy role, the provider, the signing pieces.
        assert.match(r.out, /^Bootstrap stack example \(account 123456789012, ap-northeast-1\): 23 resources\n/);
        for (const env of ["develop", "main"]) {
            for (const i of [1, 2, 3, 4]) {
                assert.match(r.out, new RegExp(`\\n {2}aws:iam/policy:Policy {2}ci-${env}-policy-${i}\\n {6}name=gha-stark-ballot-simulator-deploy-${env}-${i} size=\\d{4}/6144 statements=[A-Za-z!,]+\\n`));
                assert.ok(r.out.includes(`\n  aws:iam/rolePolicyAttachment:RolePolicyAttachment  ci-${env}-policy-${i}\n      role=gha-stark-ballot-simulator-deploy-${env} policy=arn:aws:iam::123456789012:policy/gha-stark-ballot-simulator-deploy-${env}-${i}\n`), `${env} ${i}`);
            }
        }
        assert.match(r.out, /\n {2}aws:signer\/signingProfile:SigningProfile {2}signing-profile \[protected\]\n {6}name=stark_ballot_simulator_prover platform=Notation-OCI-SHA384-ECDSA validity=24 MONTHS\n/);
        assert.match(r.out, /\n {2}aws-native:ecr:SigningConfiguration {2}signing-registry-signing\n {6}rules=\[\{"repositoryFilters":\[\{"filter":"stark-ballot-simulator-prover-\*","filterType":"WILDCARD_MATCH"\}\]/);
        for (const sub of ["pull_request", "environment:develop", "environment:production"]) {
            assert.ok(r.out.includes(` sub=repo:example-org/stark-ballot-simulator:${sub}\n`), sub);
        }
        assert.match(r.out, /\n {2}deployRoleArns: \{"develop":"arn:aws:iam::123456789012:role\/gha-stark-ballot-simulator-deploy-develop","main":"arn:aws:iam::123456789012:role\/gha-stark-ballot-simulator-deploy-main"\}\n/);
    });

    it("answers a missing stack file with exit code 1, and no argument with its usage and 64", () => {
        const missing = planBootstrap("nope");
        assert.equal(missing.code, 1);
        assert.match(missing.err, /no stack file .*bootstrap\/Pulumi\.nope\.yaml/);
        const usage = planBootstrap();
        assert.equal(usage.code, 64);
        assert.match(usage.err, /^usage: npm run plan:bootstrap -- <stack>/);
    });
});
