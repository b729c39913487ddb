/**
 * Fault injection for S3 clients: PutObject calls for which `shouldFail` answers true fail with S3's
 * throttling answer (503 SlowDown). The failure is raised in the initialize step, before the SDK's
 * own retry middleware, so each `send` is exactly one attempt of the caller's retry loop.
 */
import type { PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";

export function failPutObjects(client: S3Client, shouldFail: (input: PutObjectCommandInput) => boolean): S3Client {
    client.middlewareStack.add(
        (next, context) => async (args) => {
            if (context.commandName === "PutObjectCommand" && shouldFail(args.input as PutObjectCommandInput)) {
                throw Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
            }
            return next(args);
        },
        { step: "initialize", name: "failPutObjects" },
    );
    return client;
}
