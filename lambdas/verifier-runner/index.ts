/** Step Functions task `VerifyProof` (function `verifier-service-runner`). */
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { LAMBDA_ENV, type VerifyProofResult } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";
import { lazyInit } from "../shared/init";
import { createLogger, errorFields, type Logger } from "../shared/log";
import { createVerifyProofHandler } from "./verify";

/** Where Lambda puts a layer's `bin/`: layers are extracted under /opt. https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html */
export const VERIFIER_BINARY = "/opt/bin/verifier-service";

/**
 * The binary's budget, below the function's timeout (VERIFIER_FUNCTION_DEFAULTS.timeoutSeconds) so
 * a hung verifier is killed and reported as VerifierCrashed instead of the whole invocation timing out.
 */
export const VERIFIER_TIMEOUT_MS = 100_000;

export interface VerifierFunctionOptions {
    binary?: string;
    verifierTimeoutMs?: number;
    tmpDir?: string;
}

/** The function as deployed, from its environment and clients; errors are logged and rethrown so Retry/Catch see their names. */
export function createVerifierFunction(env: NodeJS.ProcessEnv, clients: { s3: S3Client; ssm: SSMClient }, logger: Logger, options: VerifierFunctionOptions = {}) {
    const values = readEnv(LAMBDA_ENV.verifierRunner, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    const verify = createVerifyProofHandler({
        s3: clients.s3,
        ssm: clients.ssm,
        bucket: values.S3_PROOF_BUCKET,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        imageParameterName: values.PROVER_IMAGE_PARAMETER,
        binary: options.binary ?? VERIFIER_BINARY,
        verifierTimeoutMs: options.verifierTimeoutMs ?? VERIFIER_TIMEOUT_MS,
        tmpDir: options.tmpDir,
        logger,
    });
    return async (event: unknown): Promise<VerifyProofResult> => {
        try {
            return await verify(event);
        } catch (error) {
            logger.error("proof verification did not complete", errorFields(error));
            throw error;
        }
    };
}

const logger = createLogger();
const instance = lazyInit("verifier-service-runner", () => createVerifierFunction(process.env, { s3: new S3Client({}), ssm: new SSMClient({}) }, logger), logger);

export async function handler(event: unknown): Promise<VerifyProofResult> {
    return instance()(event);
}
