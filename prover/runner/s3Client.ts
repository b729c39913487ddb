import { S3Client } from "@aws-sdk/client-s3";

/** The one method the runner uses, so tests can pass a real client pointed at s3rver or a wrapper. */
export type S3Sender = Pick<S3Client, "send">;

/**
 * An S3 client on the default credential and region chain (in ECS: the task role and AWS_REGION).
 *
 * The installed SDK (3.1169) takes the endpoint from `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` by
 * itself, but it has no environment variable for path-style addressing: `forcePathStyle` is only a
 * constructor option. The runner therefore reads `AWS_S3_FORCE_PATH_STYLE` itself and passes it on,
 * so a local S3 server on a host name (not an IP) is reachable without bucket sub-domains.
 */
export function createS3Client(options: { forcePathStyle: boolean | undefined }): S3Client {
    return new S3Client(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle });
}

/** HTTP status of a failed SDK call, if the service answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
    return typeof status === "number" ? status : undefined;
}

export function errorNameOf(error: unknown): string | undefined {
    const name = (error as { name?: unknown } | null)?.name;
    return typeof name === "string" ? name : undefined;
}

export function s3Url(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
}
