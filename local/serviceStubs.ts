/**
 * ECR for the local pipeline: an SDK client whose answers come from the synthesized stack (the
 * repository and digest the task definition pins), so a handler asking for anything else fails as it
 * would in AWS. (SSM Parameter Store is in ssm.ts.)
 */
import { DescribeImageSigningStatusCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import type { PipelineWiring } from "./stackWiring";

/** What ECR reports for the pinned digest; `MISSING` means no signing status at all; `ERROR` makes the call fail. */
export type SignatureState = "COMPLETE" | "IN_PROGRESS" | "FAILED" | "MISSING" | "ERROR";

const SIGNING_PROFILE_ARN = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/local";

export function localEcr(wiring: Pick<PipelineWiring, "ecrRepositoryName" | "taskDefinition" | "accountId">, state: () => SignatureState): ECRClient {
    const digest = wiring.taskDefinition.container.image.split("@")[1];
    const client = new ECRClient({ region: "us-east-1" });
    mockClient(client)
        .on(DescribeImageSigningStatusCommand)
        .callsFake(async (input: { repositoryName?: string; imageId?: { imageDigest?: string } }) => {
            const $metadata = {};
            if (input.repositoryName !== wiring.ecrRepositoryName) {
                throw new RepositoryNotFoundException({ message: `The repository '${input.repositoryName}' does not exist`, $metadata });
            }
            if (input.imageId?.imageDigest !== digest) {
                throw new ImageNotFoundException({ message: `The image with imageId {imageDigest:'${input.imageId?.imageDigest}'} does not exist`, $metadata });
            }
            const status = state();
            if (status === "ERROR") {
                throw Object.assign(new Error("User is not authorized to perform: ecr:DescribeImageSigningStatus"), {
                    name: "AccessDeniedException",
                    $metadata: { httpStatusCode: 400 },
                });
            }
            const base = { repositoryName: input.repositoryName, registryId: wiring.accountId, imageId: { imageDigest: digest } };
            if (status === "MISSING") return { ...base, signingStatuses: [] };
            const failure = status === "FAILED" ? { failureCode: "SIGNATURE_VERIFICATION_FAILED", failureReason: "signature does not match" } : {};
            return { ...base, signingStatuses: [{ signingProfileArn: SIGNING_PROFILE_ARN, status, ...failure }] };
        });
    return client;
}
