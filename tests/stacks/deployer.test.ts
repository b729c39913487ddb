import * as assert from "node:assert/strict";
import { DeployerNotAllowedError, assertDeployerAllowed, deployerProblems } from "../../stacks/deployer";
import { arnPatternToRegExp, fargateSizeProblem } from "../../stacks/rules";

describe("deployer restriction", () => {
    const settings = { accountId: "123456789012", deployerRoleArnPattern: "arn:aws:sts::123456789012:assumed-role/stark-deployer-*/*" };

    it("accepts a caller in the account matching the role pattern", () => {
        assert.deepEqual(deployerProblems(settings, { accountId: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/stark-deployer-ci/gha-42" }), []);
    });

    it("rejects a caller whose role does not match, naming the key and both ARNs", () => {
        assert.deepEqual(deployerProblems(settings, { accountId: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/Admin/alice" }), [
            "stark-ballot-simulator:deployerRoleArnPattern: caller arn:aws:sts::123456789012:assumed-role/Admin/alice does not match arn:aws:sts::123456789012:assumed-role/stark-deployer-*/*",
        ]);
    });

    it("rejects a caller in another account", () => {
        assert.throws(
            () => assertDeployerAllowed({ accountId: "123456789012" }, { accountId: "999999999999", arn: "arn:aws:sts::999999999999:assumed-role/x/y" }),
            (e: unknown) => e instanceof DeployerNotAllowedError && e.problems[0] === "aws:allowedAccountIds: the caller is in account 999999999999, the stack deploys only to 123456789012",
        );
    });

    it("treats regex characters in the pattern literally", () => {
        assert.equal(arnPatternToRegExp("arn:aws:iam::1:role/a.b").test("arn:aws:iam::1:role/aXb"), false);
        assert.equal(arnPatternToRegExp("arn:aws:iam::1:role/a?b").test("arn:aws:iam::1:role/aXb"), true);
    });
});

describe("Fargate sizes", () => {
    const table: Array<[number, number, boolean]> = [
        [16384, 32768, true],
        [16384, 122880, true],
        [16384, 40960, true],
        [16384, 36864, false],
        [8192, 16384, true],
        [256, 512, true],
        [256, 4096, false],
        [4096, 30720, true],
        [4096, 31744, false],
    ];
    for (const [cpu, memory, ok] of table) {
        it(`${cpu} CPU / ${memory} MiB is ${ok ? "valid" : "invalid"}`, () => assert.equal(fargateSizeProblem(cpu, memory) === undefined, ok));
    }
});
