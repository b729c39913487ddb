/** Step Functions task `VerifyImageSignature`: the signing status of the digest-pinned prover image. */
import { ECRClient } from "@aws-sdk/client-ecr";
import { createLogger, errorFields, type Logger } from "../shared/log";
import { createCheckImageSignatureHandler } from "./checkImageSignature";

/**
 * The function as deployed. It has no environment to read: the repository and digest arrive in the
 * event. Errors are logged and rethrown so the state machine's Retry/Catch sees the real error name.
 */
export function createCheckImageSignatureFunction(clients: { ecr: ECRClient }, logger: Logger) {
    const checkImageSignature = createCheckImageSignatureHandler(clients);
    return async (event: unknown) => {
        try {
            return await checkImageSignature(event);
        } catch (error) {
            logger.error("image signature check failed", errorFields(error));
            throw error;
        }
    };
}

// One client per container suffices.
export const handler = createCheckImageSignatureFunction({ ecr: new ECRClient({}) }, createLogger());
