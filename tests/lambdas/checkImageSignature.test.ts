/**
 * The image gate Lambda against ECR's documented answers:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageSigningStatus.html (IN_PROGRESS | COMPLETE | FAILED)
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanFindings.html (findingSeverityCounts)
 */
import * as assert from "node:assert/strict";
import {
    DescribeImageScanFindingsCommand,
    type DescribeImageScanFindingsCommandOutput,
    DescribeImageSigningStatusCommand,
    ECRClient,
    type ImageSigningStatus,
    ScanNotFoundException,
} from "@aws-sdk/client-ecr";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { createCheckImageSignatureHandler } from "../../lambdas/check-image-signature/checkImageSignature";
import { MAX_CHECKS, decideImageGate, formatCounts, signingSummary } from "../../lambdas/check-image-signature/imageGate";
import { handler } from "../../lambdas/check-image-signature/index";
import { IMAGE_GATE } from "../../lambdas/shared/contracts";
import { InvalidInput } from "../../lambdas/shared/validation";
import { captureStdout, withEnv } from "./support/env";

const DIGEST = `sha256:${"ab12".repeat(16)}`;
const REPOSITORY = "stark-ballot-simulator-prover-develop";
const REGISTRY = "123456789012";
const IMAGE = `${REGISTRY}.dkr.ecr.ap-northeast-1.amazonaws.com/${REPOSITORY}@${DIGEST}`;
const INPUT = { registryId: REGISTRY, repositoryName: REPOSITORY, imageDigest: DIGEST, allowHighScanFindings: false };
const PROFILE_A = "arn:aws:signer:ap-northeast-1:123456789012:/signing-profiles/prover_a";
const PROFILE_B = "arn:aws:signer:ap-northeast-1:123456789012:/signing-profiles/prover_b";
const complete = (signingProfileArn = PROFILE_A): ImageSigningStatus => ({ signingProfileArn, status: "COMPLETE" });
const scanned = (counts: Record<string, number> = {}, status = "COMPLETE") =>
    ({ imageScanStatus: { status, description: "d" }, imageScanFindings: { findingSeverityCounts: counts } }) as Partial<DescribeImageScanFindingsCommandOutput>;

