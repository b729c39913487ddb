/**
 * ECR and SSM Parameter Store for the local pipeline: SDK clients whose answers come from the
 * synthesized stack (the repository and digest the task definition pins; the SecureString parameters
 * the program created), so a handler asking for anything else fails as it would in AWS.
 */
import { DescribeImageSigningStatusCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from "@aws-sdk/client-ecr";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
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

export function localSsm(parameters: PipelineWiring["parameters"]): SSMClient {
    const client = new SSMClient({ region: "us-east-1" });
    mockClient(client)
        .on(GetParameterCommand)
        .callsFake(async (input: { Name?: string; WithDecryption?: boolean }) => {
            const parameter = parameters[input.Name ?? ""];
            if (!parameter) {
                throw new ParameterNotFound({ message: `parameter ${input.Name} not found`, $metadata: {} });
            }
            // Without decryption SSM hands out the ciphertext of a SecureString.
            const value = parameter.type === "SecureString" && !input.WithDecryption ? "AQICAH-ciphertext" : parameter.value;
            return { Parameter: { Name: input.Name, Type: parameter.type, Value: value, Version: 1 } };
        });
    return client;
}
