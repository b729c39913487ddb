/**
 * SSM Parameter Store for the local pipeline: `GetParameter` answered from the SecureString parameters
 * the synthesized stack created, so a handler asking for anything else fails as it would in AWS, and
 * with the documented failures of the call on demand (`SsmFault`):
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors
 * and, for a SecureString read WithDecryption, KMS refusing the decrypt
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html).
 */
import { GetParameterCommand, InternalServerError, InvalidKeyId, ParameterNotFound, SSMClient, SSMServiceException } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { PipelineWiring } from "./stackWiring";

/**
 * - `InvalidKeyId`: the parameter's KMS key is not valid (deleted, disabled);
 * - `KmsAccessDenied`: the caller may read the parameter but not use its key (kms:Decrypt);
 * - `ThrottlingException`: the account's GetParameter rate is exceeded;
 * - `InternalServerError`: SSM failed on its side.
 */
export type SsmFault = "InvalidKeyId" | "KmsAccessDenied" | "ThrottlingException" | "InternalServerError";

export const SSM_FAULTS: readonly SsmFault[] = ["InvalidKeyId", "KmsAccessDenied", "ThrottlingException", "InternalServerError"];

/** Every GetParameter call, with how it was answered. */
export interface SsmCall {
    name: string | undefined;
    outcome: "ok" | "ParameterNotFound" | SsmFault;
}

export function localSsm(
    parameters: PipelineWiring["parameters"],
    options: { fault?: () => SsmFault | undefined; calls?: SsmCall[] } = {},
): SSMClient {
    const client = new SSMClient({ region: "us-east-1" });
    mockClient(client)
        .on(GetParameterCommand)
        .callsFake(async (input: { Name?: string; WithDecryption?: boolean }) => {
            const record = (outcome: SsmCall["outcome"]) => options.calls?.push({ name: input.Name, outcome });
            const parameter = parameters[input.Name ?? ""];
            if (!parameter) {
                record("ParameterNotFound");
                throw new ParameterNotFound({ message: `parameter ${input.Name} not found`, $metadata: { httpStatusCode: 400 } });
            }
            const fault = options.fault?.();
            if (fault !== undefined) {
                record(fault);
                throw ssmError(fault, input.Name ?? "");
            }
            record("ok");
            // Without decryption SSM hands out the ciphertext of a SecureString.
            const value = parameter.type === "SecureString" && !input.WithDecryption ? "AQICAH-ciphertext" : parameter.value;
            return { Parameter: { Name: input.Name, Type: parameter.type, Value: value, Version: 1 } };
        });
    return client;
}

function ssmError(fault: SsmFault, name: string): Error {
    switch (fault) {
        case "InvalidKeyId":
            return new InvalidKeyId({ message: `The KMS key of parameter ${name} is not valid (disabled or pending deletion).`, $metadata: { httpStatusCode: 400 } });
        case "KmsAccessDenied":
            return new SSMServiceException({
                name: "AccessDeniedException",
                $fault: "client",
                message: `User: arn:aws:sts::123456789012:assumed-role/api/fn is not authorized to perform: kms:Decrypt on the key of parameter ${name} because no identity-based policy allows the kms:Decrypt action`,
                $metadata: { httpStatusCode: 400 },
            });
        case "ThrottlingException":
            return new SSMServiceException({ name: "ThrottlingException", $fault: "client", message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
        case "InternalServerError":
            return new InternalServerError({ message: "An error occurred on the server side.", $metadata: { httpStatusCode: 500 } });
    }
}
