/**
 * SSM Parameter Store for the local pipeline: an SDK client whose answers come from the synthesized
 * stack (the SecureString parameters the program created), so a handler asking for anything else
 * fails as it would in AWS. (ECR lives in ./ecr.ts.)
 */
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { PipelineWiring } from "./stackWiring";

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
