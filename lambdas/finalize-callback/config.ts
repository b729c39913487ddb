import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, checkStateMachineArn, readEnv } from "../shared/env";

export interface FinalizeConfig {
    sessionsTable: string;
    proofPrefix: string;
    /** The one state machine whose executions may finalize a session (partition, region, account and name). */
    stateMachineArn: string;
}

export function loadFinalizeConfig(env: NodeJS.ProcessEnv = process.env): FinalizeConfig {
    const values = readEnv(LAMBDA_ENV.finalizeCallback, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    checkStateMachineArn(values.STATE_MACHINE_ARN);
    return {
        sessionsTable: values.SESSIONS_TABLE,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        stateMachineArn: values.STATE_MACHINE_ARN,
    };
}
