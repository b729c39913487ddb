/**
 * Server-side proof verification (config `verifier`): the parsed setting, its rules, the function's
 * sizes and its least-privilege policy. Pure: no Pulumi imports.
 *
 * The verifier is the earlier setup's native `verifier-service` binary, shipped as a Lambda layer
 * (a directory or `.zip` holding `bin/verifier-service`; Lambda extracts layers under /opt:
 * https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html), run by the
 * `verifier-service-runner` function after every proof (state `VerifyProof`).
 */
import { PROJECT_NAME } from "./names";
import { AwsContext, PolicyDocument, PolicyStatement, arn, policyDocument } from "./policies/document";

/** Architectures a layer and a function can have; they must match for a native binary to run. */
export const VERIFIER_ARCHITECTURES = ["arm64", "x86_64"] as const;
export type VerifierArchitecture = (typeof VERIFIER_ARCHITECTURES)[number];

export interface VerifierConfig {
    /** The layer artifact: a directory or `.zip` holding `bin/verifier-service`, relative to the project root. */
    layer: string;
    /** The binary's architecture; the function runs on the same one. */
    architecture: VerifierArchitecture;
    /** The zkVM guest image id every proof must carry, 64 lower-case hex digits (no `0x`). */
    imageId: string;
}

/**
 * Sizes of the verifier-service-runner. Verifying a RISC Zero receipt is CPU-bound and Lambda gives
 * CPU in proportion to memory (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
 * so 2048 MB; 120 s covers download, extraction and the binary's own 100 s limit
 * (lambdas/verifier-runner VERIFIER_TIMEOUT_MS), which ends a hung verifier before the function times out.
 * The default 512 MB of /tmp holds a bundle at its download and extraction limits.
 */
export const VERIFIER_FUNCTION_DEFAULTS = Object.freeze({
    timeoutSeconds: 120,
    memoryMb: 2048,
});

const IMAGE_ID = /^[0-9a-f]{64}$/;

/** Problems of the `verifier` config value, each naming its key; `key` is the full config key. */
export function verifierConfigProblems(value: unknown, key: string): string[] {
    if (value === undefined) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [`${key}: must be an object {layer, architecture, imageId}`];
    }
    const v = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const extra of Object.keys(v).filter((k) => !["layer", "architecture", "imageId"].includes(k))) {
        problems.push(`${key}.${extra}: unknown key (allowed: layer, architecture, imageId)`);
    }
    if (typeof v.layer !== "string" || v.layer.trim() === "") {
        problems.push(`${key}.layer: required: a directory or .zip holding bin/verifier-service`);
    }
    if (!(VERIFIER_ARCHITECTURES as readonly unknown[]).includes(v.architecture)) {
        problems.push(`${key}.architecture: must be one of ${VERIFIER_ARCHITECTURES.join(", ")} (the binary's), got ${JSON.stringify(v.architecture)}`);
    }
    if (typeof v.imageId !== "string" || !IMAGE_ID.test(v.imageId)) {
        problems.push(`${key}.imageId: must be the zkVM image id as 64 lower-case hex digits without 0x, got ${JSON.stringify(v.imageId)}`);
    }
    return problems;
}

/** Name of the SSM parameter recording the stack's prover image (output `proverImageParameterName`). */
export function proverImageParameterName(scope: string): string {
    return `/${PROJECT_NAME}/${scope}/prover-image`;
}

export function ssmParameterArn(ctx: AwsContext, name: string): string {
    // A parameter name that starts with "/" is appended without a second slash.
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
    return `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

/**
 * The verifier may read bundles and write reports under the proof prefix, nothing else: GetObject
 * only on `<prefix>*\/bundle.zip`, PutObject only on `<prefix>*\/verification.json` (`*` matches across
 * `/` in S3 resource ARNs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html),
 * and GetParameter on the prover image record. No ListBucket: a missing bundle then answers 403
 * instead of 404, which is acceptable for a bundle RunProver just published.
 */
export function verifierRunnerPolicy(ctx: AwsContext, bucketName: string, proofPrefix: string, imageParameterArn: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadProofBundles",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: arn.s3Object(ctx, bucketName, `${proofPrefix}*/bundle.zip`),
        },
        {
            Sid: "WriteVerificationReports",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: arn.s3Object(ctx, bucketName, `${proofPrefix}*/verification.json`),
        },
        readProverImageRecordStatement(imageParameterArn),
    );
}

/**
 * GetParameter on the prover image record only: every reader of the expected image id (the verifier,
 * the api) reads it from there. A String parameter, so no kms:Decrypt.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
 */
export function readProverImageRecordStatement(imageParameterArn: string): PolicyStatement {
    return { Sid: "ReadProverImageRecord", Effect: "Allow", Action: "ssm:GetParameter", Resource: imageParameterArn };
}
