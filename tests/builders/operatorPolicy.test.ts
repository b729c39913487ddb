/** The bundle operators' managed policy: the proof prefix only. */
import * as assert from "node:assert/strict";
import { bundleOperatorPolicy } from "../../builders/policies/operator";

describe("bundle operator policy", () => {
    it("reads, writes and lists under the proof prefix and nowhere else", () => {
        assert.deepEqual(bundleOperatorPolicy({ partition: "aws" }, "bundles-develop", "sessions/"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadWriteProofObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:GetObjectAttributes", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                    Resource: "arn:aws:s3:::bundles-develop/sessions/*",
                },
                {
                    Sid: "ListProofPrefix",
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: "arn:aws:s3:::bundles-develop",
                    Condition: { StringLike: { "s3:prefix": ["sessions/*"] } },
                },
            ],
        });
    });

    it("follows the partition and a nested prefix", () => {
        const doc = bundleOperatorPolicy({ partition: "aws-cn" }, "b", "proofs/v2/");
        assert.equal(doc.Statement[0].Resource, "arn:aws-cn:s3:::b/proofs/v2/*");
        assert.deepEqual(doc.Statement[1].Condition, { StringLike: { "s3:prefix": ["proofs/v2/*"] } });
    });
});
