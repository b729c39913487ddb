import * as assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "../../prover/runner/s3Client";

/** Sets process environment variables for the duration of `action` (the SDK reads them at send time). */
async function withEnv<T>(vars: Record<string, string>, action: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
    Object.assign(process.env, vars);
    try {
        return await action();
    } finally {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    }
}

/**
 * Where the client would send a PutObject, given the endpoint `http://localhost:9` from the
 * environment. Nothing is sent: a build-step middleware stops the request once it is built. A host
 * name, unlike an IP, gets bucket sub-domains unless path style is forced.
 */
async function requestTarget(forcePathStyle: boolean | undefined, env: Record<string, string> = {}): Promise<string> {
    const chain = {
        AWS_ENDPOINT_URL_S3: "http://localhost:9",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
    };
    return withEnv({ ...chain, ...env }, async () => {
        const client = createS3Client({ forcePathStyle });
        let target = "";
        client.middlewareStack.add(
            () => async (args) => {
                const request = args.request as { hostname: string; path: string };
                target = `${request.hostname}${request.path}`;
                throw new Error("request stopped by the test");
            },
            { step: "build" },
        );
        try {
            await assert.rejects(
                client.send(new PutObjectCommand({ Bucket: "proofs", Key: "a/b.json", Body: "{}" })),
                /request stopped by the test/,
            );
        } finally {
            client.destroy();
        }
        return target;
    });
}

describe("prover runner: S3 client from the environment", () => {
    it("takes the endpoint from AWS_ENDPOINT_URL_S3 and forces path style when configured", async () => {
        assert.strictEqual(await requestTarget(true), "localhost/proofs/a/b.json");
    });

    it("needs the runner to pass path style on: the SDK ignores AWS_S3_FORCE_PATH_STYLE", async () => {
        const target = await requestTarget(undefined, { AWS_S3_FORCE_PATH_STYLE: "true" });
        assert.strictEqual(target, "proofs.localhost/a/b.json");
    });
});
