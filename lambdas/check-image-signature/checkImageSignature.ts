import { DescribeImageScanFindingsCommand, DescribeImageSigningStatusCommand, ECRClient } from "@aws-sdk/client-ecr";
import type { CheckImageSignatureInput, CheckImageSignatureResult } from "../shared/contracts";
import { ECR_REPOSITORY_NAME, SHA256_DIGEST, SHA256_DIGEST_RULE } from "../shared/rules";
import { InvalidInput, checkString, isPlainObject } from "../shared/validation";
import { MAX_CHECKS, MISSING_SCAN, type ScanReport, decideImageGate } from "./imageGate";

export { MISSING_SIGNING_STATUS } from "./imageGate";

// ECR signing status is per digest, so only a full sha256 digest identifies what will run.
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html
const REGISTRY_ID_PATTERN = /^[0-9]{12}$/;
const SHAPE = "{registryId, repositoryName, imageDigest, allowHighScanFindings, previousChecks?}";

export function parseCheckImageSignatureInput(event: unknown): CheckImageSignatureInput {
    if (!isPlainObject(event)) {
        throw new InvalidInput("check-image-signature input", [`input must be an object ${SHAPE}`]);
    }
    const problems: string[] = [];
    const registryId = checkString(event, "registryId", problems, REGISTRY_ID_PATTERN, "a 12-digit account id (the registry that holds the image)");
    const repositoryName = checkString(event, "repositoryName", problems, ECR_REPOSITORY_NAME, "an ECR repository name");
    const imageDigest = checkString(event, "imageDigest", problems, SHA256_DIGEST, `a digest of the form ${SHA256_DIGEST_RULE}`);
    if (typeof event.allowHighScanFindings !== "boolean") {
        problems.push("allowHighScanFindings must be a boolean");
    }
    const previous = event.previousChecks;
    // Beyond MAX_CHECKS the state machine must have stopped looping: a larger count is a wiring bug.
    if (previous !== undefined && (!Number.isInteger(previous) || (previous as number) < 1 || (previous as number) >= MAX_CHECKS)) {
        problems.push(`previousChecks must be an integer from 1 to ${MAX_CHECKS - 1} when present`);
    }
    if (problems.length > 0) {
        throw new InvalidInput("check-image-signature input", problems);
    }
    return {
        registryId,
        repositoryName,
        imageDigest,
        allowHighScanFindings: event.allowHighScanFindings as boolean,
        ...(previous === undefined ? {} : { previousChecks: previous as number }),
    };
}

export interface CheckImageSignatureDeps {
    /** A client in the image's region (the Lambda's own: config validation rejects an image of another region). */
    ecr: ECRClient;
}

/**
 * One check of the image gate: the digest's signing statuses and its scan, asked of the registry that
 * holds the image (`registryId`, explicitly, not "the caller's default registry"), decided by
 * `decideImageGate`. ECR errors (throttling, access denied, an unknown repository or digest) are
 * thrown, so the state machine's Retry and Catch see their real names.
 */
export function createCheckImageSignatureHandler(deps: CheckImageSignatureDeps) {
    return async (event: unknown): Promise<CheckImageSignatureResult> => {
        const input = parseCheckImageSignatureInput(event);
        const { registryId, repositoryName, imageDigest } = input;
        const imageId = { imageDigest };
        const signing = await deps.ecr.send(new DescribeImageSigningStatusCommand({ registryId, repositoryName, imageId }));
        const scan = await describeScan(deps.ecr, { registryId, repositoryName, imageId });
        const signingStatuses = signing.signingStatuses ?? [];
        const region = await deps.ecr.config.region();
        const checks = (input.previousChecks ?? 0) + 1;
        const decision = decideImageGate({
            image: `${registryId}.dkr.ecr.${region}.amazonaws.com/${repositoryName}@${imageDigest}`,
            signingStatuses,
            scan,
            allowHighScanFindings: input.allowHighScanFindings,
            checks,
        });
        return {
            verdict: decision.verdict,
            checks,
            status: decision.status,
            signingStatuses,
            scan: { status: scan.status, findingSeverityCounts: scan.findingSeverityCounts },
            ...(decision.error ? { error: decision.error } : {}),
        };
    };
}

/**
 * The scan summary only: `maxResults: 1` keeps the response small, and `findingSeverityCounts` covers
 * every finding whatever the page size.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html
 */
async function describeScan(ecr: ECRClient, request: { registryId: string; repositoryName: string; imageId: { imageDigest: string } }): Promise<ScanReport> {
    try {
        const response = await ecr.send(new DescribeImageScanFindingsCommand({ ...request, maxResults: 1 }));
        const counts = response.imageScanFindings?.findingSeverityCounts ?? {};
        return {
            status: response.imageScanStatus?.status ?? MISSING_SCAN,
            ...(response.imageScanStatus?.description ? { description: response.imageScanStatus.description } : {}),
            findingSeverityCounts: Object.fromEntries(Object.entries(counts).filter((e): e is [string, number] => typeof e[1] === "number")),
        };
    } catch (error) {
        // A digest never scanned: a fact about the image, decided (refused) by the gate, not a failure of the check.
        if ((error as Error).name === "ScanNotFoundException") {
            return { status: MISSING_SCAN, findingSeverityCounts: {} };
        }
        throw error;
    }
}
