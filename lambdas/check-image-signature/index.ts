/** Step Functions task `VerifyImageSignature`: the signing status of the digest-pinned prover image. */
import { ECRClient } from "@aws-sdk/client-ecr";
import { createLogger, errorFields } from "../shared/log";
import { createCheckImageSignatureHandler } from "./checkImageSignature";

const logger = createLogger();
// No environment to read: the repository and digest arrive in the event, so one client per container suffices.
const checkImageSignature = createCheckImageSignatureHandler({ ecr: new ECRClient({}) });

export async function handler(event: unknown) {
    try {
        return await checkImageSignature(event);
    } catch (error) {
        // Rethrown so the state machine's Retry/Catch sees the real error name.
        logger.error("image signature check failed", errorFields(error));
        throw error;
    }
}
