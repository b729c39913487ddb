/**
 * ECR for the local pipeline: an SDK client whose answers model the registry the stack deploys into,
 * for the one repository and digest the task definition pins. It answers the two calls of the image
 * gate the way ECR does (shapes and values from the API reference):
 * - `DescribeImageSigningStatus`: no signing rule matched the repository → an empty `signingStatuses`;
 *   with a rule, `IN_PROGRESS` for a while, then `COMPLETE` (or `FAILED` with a failure code/reason).
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html
 * - `DescribeImageScanFindings`: `ScanNotFoundException` for a digest never scanned; else the scan
 *   status (`IN_PROGRESS` for a while, then `COMPLETE` or a failure status) and `findingSeverityCounts`.
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html
 * Any other registry, repository or digest fails as ECR fails. "A while" is counted in calls, not
 * seconds: the local state machine shortens the gate's waits, and one call per check is what ECR sees.
 */
import {
    DescribeImageScanFindingsCommand,
    DescribeImageSigningStatusCommand,
    ECRClient,
    type FindingSeverity,
    ImageNotFoundException,
    RepositoryNotFoundException,
    ScanNotFoundException,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import type { PipelineWiring } from "./stackWiring";

/** The registry as the local pipeline models it. Each default is a signed, scanned, clean image. */
export interface LocalRegistryModel {
    /** A signing rule of the registry matches the repository (the bootstrap stack is deployed). Default true. */
    signingRule: boolean;
    /** Signing-status calls answered IN_PROGRESS before signing ends. Default 0 (signed before the first proof). */
    signingInProgressChecks: number;
    /** How signing ends. Default COMPLETE. */
    signingOutcome: "COMPLETE" | "FAILED";
    /** Scan on push ran for the digest; false answers ScanNotFoundException. Default true. */
    scanned: boolean;
    /** Scan calls answered IN_PROGRESS before the scan ends. Default 0. */
    scanInProgressChecks: number;
    /** How the scan ends. Default COMPLETE. */
    scanOutcome: "COMPLETE" | "FAILED" | "UNSUPPORTED_IMAGE";
    /** The scan's counts. Default none. */
    findingSeverityCounts: Partial<Record<FindingSeverity, number>>;
    /** Every call fails with AccessDeniedException, as for a role without the permission. Default false. */
    accessDenied: boolean;
}

export const SIGNED_AND_CLEAN: Readonly<LocalRegistryModel> = Object.freeze({
    signingRule: true,
    signingInProgressChecks: 0,
    signingOutcome: "COMPLETE",
    scanned: true,
    scanInProgressChecks: 0,
    scanOutcome: "COMPLETE",
    findingSeverityCounts: {},
    accessDenied: false,
});

/** The signing profile the modelled rule names (the bootstrap stack's profile: letters, digits, `_` only). */
export const LOCAL_SIGNING_PROFILE_ARN = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/stark_ballot_simulator_prover";

export interface LocalEcr {
    client: ECRClient;
    /** Calls answered so far, by operation. */
    calls: { operation: "DescribeImageSigningStatus" | "DescribeImageScanFindings"; registryId?: string; repositoryName?: string; imageDigest?: string }[];
}

type ImageRequest = { registryId?: string; repositoryName?: string; imageId?: { imageDigest?: string; imageTag?: string } };

export function localEcr(
    wiring: Pick<PipelineWiring, "ecrRepositoryName" | "taskDefinition" | "accountId" | "region">,
    model: () => Partial<LocalRegistryModel>,
): LocalEcr {
    const digest = wiring.taskDefinition.container.image.split("@")[1];
    const client = new ECRClient({ region: wiring.region });
    const calls: LocalEcr["calls"] = [];
    let signingChecks = 0;
    let scanChecks = 0;
    const $metadata = {};

    /** The checks every image call makes, in ECR's order: registry and repository, then the image. */
    const find = (operation: LocalEcr["calls"][number]["operation"], input: ImageRequest): LocalRegistryModel => {
        calls.push({ operation, registryId: input.registryId, repositoryName: input.repositoryName, imageDigest: input.imageId?.imageDigest });
        const m = { ...SIGNED_AND_CLEAN, ...model() };
        if (m.accessDenied) {
            throw Object.assign(new Error(`User is not authorized to perform: ecr:${operation}`), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
        }
        const registryId = input.registryId ?? wiring.accountId;
        if (registryId !== wiring.accountId || input.repositoryName !== wiring.ecrRepositoryName) {
            throw new RepositoryNotFoundException({
                message: `The repository with name '${input.repositoryName}' does not exist in the registry with id '${registryId}'`,
                $metadata,
            });
        }
        if (input.imageId?.imageDigest !== digest) {
            throw new ImageNotFoundException({ message: `The image with imageId {imageDigest:'${input.imageId?.imageDigest}'} does not exist`, $metadata });
        }
        return m;
    };
    const image = (input: ImageRequest) => ({ registryId: wiring.accountId, repositoryName: input.repositoryName, imageId: { imageDigest: digest } });

    const mock = mockClient(client);
    mock.on(DescribeImageSigningStatusCommand).callsFake(async (input: ImageRequest) => {
        const m = find("DescribeImageSigningStatus", input);
        if (!m.signingRule) return { ...image(input), signingStatuses: [] };
        signingChecks += 1;
        if (signingChecks <= m.signingInProgressChecks) {
            return { ...image(input), signingStatuses: [{ signingProfileArn: LOCAL_SIGNING_PROFILE_ARN, status: "IN_PROGRESS" }] };
        }
        const failure = m.signingOutcome === "FAILED" ? { failureCode: "AccessDenied", failureReason: "The pushing principal may not call signer:SignPayload on the profile" } : {};
        return { ...image(input), signingStatuses: [{ signingProfileArn: LOCAL_SIGNING_PROFILE_ARN, status: m.signingOutcome, ...failure }] };
    });
    mock.on(DescribeImageScanFindingsCommand).callsFake(async (input: ImageRequest) => {
        const m = find("DescribeImageScanFindings", input);
        if (!m.scanned) {
            throw new ScanNotFoundException({ message: `Image scan does not exist for the image with '{imageDigest:'${digest}'}' in the repository with name '${input.repositoryName}' in the registry with id '${wiring.accountId}'`, $metadata });
        }
        scanChecks += 1;
        if (scanChecks <= m.scanInProgressChecks) {
            return { ...image(input), imageScanStatus: { status: "IN_PROGRESS", description: "The scan is in progress." } };
        }
        if (m.scanOutcome !== "COMPLETE") {
            return { ...image(input), imageScanStatus: { status: m.scanOutcome, description: m.scanOutcome === "FAILED" ? "The scan failed." : "The image is not supported for scanning." } };
        }
        return {
            ...image(input),
            imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
            imageScanFindings: { imageScanCompletedAt: new Date(), findingSeverityCounts: { ...m.findingSeverityCounts }, findings: [] },
        };
    });
    return { client, calls };
}
