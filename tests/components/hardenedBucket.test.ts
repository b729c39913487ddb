import * as assert from "node:assert/strict";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, json, synth } from "../support/synth";

const ACCOUNT = "123456789012";
const S3 = {
    bucket: "aws:s3/bucket:Bucket",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

/**
 * Both buckets come from components/hardenedBucket.ts. Their URNs are those of the deployed stacks
 * (the resources used to be declared inline in each component): a changed URN would make Pulumi
 * delete the bucket and create an empty one, so each is pinned here in full.
 */
const BUCKETS = [
    { stack: "develop", name: "prover-bundles", parentType: "stark:prover:ProverPipeline", physical: `stark-ballot-simulator-proof-bundles-develop-${ACCOUNT}`, bucketKey: true, protect: false },
    { stack: "main", name: "prover-bundles", parentType: "stark:prover:ProverPipeline", physical: `stark-ballot-simulator-proof-bundles-main-${ACCOUNT}`, bucketKey: true, protect: true },
    { stack: "main", name: "observability-trail-bucket", parentType: "stark:observability:Observability", physical: `stark-ballot-simulator-cloudtrail-main-${ACCOUNT}`, bucketKey: false, protect: true },
] as const;

for (const b of BUCKETS) {
    describe(`hardened bucket ${b.name} in ${b.stack} (synthesized)`, function () {
        let r: SynthResult;
        before(async () => {
            r = await synth(b.stack);
        });
        const suffixes = { bucket: "", ownership: "-ownership", publicAccess: "-public-access", sse: "-sse", versioning: "-versioning", policy: "-policy" } as const;
        const of = (k: keyof typeof S3) => find(r, S3[k], `${b.name}${suffixes[k]}`);

        it("keeps the URNs of the deployed stack (no bucket is replaced)", () => {
            for (const k of Object.keys(S3) as (keyof typeof S3)[]) {
                assert.equal(of(k).pulumiUrn, `urn:pulumi:${b.stack}::stark-ballot-simulator::${b.parentType}$${S3[k]}::${b.name}${suffixes[k]}`);
            }
        });

        it("owner-enforced, fully private, SSE-S3, versioned; protected only where the stack protects", () => {
            const bucket = of("bucket");
            assert.equal(bucket.inputs.bucket, b.physical);
            assert.equal(bucket.inputs.forceDestroy, !b.protect);
            assert.equal(bucket.protect, b.protect);
            assert.deepEqual(of("ownership").inputs, { bucket: b.physical, rule: { objectOwnership: "BucketOwnerEnforced" } });
            assert.deepEqual(of("publicAccess").inputs, { bucket: b.physical, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            assert.deepEqual(of("sse").inputs, {
                bucket: b.physical,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, ...(b.bucketKey ? { bucketKeyEnabled: true } : {}) }],
            });
            assert.deepEqual(of("versioning").inputs, { bucket: b.physical, versioningConfiguration: { status: "Enabled" } });
        });

        it("the policy refuses plain HTTP and waits for the public access block", () => {
            const policy = of("policy");
            const deny = json<{ Statement: { Sid: string }[] }>(policy, "policy").Statement.find((s) => s.Sid === "DenyInsecureTransport");
            assert.deepEqual(deny, {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${b.physical}`, `arn:aws:s3:::${b.physical}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
            assert.deepEqual(policy.dependsOn, [`${S3.publicAccess}::${b.name}-public-access`]);
        });
    });
}
