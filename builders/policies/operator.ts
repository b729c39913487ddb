/**
 * The managed policy for the people and tools that manage verification bundles: read, write and
 * delete objects under the proof prefix, list that prefix, and nothing else in the account.
 *
 * The bucket refuses a `PutObject` that does not request SSE-S3 (proofBucketPolicy), so an
 * operator's upload sends it too: `aws s3 cp <file> s3://<bucket>/<key> --sse AES256`.
 * Actions and their resource types:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import { AwsContext, PolicyDocument, arn, policyDocument } from "./document";

export const OPERATOR_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:PutObject",
    "s3:DeleteObject",
    // A large `aws s3 cp` is a multipart upload (authorized by PutObject); an interrupted one is
    // cleaned up with these.
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
] as const;

export function bundleOperatorPolicy(ctx: Pick<AwsContext, "partition">, bucketName: string, proofPrefix: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadWriteProofObjects",
            Effect: "Allow",
            Action: [...OPERATOR_OBJECT_ACTIONS],
            Resource: arn.s3Object(ctx, bucketName, `${proofPrefix}*`),
        },
        {
            // Listing only below the prefix: a listing request without a prefix inside it is refused.
            Sid: "ListProofPrefix",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: arn.s3Bucket(ctx, bucketName),
            Condition: { StringLike: { "s3:prefix": [`${proofPrefix}*`] } },
        },
    );
}
