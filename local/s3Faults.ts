/**
 * Fault injection for S3 clients: PutObject calls that S3 refuses, raised in the initialize step,
 * before the SDK's own retry middleware, so each `send` is exactly one attempt of the caller's retry
 * loop. The errors carry what the SDK gives a service answer (`name`, `$fault`, the HTTP status):
 * - `SlowDown`: S3's throttling answer, 503;
 * - `AccessDenied`: 403, what a bucket policy's Deny or a missing IAM grant answers.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import type { PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import type { PolicyDocument } from "../builders/policies/document";

export type S3Refusal = "SlowDown" | "AccessDenied";

const REFUSALS: Record<S3Refusal, { message: string; status: number; fault: "client" | "server" }> = {
    SlowDown: { message: "Please reduce your request rate.", status: 503, fault: "server" },
    AccessDenied: { message: "Access Denied", status: 403, fault: "client" },
};

/** PutObject calls for which `refusal` names an answer fail with it. */
export function refusePutObjects(client: S3Client, refusal: (input: PutObjectCommandInput) => S3Refusal | undefined, name = "refusePutObjects"): S3Client {
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const answer = context.commandName === "PutObjectCommand" ? refusal(args.input as PutObjectCommandInput) : undefined;
            if (answer !== undefined) {
                const r = REFUSALS[answer];
                throw Object.assign(new Error(r.message), { name: answer, $fault: r.fault, $metadata: { httpStatusCode: r.status, requestId: "local" } });
            }
            return next(args);
        },
        { step: "initialize", name },
    );
    return client;
}

/** PutObject calls for which `shouldFail` answers true fail with S3's throttling answer (503 SlowDown). */
export function failPutObjects(client: S3Client, shouldFail: (input: PutObjectCommandInput) => boolean): S3Client {
    return refusePutObjects(client, (input) => (shouldFail(input) ? "SlowDown" : undefined), "failPutObjects");
}

/**
 * What s3rver does not do: the bucket policy's Deny of a PutObject whose `x-amz-server-side-encryption`
 * differs from the required value (policies/proverPipeline.ts proofBucketPolicy, `StringNotEquals`,
 * true when the header is absent too), answered 403 AccessDenied as S3 does. Only statements of that
 * shape are evaluated; the TLS-only Deny is not (the local server speaks HTTP on 127.0.0.1).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html (requiring SSE-S3 with a bucket policy)
 */
export function encryptionPolicyRefusal(policy: PolicyDocument): (input: PutObjectCommandInput) => "AccessDenied" | undefined {
    const required = policy.Statement.filter((s) => s.Effect === "Deny" && [s.Action].flat().includes("s3:PutObject"))
        .map((s) => (s.Condition as { StringNotEquals?: Record<string, string> } | undefined)?.StringNotEquals?.["s3:x-amz-server-side-encryption"])
        .filter((value): value is string => value !== undefined);
    return (input) => (required.some((value) => input.ServerSideEncryption !== value) ? "AccessDenied" : undefined);
}
