import * as assert from "node:assert/strict";
import { RegionMismatchError, assertProviderRegion } from "../../stacks/region";

describe("one region (defect 5)", () => {
    it("accepts the provider's region when it is aws:region", () => {
        assert.doesNotThrow(() => assertProviderRegion({ region: "ap-northeast-1" }, "ap-northeast-1"));
    });

    it("refuses a provider deploying elsewhere, naming both regions and the fix", () => {
        assert.throws(
            () => assertProviderRegion({ region: "ap-northeast-1" }, "eu-west-1"),
            (e: Error) =>
                e instanceof RegionMismatchError &&
                e.message ===
                    "aws:region: the stack is configured for ap-northeast-1, but the AWS provider deploys to eu-west-1; derived ARNs would name the wrong region. Set aws:region to the region you deploy to, and let the AWS provider take its region from it.",
        );
    });
});
