import * as assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createBundleLinkSigner } from "../../lambdas/api/bundleLinks";
import { LocalS3, startLocalS3 } from "../../local/servers";

describe("api: bundle download links", () => {
    let s3: LocalS3;
    before(async () => {
        s3 = await startLocalS3(["proofs-links"]);
    });
    after(() => s3.stop());

    it("presigns a GET that downloads the bundle bytes from S3, with no credentials of its own", async () => {
        const body = Buffer.from("PK\u0003\u0004 bundle bytes");
        await s3.client.send(new PutObjectCommand({ Bucket: "proofs-links", Key: "sessions/s1/e1/bundle.zip", Body: body }));
        const link = await createBundleLinkSigner(s3.client, "proofs-links", 120)("sessions/s1/e1/bundle.zip");
        assert.equal(link.expiresInSeconds, 120);
        const response = await fetch(link.url);
        assert.equal(response.status, 200);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), body);
    });
});
