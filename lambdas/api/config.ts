import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";
import type { SecretName } from "./secrets";

export interface ApiConfig {
    envName: string;
    sessionsTable: string;
    /** The application's rate-limit log table; the reference routes only use the key table. */
    rateLimitTable: string;
    rateLimitKeyTable: string;
    workQueueUrl: string;
    stateMachineArn: string;
    bucket: string;
    proofPrefix: string;
    /** SSM parameter names (never the values) of the application secrets. */
    secretParameters: Readonly<Record<SecretName, string>>;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
    const values = readEnv(LAMBDA_ENV.api, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    return {
        envName: values.ENV_NAME,
        sessionsTable: values.SESSIONS_TABLE,
        rateLimitTable: values.RATE_LIMIT_TABLE,
        rateLimitKeyTable: values.RATE_LIMIT_KEY_TABLE,
        workQueueUrl: values.PROVER_WORK_QUEUE_URL,
        stateMachineArn: values.PROVER_STATE_MACHINE_ARN,
        bucket: values.S3_PROOF_BUCKET,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        secretParameters: Object.freeze({
            sessionCapability: values.SECRET_PARAMETER_SESSION_CAPABILITY,
            voteEncryptionKey: values.SECRET_PARAMETER_VOTE_ENCRYPTION_KEY,
            captcha: values.SECRET_PARAMETER_CAPTCHA,
        }),
    };
}
