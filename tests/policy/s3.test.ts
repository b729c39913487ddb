import * as assert from "node:assert/strict";
import {
    checkBucketEncryption,
    checkBucketLifecycle,
    checkBucketPublicAccessBlock,
    checkBucketTlsOnly,
} from "../../policy-pack/policies/s3";
import { StackResource } from "../../policy-pack/lib/types";
import { compliantBucket, document, stackResource, urnOf } from "./support/fixtures";

const BUCKET = "bundles-123456789012";
const BUCKET_URN = urnOf("aws:s3/bucket:Bucket", "bundles");

/** The compliant bucket with the companion of `type` replaced (or removed when `props` is undefined). */
function withCompanion(type: string, props?: Record<string, any>): StackResource[] {
    const resources = compliantBucket("bundles", BUCKET).filter((r) => r.type !== type);
    return props === undefined ? resources : [...resources, stackResource(type, "bundles-companion", props)];
}

const checks = [checkBucketPublicAccessBlock, checkBucketEncryption, checkBucketTlsOnly, checkBucketLifecycle];

describe("S3 bucket policies (stack checks over a bucket's companion resources)", () => {
    it("pass a bucket with a full public access block, SSE, a TLS-only policy and an enabled lifecycle rule", () => {
        for (const check of checks) assert.deepStrictEqual(check(compliantBucket("bundles", BUCKET)), []);
    });

    it("pass a bucket whose companions are linked only by the engine's property dependencies", () => {
        const resources = compliantBucket("bundles", BUCKET).map((r) =>
            r.type === "aws:s3/bucket:Bucket"
                ? r
                : { ...r, props: { ...r.props, bucket: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, propertyDependencies: { bucket: [BUCKET_URN] } },
        );
        for (const check of checks) assert.deepStrictEqual(check(resources), []);
    });

    it("do not count a companion of another bucket", () => {
        const other = compliantBucket("other", "other-bucket");
        const resources = [stackResource("aws:s3/bucket:Bucket", "bundles", { bucket: BUCKET }), ...other];
        assert.deepStrictEqual(checkBucketPublicAccessBlock(resources), [{ urn: BUCKET_URN, message: "bucket has no BucketPublicAccessBlock" }]);
    });

    describe("s3-bucket-public-access-block", () => {
        const type = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
        it("reports a bucket without a public access block", () => {
            assert.deepStrictEqual(checkBucketPublicAccessBlock(withCompanion(type)), [
                { urn: BUCKET_URN, message: "bucket has no BucketPublicAccessBlock" },
            ]);
        });
        it("names the settings a partial block leaves off", () => {
            const partial = { bucket: BUCKET, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true };
            assert.deepStrictEqual(checkBucketPublicAccessBlock(withCompanion(type, partial)), [
                { urn: BUCKET_URN, message: 'public access block "bundles-companion" must set blockPublicPolicy, restrictPublicBuckets to true' },
            ]);
        });
    });

    describe("s3-bucket-encryption", () => {
        const type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
        const message =
            "bucket has no default server-side encryption (a BucketServerSideEncryptionConfiguration rule with sseAlgorithm AES256, aws:kms or aws:kms:dsse)";
        it("reports a bucket without an encryption configuration", () => {
            assert.deepStrictEqual(checkBucketEncryption(withCompanion(type)), [{ urn: BUCKET_URN, message }]);
        });
        it("reports a configuration without a default algorithm", () => {
            assert.deepStrictEqual(checkBucketEncryption(withCompanion(type, { bucket: BUCKET, rules: [{ bucketKeyEnabled: true }] })), [
                { urn: BUCKET_URN, message },
            ]);
        });
        it("accepts KMS encryption", () => {
            const kms = { bucket: BUCKET, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/x" } }] };
            assert.deepStrictEqual(checkBucketEncryption(withCompanion(type, kms)), []);
        });
    });

    describe("s3-bucket-tls-only", () => {
        const type = "aws:s3/bucketPolicy:BucketPolicy";
        const notTlsOnly = 'bucket policy "bundles-companion" must Deny s3:* to every principal on the bucket and its objects when aws:SecureTransport is false';
        const deny = (overrides: Record<string, unknown>) => ({
            bucket: BUCKET,
            policy: document({
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
                ...overrides,
            }),
        });

        it("reports a bucket without a bucket policy", () => {
            assert.deepStrictEqual(checkBucketTlsOnly(withCompanion(type)), [
                { urn: BUCKET_URN, message: "bucket has no bucket policy denying requests without TLS" },
            ]);
        });
        it("accepts the deny with a boolean condition value, a list of values, or Principal {AWS: *}", () => {
            assert.deepStrictEqual(checkBucketTlsOnly(withCompanion(type, deny({ Condition: { Bool: { "aws:SecureTransport": false } } }))), []);
            assert.deepStrictEqual(checkBucketTlsOnly(withCompanion(type, deny({ Condition: { Bool: { "aws:securetransport": ["false"] } } }))), []);
            assert.deepStrictEqual(checkBucketTlsOnly(withCompanion(type, deny({ Principal: { AWS: "*" } }))), []);
        });
        const broken: Array<[string, Record<string, unknown>]> = [
            ["an Allow instead of a Deny", { Effect: "Allow" }],
            ["a deny of only some actions", { Action: "s3:GetObject" }],
            ["a deny for one principal", { Principal: { AWS: "arn:aws:iam::123456789012:root" } }],
            ["a deny without the SecureTransport condition", { Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } }],
            ["a deny when TLS is used", { Condition: { Bool: { "aws:SecureTransport": "true" } } }],
            ["a deny that misses the objects", { Resource: `arn:aws:s3:::${BUCKET}` }],
        ];
        for (const [what, overrides] of broken) {
            it(`reports ${what}`, () => {
                assert.deepStrictEqual(checkBucketTlsOnly(withCompanion(type, deny(overrides))), [{ urn: BUCKET_URN, message: notTlsOnly }]);
            });
        }
    });

    describe("s3-bucket-lifecycle", () => {
        const type = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
        const message = "bucket has no lifecycle configuration with an enabled rule";
        it("reports a bucket without a lifecycle configuration", () => {
            assert.deepStrictEqual(checkBucketLifecycle(withCompanion(type)), [{ urn: BUCKET_URN, message }]);
        });
        it("reports a configuration whose rules are all disabled", () => {
            const disabled = { bucket: BUCKET, rules: [{ id: "expire", status: "Disabled", expiration: { days: 7 } }] };
            assert.deepStrictEqual(checkBucketLifecycle(withCompanion(type, disabled)), [{ urn: BUCKET_URN, message }]);
        });
    });

    it("judge the legacy BucketV2 type too", () => {
        const legacy = stackResource("aws:s3/bucketV2:BucketV2", "legacy", { bucket: "legacy" });
        assert.deepStrictEqual(checkBucketLifecycle([legacy]), [
            { urn: legacy.urn, message: "bucket has no lifecycle configuration with an enabled rule" },
        ]);
    });
});
