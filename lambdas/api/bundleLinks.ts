/**
 * Short-lived download links for proof bundles. The api hands out a presigned GET so the browser
 * downloads the bundle straight from S3 (with Range requests, under the bucket's CORS rule) and the
 * bucket stays private. The api's role may read objects under the proof prefix only.
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** Long enough to start a large download, short enough that a leaked link soon stops working. */
export const BUNDLE_LINK_TTL_SECONDS = 300;

export type BundleLinkSigner = (key: string) => Promise<{ url: string; expiresInSeconds: number }>;

export function createBundleLinkSigner(s3: S3Client, bucket: string, ttlSeconds = BUNDLE_LINK_TTL_SECONDS): BundleLinkSigner {
    return async (key) => ({
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds }),
        expiresInSeconds: ttlSeconds,
    });
}
