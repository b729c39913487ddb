import * as assert from "node:assert/strict";
import { DescribeImageSigningStatusCommand, ECRClient, type ImageSigningStatus } from "@aws-sdk/client-ecr";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { createCheckImageSignatureHandler } from "../../lambdas/check-image-signature/checkImageSignature";
import { handler } from "../../lambdas/check-image-signature/index";
import { InvalidInput } from "../../lambdas/shared/validation";
import { captureStdout, withEnv } from "./support/env";

const DIGEST = `sha256:${"ab12".repeat(16)}`;
const REPOSITORY = "stark-ballot-simulator-prover-develop";

describe("check-image-signature", () => {
    let ecrMock: AwsClientStub<ECRClient>;
    const check = createCheckImageSignatureHandler({ ecr: new ECRClient({ region: "us-east-1" }) });

    before(() => {
        // Installed per suite (mockClient stubs the class prototype, shared by every test file).
        ecrMock = mockClient(ECRClient);
    });
    beforeEach(() => ecrMock.reset());
    after(() => ecrMock.restore());

    it("asks ECR for the signing status of exactly that digest and reports the first status", async () => {
        const statuses: ImageSigningStatus[] = [
            { signingProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/a", status: "COMPLETE" },
            { signingProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/b", status: "FAILED", failureCode: "X" },
        ];
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: statuses });

        const result = await check({ repositoryName: REPOSITORY, imageDigest: DIGEST });

        assert.deepEqual(result, { status: "COMPLETE", signingStatuses: statuses });
        const calls = ecrMock.commandCalls(DescribeImageSigningStatusCommand);
        assert.equal(calls.length, 1);
        assert.deepEqual(calls[0].args[0].input, { repositoryName: REPOSITORY, imageId: { imageDigest: DIGEST } });
        assert.equal(ecrMock.calls().length, 1);
    });

    const emptyResponses: [string, { signingStatuses?: ImageSigningStatus[] }][] = [
        ["an empty list", { signingStatuses: [] }],
        ["no list at all", {}],
    ];
    for (const [label, response] of emptyResponses) {
        it(`reports MISSING when ECR returns ${label}`, async () => {
            ecrMock.on(DescribeImageSigningStatusCommand).resolves(response);
            assert.deepEqual(await check({ repositoryName: REPOSITORY, imageDigest: DIGEST }), {
                status: "MISSING",
                signingStatuses: [],
            });
        });
    }

    const rejections: [string, unknown, string][] = [
        ["a missing repository name", { imageDigest: DIGEST }, "repositoryName must be a non-empty string"],
        ["an empty repository name", { repositoryName: "", imageDigest: DIGEST }, "repositoryName must be a non-empty string"],
        ["an invalid repository name", { repositoryName: "Bad Name", imageDigest: DIGEST }, "repositoryName must be an ECR repository name"],
        ["a tag instead of a digest", { repositoryName: REPOSITORY, imageDigest: "latest" }, "imageDigest must be a digest of the form sha256:<64 lower-case hex>"],
        ["a sha512 digest", { repositoryName: REPOSITORY, imageDigest: `sha512:${"a".repeat(128)}` }, "imageDigest must be a digest of the form sha256:<64 lower-case hex>"],
        ["a truncated digest", { repositoryName: REPOSITORY, imageDigest: "sha256:abc" }, "imageDigest must be a digest of the form sha256:<64 lower-case hex>"],
        ["a missing digest", { repositoryName: REPOSITORY }, "imageDigest must be a non-empty string"],
        ["a non-object input", "sha256:abc", "input must be an object {repositoryName, imageDigest}"],
    ];
    for (const [label, input, problem] of rejections) {
        it(`rejects ${label} with InvalidInput before calling ECR`, async () => {
            await assert.rejects(
                check(input),
                (error: unknown) =>
                    error instanceof InvalidInput &&
                    error.name === "InvalidInput" &&
                    error.message === `invalid check-image-signature input: ${problem}`,
            );
            assert.equal(ecrMock.calls().length, 0);
        });
    }

    it("lets ECR errors through so the state machine's Retry/Catch sees them", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).rejects(Object.assign(new Error("nope"), { name: "RepositoryNotFoundException" }));
        await assert.rejects(check({ repositoryName: REPOSITORY, imageDigest: DIGEST }), { name: "RepositoryNotFoundException" });
    });

    it("the deployed handler uses the default client chain and logs failures as ERROR lines", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [{ status: "IN_PROGRESS" }] });
        await withEnv({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" }, async () => {
            assert.deepEqual(await handler({ repositoryName: REPOSITORY, imageDigest: DIGEST }), {
                status: "IN_PROGRESS",
                signingStatuses: [{ status: "IN_PROGRESS" }],
            });
            const { error, lines } = await captureStdout(() => handler({ repositoryName: REPOSITORY }));
            assert.equal((error as Error).name, "InvalidInput");
            assert.equal(lines.length, 1);
            const entry = JSON.parse(lines[0]);
            assert.equal(entry.level, "ERROR");
            assert.equal(entry.errorName, "InvalidInput");
            assert.equal(entry.errorMessage, "invalid check-image-signature input: imageDigest must be a non-empty string");
        });
    });
});
