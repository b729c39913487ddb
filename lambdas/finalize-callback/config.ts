import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";

export interface FinalizeConfig {
    sessionsTable: string;
    proofPrefix: string;
    /** The one state machine whose executions may finalize a session (partition, region, account and name). */
    stateMachineArn: string;
}

const STATE_MACHINE_ARN_PATTERN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export function loadFinalizeConfig(env: NodeJS.ProcessEnv = process.env): FinalizeConfig {
    const values = readEnv(LAMBDA_ENV.finalizeCallback, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    if (!STATE_MACHINE_ARN_PATTERN.test(values.STATE_MACHINE_ARN)) {
        throw new Error(`STATE_MACHINE_ARN must be a state machine ARN, got ${JSON.stringify(values.STATE_MACHINE_ARN)}`);
    }
    return {
        sessionsTable: values.SESSIONS_TABLE,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        stateMachineArn: values.STATE_MACHINE_ARN,
    };
}
