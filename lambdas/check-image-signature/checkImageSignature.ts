import { DescribeImageSigningStatusCommand, ECRClient } from "@aws-sdk/client-ecr";
import type { CheckImageSignatureInput, CheckImageSignatureResult } from "../shared/contracts";
import { InvalidInput, checkString, isPlainObject } from "../shared/validation";

/** Reported when ECR has no signing status for the image (no signing configuration matched it). */
export const MISSING_SIGNING_STATUS = "MISSING";

// ECR signing status is per digest, so only a full sha256 digest identifies what will run.
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html
const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function parseCheckImageSignatureInput(event: unknown): CheckImageSignatureInput {
    if (!isPlainObject(event)) {
        throw new InvalidInput("check-image-signature input", ["input must be an object {repositoryName, imageDigest}"]);
    }
    const problems: string[] = [];
    const repositoryName = checkString(event, "repositoryName", problems, REPOSITORY_NAME_PATTERN, "an ECR repository name");
    const imageDigest = checkString(event, "imageDigest", problems, DIGEST_PATTERN, "a digest of the form sha256:<64 lower-case hex>");
    if (problems.length > 0) {
        throw new InvalidInput("check-image-signature input", problems);
    }
    return { repositoryName, imageDigest };
}

export interface CheckImageSignatureDeps {
    ecr: ECRClient;
}

export function createCheckImageSignatureHandler(deps: CheckImageSignatureDeps) {
    return async (event: unknown): Promise<CheckImageSignatureResult> => {
        const { repositoryName, imageDigest } = parseCheckImageSignatureInput(event);
        const response = await deps.ecr.send(
            new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageDigest } }),
        );
        const signingStatuses = response.signingStatuses ?? [];
        return { status: signingStatuses[0]?.status ?? MISSING_SIGNING_STATUS, signingStatuses };
    };
}
