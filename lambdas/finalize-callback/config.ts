import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";

export interface FinalizeConfig {
    sessionsTable: string;
    proofPrefix: string;
}

export function loadFinalizeConfig(env: NodeJS.ProcessEnv = process.env): FinalizeConfig {
    const values = readEnv(LAMBDA_ENV.finalizeCallback, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    return { sessionsTable: values.SESSIONS_TABLE, proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX) };
}
