/** The re-expressed application checks must be able to fail: they refuse what the old runner published. */
import * as assert from "node:assert/strict";
import { restoredProofProblems } from "./support/applicationChecks";
import { goldenText } from "./support/golden";

const goldenBundle = (): Map<string, string> =>
    new Map(
        ["journal.json", "public-input.json", "election-manifest.json", "close-statement.json"].map((name) => [name, goldenText(name)]),
    ).set("receipt.json", goldenText("host-receipt.json"));
const siblings = { included: goldenText("included-bitmap.json"), seen: goldenText("seen-bitmap.json") };

describe("application checks (re-expressed): they accept the original's bundle and refuse broken ones", () => {
    it("accept the original runner's published set", () => {
        assert.deepStrictEqual(restoredProofProblems(goldenBundle(), siblings), []);
    });

    it("refuse the raw host output as journal.json (what the simplified runner published)", () => {
        const bundle = goldenBundle().set("journal.json", goldenText("host-output.json"));
        assert.deepStrictEqual(restoredProofProblems(bundle, {}), [
            "electionId",
            "electionConfigHash",
            "bulletinRoot",
            "sthDigest",
            "includedBitmapRoot",
            "inputCommitment",
            "seenBitmapRoot",
        ]);
    });

    it("refuse a bundle without receipt.json, and name missing artifacts", () => {
        const noReceipt = goldenBundle();
        noReceipt.delete("receipt.json");
        assert.deepStrictEqual(restoredProofProblems(noReceipt, {}), ["receipt.json not found in bundle"]);
        const noPublicInput = goldenBundle();
        noPublicInput.delete("public-input.json");
        assert.deepStrictEqual(restoredProofProblems(noPublicInput, {}), ["public-input.json missing", "public_input_not_record"]);
    });

    it("refuse a bitmap whose root is not the journal's, or not its bits'", () => {
        const seen = JSON.parse(siblings.seen);
        seen.seenBitmap[0] = false;
        assert.deepStrictEqual(restoredProofProblems(goldenBundle(), { seen: JSON.stringify(seen) }), ["seen root does not match its bits"]);
        const journal = JSON.parse(goldenText("journal.json"));
        journal.includedBitmapRoot = `0x${"00".repeat(32)}`;
        assert.deepStrictEqual(
            restoredProofProblems(goldenBundle().set("journal.json", JSON.stringify(journal)), { included: siblings.included }),
            ["included root does not match the journal"],
        );
    });

    it("refuse a public-input whose votes the journal did not commit to", () => {
        const publicInput = JSON.parse(goldenText("public-input.json"));
        publicInput.votes[0].index = 1;
        assert.deepStrictEqual(restoredProofProblems(goldenBundle().set("public-input.json", JSON.stringify(publicInput)), {}), [
            "public-input commitment differs from the journal",
        ]);
    });
});
