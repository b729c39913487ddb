import * as assert from "node:assert/strict";
import { PROVER_PUBLISHED_OBJECTS, proverTaskRolePolicy } from "../../builders/policies/proverPipeline";
import { BUNDLE_OBJECT_NAME, INPUT_OBJECT_NAME } from "../../lambdas/shared/contracts";
import { BUNDLE_ENTRIES } from "../../prover/runner/proofBundle";
import { BITMAP_SIDECARS } from "../../prover/runner/publish";

const ctx = { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" };

describe("prover task role: exactly what prover/runner calls", () => {
    it("writes exactly the objects the runner publishes (receipt, artifacts, sidecars, bundle.zip)", () => {
        const published = [...BUNDLE_ENTRIES, ...BITMAP_SIDECARS.map((s) => s.name), BUNDLE_OBJECT_NAME];
        assert.deepEqual([...PROVER_PUBLISHED_OBJECTS].sort(), published.sort());
        assert.ok(!(PROVER_PUBLISHED_OBJECTS as readonly string[]).includes(INPUT_OBJECT_NAME), "a task never rewrites an input");
    });

    it("GetObject on inputs, PutObject on published names, partition-aware, no DeleteObject or ListBucket", () => {
        assert.deepEqual(proverTaskRolePolicy(ctx, "bundles", "proofs/"), {
            Version: "2012-10-17",
            Statement: [
                { Sid: "ReadProofInputs", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws-cn:s3:::bundles/proofs/*/input.json" },
                {
                    Sid: "WriteProofOutputs",
                    Effect: "Allow",
                    Action: "s3:PutObject",
                    Resource: [
                        "arn:aws-cn:s3:::bundles/proofs/*/receipt.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/journal.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/public-input.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/election-manifest.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/close-statement.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/included-bitmap.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/seen-bitmap.json",
                        "arn:aws-cn:s3:::bundles/proofs/*/bundle.zip",
                    ],
                },
            ],
        });
    });

    it("the runner's source sends only GetObjectCommand and PutObjectCommand", async () => {
        const fs = await import("node:fs/promises");
        const path = await import("node:path");
        const dir = path.join(__dirname, "../../prover/runner");
        const used = new Set<string>();
        for (const file of await fs.readdir(dir)) {
            if (!file.endsWith(".ts")) continue;
            for (const m of (await fs.readFile(path.join(dir, file), "utf8")).matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)) used.add(m[1]);
        }
        assert.deepEqual([...used].sort(), ["GetObjectCommand", "PutObjectCommand"]);
    });
});