describe("image gate decision (pure)", () => {
    const facts = (over: Partial<Parameters<typeof decideImageGate>[0]> = {}) => ({
        image: "img",
        signingStatuses: [complete()],
        scan: { status: "COMPLETE", findingSeverityCounts: {} },
        allowHighScanFindings: false,
        checks: 1,
        ...over,
    });

    it("the bound is 1 + 20 checks, 15 s apart: 5 minutes of rechecks", () => {
        assert.equal(MAX_CHECKS, 21);
        assert.equal(IMAGE_GATE.maxRechecks * IMAGE_GATE.recheckIntervalSeconds, 300);
    });

    const summaries: [string, ImageSigningStatus[], string][] = [
        ["no entry", [], "MISSING"],
        ["one COMPLETE", [complete()], "COMPLETE"],
        ["every entry COMPLETE", [complete(), complete(PROFILE_B)], "COMPLETE"],
        ["COMPLETE and IN_PROGRESS", [complete(), { signingProfileArn: PROFILE_B, status: "IN_PROGRESS" }], "IN_PROGRESS"],
        ["COMPLETE first, FAILED second (the old check read only the first)", [complete(), { signingProfileArn: PROFILE_B, status: "FAILED" }], "FAILED"],
        ["IN_PROGRESS and FAILED", [{ status: "IN_PROGRESS" }, { status: "FAILED" }], "FAILED"],
        ["an entry without status", [complete(), {}], "FAILED"],
        ["an unknown status", [{ status: "NOT_INITIATED" as never }], "FAILED"],
    ];
    for (const [label, entries, expected] of summaries) {
        it(`signing summary: ${label} → ${expected}`, () => assert.equal(signingSummary(entries), expected));
    }

    const cases: [string, Partial<Parameters<typeof decideImageGate>[0]>, { verdict: string; status: string; error?: { Error: string; Cause: string } }][] = [
        ["signed, scanned, clean", {}, { verdict: "ALLOW", status: "COMPLETE" }],
        ["enhanced scanning (ACTIVE) with LOW and MEDIUM", { scan: { status: "ACTIVE", findingSeverityCounts: { LOW: 3, MEDIUM: 1 } } }, { verdict: "ALLOW", status: "COMPLETE" }],
        ["HIGH allowed by config", { allowHighScanFindings: true, scan: { status: "COMPLETE", findingSeverityCounts: { HIGH: 2 } } }, { verdict: "ALLOW", status: "COMPLETE" }],
        [
            "no signing status",
            { signingStatuses: [] },
            {
                verdict: "DENY",
                status: "MISSING",
                error: {
                    Error: "ImageSignatureVerificationFailed",
                    Cause: "Prover image img: ECR reports no signing status: no signing rule of the registry matched the repository when the image was pushed (deploy the bootstrap stack, then push again)",
                },
            },
        ],
        [
            "one of two signatures FAILED",
            { signingStatuses: [complete(), { signingProfileArn: PROFILE_B, status: "FAILED", failureCode: "AccessDenied", failureReason: "no SignPayload" }] },
            {
                verdict: "DENY",
                status: "FAILED",
                error: { Error: "ImageSignatureVerificationFailed", Cause: `Prover image img: signing status FAILED for 1 of 2 signing profile(s): ${PROFILE_B}: FAILED AccessDenied (no SignPayload)` },
            },
        ],
        [
            "a CRITICAL finding, even with HIGH allowed",
            { allowHighScanFindings: true, scan: { status: "COMPLETE", findingSeverityCounts: { CRITICAL: 1, HIGH: 4, LOW: 7 } } },
            { verdict: "DENY", status: "COMPLETE", error: { Error: "ImageScanFindingsRefused", Cause: "Prover image img: scan findings CRITICAL=1, HIGH=4, LOW=7; CRITICAL findings always refuse the image" } },
        ],
        [
            "a HIGH finding by default",
            { scan: { status: "COMPLETE", findingSeverityCounts: { HIGH: 2, MEDIUM: 5 } } },
            { verdict: "DENY", status: "COMPLETE", error: { Error: "ImageScanFindingsRefused", Cause: "Prover image img: scan findings CRITICAL=0, HIGH=2, MEDIUM=5; HIGH findings refuse the image unless allowHighScanFindings is true" } },
        ],
        [
            "no scan at all",
            { scan: { status: "MISSING", findingSeverityCounts: {} } },
            { verdict: "DENY", status: "COMPLETE", error: { Error: "ImageScanIncomplete", Cause: "Prover image img: ECR has no scan of this digest (scan on push did not run); only a scanned image may run" } },
        ],
        [
            "an unsupported image",
            { scan: { status: "UNSUPPORTED_IMAGE", description: "The operating system is not supported", findingSeverityCounts: {} } },
            { verdict: "DENY", status: "COMPLETE", error: { Error: "ImageScanIncomplete", Cause: "Prover image img: scan status UNSUPPORTED_IMAGE (The operating system is not supported); only a scanned image may run" } },
        ],
        ["signing IN_PROGRESS within the bound", { signingStatuses: [{ status: "IN_PROGRESS" }], checks: 20 }, { verdict: "PENDING", status: "IN_PROGRESS" }],
        ["scan PENDING within the bound", { scan: { status: "PENDING", findingSeverityCounts: {} }, checks: 1 }, { verdict: "PENDING", status: "COMPLETE" }],
        [
            "signing still IN_PROGRESS at the bound",
            { signingStatuses: [{ status: "IN_PROGRESS" }], scan: { status: "IN_PROGRESS", findingSeverityCounts: {} }, checks: 21 },
            { verdict: "DENY", status: "IN_PROGRESS", error: { Error: "ImageSignatureVerificationFailed", Cause: "Prover image img: signing status still IN_PROGRESS after 21 checks over 300 s; scan status IN_PROGRESS" } },
        ],
        [
            "scan still IN_PROGRESS at the bound",
            { scan: { status: "IN_PROGRESS", findingSeverityCounts: {} }, checks: 21 },
            { verdict: "DENY", status: "COMPLETE", error: { Error: "ImageScanIncomplete", Cause: "Prover image img: scan status still IN_PROGRESS after 21 checks over 300 s" } },
        ],
        [
            "a signature FAILED while the scan still runs: refused at once",
            { signingStatuses: [{ signingProfileArn: PROFILE_A, status: "FAILED" }], scan: { status: "IN_PROGRESS", findingSeverityCounts: {} } },
            { verdict: "DENY", status: "FAILED", error: { Error: "ImageSignatureVerificationFailed", Cause: `Prover image img: signing status FAILED for 1 of 1 signing profile(s): ${PROFILE_A}: FAILED` } },
        ],
        [
            "CRITICAL findings while signing still runs: refused at once",
            { signingStatuses: [{ status: "IN_PROGRESS" }], scan: { status: "COMPLETE", findingSeverityCounts: { CRITICAL: 2 } } },
            { verdict: "DENY", status: "IN_PROGRESS", error: { Error: "ImageScanFindingsRefused", Cause: "Prover image img: scan findings CRITICAL=2, HIGH=0; CRITICAL findings always refuse the image" } },
        ],
    ];
    for (const [label, over, expected] of cases) {
        it(`${label} → ${expected.verdict}${expected.error ? ` ${expected.error.Error}` : ""}`, () => {
            assert.deepEqual(decideImageGate(facts(over)), expected);
        });
    }

    it("formats counts CRITICAL and HIGH always, the rest when present, most severe first", () => {
        assert.equal(formatCounts({ LOW: 1, INFORMATIONAL: 9, CRITICAL: 3 }), "CRITICAL=3, HIGH=0, LOW=1, INFORMATIONAL=9");
    });
});

