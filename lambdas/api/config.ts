import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";
import { type ProofBudgetLimits, parseProofBudgetLimits } from "./proofBudget";
import type { SecretName } from "./secrets";

export interface ApiConfig {
    envName: string;
    sessionsTable: string;
    /** The application's rate-limit log table; the reference routes only use the key table. */
    rateLimitTable: string;
    rateLimitKeyTable: string;
    workQueueUrl: string;
    /** The work queue's MaximumMessageSize: a work message above it is refused by SQS. */
    workQueueMaxMessageBytes: number;
    stateMachineArn: string;
    bucket: string;
    proofPrefix: string;
    /** The global budget of proofs admitted per UTC hour and day. */
    proofBudget: ProofBudgetLimits;
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
        workQueueMaxMessageBytes: parseMaxMessageBytes(values.PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES),
        stateMachineArn: values.PROVER_STATE_MACHINE_ARN,
        bucket: values.S3_PROOF_BUCKET,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        proofBudget: parseProofBudgetLimits(values.PROOFS_PER_HOUR, values.PROOFS_PER_DAY),
        secretParameters: Object.freeze({
            sessionCapability: values.SECRET_PARAMETER_SESSION_CAPABILITY,
            voteEncryptionKey: values.SECRET_PARAMETER_VOTE_ENCRYPTION_KEY,
            captcha: values.SECRET_PARAMETER_CAPTCHA,
        }),
    };
}

/** SQS's range for MaximumMessageSize: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html */
const MIN_MESSAGE_BYTES = 1024;
const MAX_MESSAGE_BYTES = 1048576;

function parseMaxMessageBytes(value: string): number {
    const bytes = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(bytes >= MIN_MESSAGE_BYTES && bytes <= MAX_MESSAGE_BYTES)) {
        throw new Error(`PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "${value}" must be an integer from ${MIN_MESSAGE_BYTES} to ${MAX_MESSAGE_BYTES} (SQS MaximumMessageSize)`);
    }
    return bytes;
}
