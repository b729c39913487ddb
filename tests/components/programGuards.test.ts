import * as assert from "node:assert/strict";
import { synthesizeStack } from "../../scripts/lib/synthesize";
import { mockCall } from "../../offline/mockCloud";
import { synth } from "../support/synth";

async function failure(promise: Promise<unknown>): Promise<Error & { registeredResources?: number }> {
    try {
        await promise;
    } catch (e) {
        return e as Error & { registeredResources?: number };
    }
    assert.fail("synthesis succeeded");
}

describe("program guards (synthesized)", function () {
    const PATTERN = "arn:aws:sts::123456789012:assumed-role/stark-deployer/*";

    it("stops before registering any resource when the caller does not match deployerRoleArnPattern", async () => {
        await synth("develop"); // the queue of cached syntheses must be idle: the runtime is global
        const e = await failure(
            synthesizeStack("develop", {
                configOverrides: { "stark-ballot-simulator:deployerRoleArnPattern": PATTERN },
                callerArn: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
            }),
        );
        assert.equal(e.name, "DeployerNotAllowedError");
        assert.match(e.message, /stark-ballot-simulator:deployerRoleArnPattern: caller arn:aws:sts::123456789012:assumed-role\/Admin\/alice does not match/);
        assert.equal(e.registeredResources, 0);
    });

    it("deploys when the caller matches the pattern", async () => {
        const r = await synth("develop", {
            configOverrides: { "stark-ballot-simulator:deployerRoleArnPattern": PATTERN },
            callerArn: "arn:aws:sts::123456789012:assumed-role/stark-deployer/gha-1",
        });
        assert.ok(r.resources.length > 50);
    });

    it("stops before registering any resource on invalid configuration, listing every problem", async () => {
        await synth("develop");
        const e = await failure(
            synthesizeStack("develop", {
                configOverrides: { "stark-ballot-simulator:networkMode": "nat", "stark-ballot-simulator:environment": "staging" },
            }),
        );
        assert.equal(e.name, "StackConfigError");
        assert.match(e.message, /stark-ballot-simulator:environment: must be one of develop, main, got "staging"/);
        assert.match(e.message, /stark-ballot-simulator:networkMode: must be "public" or "private", got "nat"/);
        assert.equal(e.registeredResources, 0);
    });

    it("requires the application secrets when the stack file lacks them (no offline placeholders)", async () => {
        await synth("develop");
        const e = await failure(synthesizeStack("develop", { placeholderSecrets: false }));
        assert.match(e.message, /stark-ballot-simulator:sessionCapabilitySecret: required secret is not set/);
        assert.equal(e.registeredResources, 0);
    });

    it("the mock cloud refuses any provider function SPEC §2 does not allow", () => {
        const account = { accountId: "123456789012", region: "ap-northeast-1", partition: "aws", callerArn: "arn:aws:sts::123456789012:assumed-role/x/y" };
        assert.throws(() => mockCall("aws:ec2/getVpc:getVpc", {}, account), /unexpected provider function call aws:ec2\/getVpc:getVpc/);
        assert.equal(mockCall("aws:index/getCallerIdentity:getCallerIdentity", {}, account).accountId, "123456789012");
    });
});