describe("check-image-signature", () => {
    let ecrMock: AwsClientStub<ECRClient>;
    const check = createCheckImageSignatureHandler({ ecr: new ECRClient({ region: "ap-northeast-1" }) });

    before(() => {
        // Installed per suite (mockClient stubs the class prototype, shared by every test file).
        ecrMock = mockClient(ECRClient);
    });
    beforeEach(() => ecrMock.reset());
    after(() => ecrMock.restore());

    it("asks the named registry about exactly that digest, signature and scan, and allows a signed, clean image", async () => {
        const statuses = [complete(), complete(PROFILE_B)];
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: statuses });
        ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned({ LOW: 2 }));

        const result = await check(INPUT);

        assert.deepEqual(result, { verdict: "ALLOW", checks: 1, status: "COMPLETE", signingStatuses: statuses, scan: { status: "COMPLETE", findingSeverityCounts: { LOW: 2 } } });
        const imageId = { imageDigest: DIGEST };
        assert.deepEqual(ecrMock.commandCalls(DescribeImageSigningStatusCommand).map((c) => c.args[0].input), [{ registryId: REGISTRY, repositoryName: REPOSITORY, imageId }]);
        assert.deepEqual(ecrMock.commandCalls(DescribeImageScanFindingsCommand).map((c) => c.args[0].input), [{ registryId: REGISTRY, repositoryName: REPOSITORY, imageId, maxResults: 1 }]);
        assert.equal(ecrMock.calls().length, 2);
    });

    it("every entry must be COMPLETE: COMPLETE then FAILED is refused (the old check let the first decide)", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [complete(), { signingProfileArn: PROFILE_B, status: "FAILED", failureCode: "X" }] });
        ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned());
        const result = await check(INPUT);
        assert.equal(result.verdict, "DENY");
        assert.deepEqual(result.error, { Error: "ImageSignatureVerificationFailed", Cause: `Prover image ${IMAGE}: signing status FAILED for 1 of 2 signing profile(s): ${PROFILE_B}: FAILED X` });
    });

    const empty: [string, { signingStatuses?: ImageSigningStatus[] }][] = [["an empty list", { signingStatuses: [] }], ["no list at all", {}]];
    for (const [label, response] of empty) {
        it(`refuses MISSING when ECR returns ${label}`, async () => {
            ecrMock.on(DescribeImageSigningStatusCommand).resolves(response);
            ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned());
            const result = await check(INPUT);
            assert.deepEqual([result.verdict, result.status, result.signingStatuses, result.error?.Error], ["DENY", "MISSING", [], "ImageSignatureVerificationFailed"]);
        });
    }

    it("counts checks from previousChecks and refuses a still IN_PROGRESS signature at the bound", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [{ signingProfileArn: PROFILE_A, status: "IN_PROGRESS" }] });
        ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned());
        assert.deepEqual(await check({ ...INPUT, previousChecks: 19 }), {
            verdict: "PENDING",
            checks: 20,
            status: "IN_PROGRESS",
            signingStatuses: [{ signingProfileArn: PROFILE_A, status: "IN_PROGRESS" }],
            scan: { status: "COMPLETE", findingSeverityCounts: {} },
        });
        const last = await check({ ...INPUT, previousChecks: 20 });
        assert.deepEqual([last.verdict, last.checks, last.error], [
            "DENY",
            21,
            { Error: "ImageSignatureVerificationFailed", Cause: `Prover image ${IMAGE}: signing status still IN_PROGRESS after 21 checks over 300 s` },
        ]);
    });

    it("names the scan counts when refusing HIGH findings, and lets them through when allowed", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [complete()] });
        ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned({ HIGH: 3, MEDIUM: 1 }));
        const refused = await check(INPUT);
        assert.deepEqual(refused.error, {
            Error: "ImageScanFindingsRefused",
            Cause: `Prover image ${IMAGE}: scan findings CRITICAL=0, HIGH=3, MEDIUM=1; HIGH findings refuse the image unless allowHighScanFindings is true`,
        });
        assert.deepEqual(refused.scan, { status: "COMPLETE", findingSeverityCounts: { HIGH: 3, MEDIUM: 1 } });
        assert.equal((await check({ ...INPUT, allowHighScanFindings: true })).verdict, "ALLOW");
    });

    it("a digest never scanned (ScanNotFoundException) is refused as ImageScanIncomplete, not thrown", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [complete()] });
        ecrMock.on(DescribeImageScanFindingsCommand).rejects(new ScanNotFoundException({ message: "Image scan does not exist", $metadata: {} }));
        const result = await check(INPUT);
        assert.deepEqual([result.verdict, result.scan, result.error?.Error], ["DENY", { status: "MISSING", findingSeverityCounts: {} }, "ImageScanIncomplete"]);
    });

    const rejections: [string, unknown, string][] = [
        ["a missing registry id", { ...INPUT, registryId: undefined }, "registryId must be a non-empty string"],
        ["a registry id that is not an account", { ...INPUT, registryId: "12345" }, "registryId must be a 12-digit account id (the registry that holds the image)"],
        ["an invalid repository name", { ...INPUT, repositoryName: "Bad Name" }, "repositoryName must be an ECR repository name"],
        ["a tag instead of a digest", { ...INPUT, imageDigest: "latest" }, "imageDigest must be a digest of the form sha256:<64 lower-case hex>"],
        ["a truncated digest", { ...INPUT, imageDigest: "sha256:abc" }, "imageDigest must be a digest of the form sha256:<64 lower-case hex>"],
        ["a string HIGH rule", { ...INPUT, allowHighScanFindings: "false" }, "allowHighScanFindings must be a boolean"],
        ["previousChecks at the bound", { ...INPUT, previousChecks: 21 }, "previousChecks must be an integer from 1 to 20 when present"],
        ["previousChecks zero", { ...INPUT, previousChecks: 0 }, "previousChecks must be an integer from 1 to 20 when present"],
        ["a non-object input", "sha256:abc", "input must be an object {registryId, repositoryName, imageDigest, allowHighScanFindings, previousChecks?}"],
    ];
    for (const [label, input, problem] of rejections) {
        it(`rejects ${label} with InvalidInput before calling ECR`, async () => {
            await assert.rejects(
                check(input),
                (error: unknown) => error instanceof InvalidInput && error.name === "InvalidInput" && error.message === `invalid check-image-signature input: ${problem}`,
            );
            assert.equal(ecrMock.calls().length, 0);
        });
    }

    it("lets ECR errors through so the state machine's Retry/Catch sees them", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).rejects(Object.assign(new Error("nope"), { name: "RepositoryNotFoundException" }));
        await assert.rejects(check(INPUT), { name: "RepositoryNotFoundException" });
        ecrMock.reset();
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [complete()] });
        ecrMock.on(DescribeImageScanFindingsCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
        await assert.rejects(check(INPUT), { name: "AccessDeniedException" });
    });

    it("the deployed handler uses the default client chain (its region names the image) and logs failures as ERROR lines", async () => {
        ecrMock.on(DescribeImageSigningStatusCommand).resolves({ signingStatuses: [{ status: "IN_PROGRESS" }] });
        ecrMock.on(DescribeImageScanFindingsCommand).resolves(scanned());
        await withEnv({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" }, async () => {
            assert.deepEqual(await handler(INPUT), {
                verdict: "PENDING",
                checks: 1,
                status: "IN_PROGRESS",
                signingStatuses: [{ status: "IN_PROGRESS" }],
                scan: { status: "COMPLETE", findingSeverityCounts: {} },
            });
            const { error, lines } = await captureStdout(() => handler({ ...INPUT, imageDigest: undefined }));
            assert.equal((error as Error).name, "InvalidInput");
            assert.equal(lines.length, 1);
            const entry = JSON.parse(lines[0]);
            assert.equal(entry.level, "ERROR");
            assert.equal(entry.errorName, "InvalidInput");
            assert.equal(entry.errorMessage, "invalid check-image-signature input: imageDigest must be a non-empty string");
        });
    });
});
