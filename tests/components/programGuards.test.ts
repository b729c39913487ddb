import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { synthesizeStack } from "../../scripts/lib/synthesize";
import { mockCall } from "../../offline/mockCloud";
import { resourceList, resourceListPath } from "../../scripts/lib/resourceList";
import { assertConfigRefused, synth, synthFailure } from "../support/synth";

describe("program guards (synthesized)", function () {
    const PATTERN = "arn:aws:sts::123456789012:assumed-role/stark-deployer/*";

    it("stops before registering any resource when the caller does not match deployerRoleArnPattern", async () => {
        await synth("develop"); // the queue of cached syntheses must be idle: the runtime is global
        const e = await synthFailure(
            synthesizeStack("develop", {
                configOverrides: { "stark-ballot-simulator:deployerRoleArnPattern": PATTERN },
                callerArn: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
            }),
        );
        assert.equal(e.name, "DeployerNotAllowedError");
        assert.equal(
            e.message,
            `This identity may not deploy the stack:\n  - stark-ballot-simulator:deployerRoleArnPattern: caller arn:aws:sts::123456789012:assumed-role/Admin/alice does not match ${PATTERN}`,
        );
        assert.equal(e.registeredResources, 0);
    });

    it("deploys when the caller matches the pattern", async () => {
        const r = await synth("develop", {
            configOverrides: { "stark-ballot-simulator:deployerRoleArnPattern": PATTERN },
            callerArn: "arn:aws:sts::123456789012:assumed-role/stark-deployer/gha-1",
        });
        // The guard only lets the program through: the same resources as the committed develop stack.
        assert.equal(resourceList(r), fs.readFileSync(resourceListPath("develop"), "utf8"));
    });

    it("stops before registering any resource on invalid configuration, listing every problem", async () => {
        await synth("develop");
        const e = await synthFailure(
            synthesizeStack("develop", {
                configOverrides: { "stark-ballot-simulator:networkMode": "nat", "stark-ballot-simulator:environment": "staging" },
            }),
        );
        assertConfigRefused(e, "develop", [
            'stark-ballot-simulator:environment: must be one of develop, main, got "staging"',
            'stark-ballot-simulator:networkMode: must be "public" or "private", got "nat"',
        ]);
    });

    it("requires the application secrets when the stack file lacks them (no offline placeholders)", async () => {
        await synth("develop");
        const e = await synthFailure(synthesizeStack("develop", { placeholderSecrets: false }));
        assertConfigRefused(
            e,
            "develop",
            ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"].map(
                (key) => `stark-ballot-simulator:${key}: required secret is not set (pulumi config set --secret ${key} <value>)`,
            ),
        );
    });

    it("the mock cloud refuses any provider function SPEC §2 does not allow", () => {
        const account = { accountId: "123456789012", region: "ap-northeast-1", partition: "aws", callerArn: "arn:aws:sts::123456789012:assumed-role/x/y" };
        assert.throws(() => mockCall("aws:ec2/getVpc:getVpc", {}, account), /unexpected provider function call aws:ec2\/getVpc:getVpc/);
        assert.equal(mockCall("aws:index/getCallerIdentity:getCallerIdentity", {}, account).accountId, "123456789012");
    });
});
