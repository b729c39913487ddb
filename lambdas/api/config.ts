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
    /** Lifetime of a session capability, from its issue time. */
    capabilityTtlSeconds: number;
    /** Whether a new attempt may start on a session whose proof succeeded (the earlier bundle stays listed). */
    allowReproving: boolean;
    /** Name of the stack's prover image record (SSM String parameter): where the expected zkVM image id lives. */
    proverImageParameter: string;
    /** The captcha provider's verification endpoint (Cloudflare Turnstile siteverify unless `CAPTCHA_VERIFY_URL` says otherwise). */
    captchaVerifyUrl: string;
}

/** https://developers.cloudflare.com/turnstile/get-started/server-side-validation/ */
export const TURNSTILE_SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

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
        capabilityTtlSeconds: parseTtlSeconds(values.SESSION_CAPABILITY_TTL_SECONDS),
        allowReproving: parseFlag("ALLOW_REPROVING", values.ALLOW_REPROVING),
        proverImageParameter: values.PROVER_IMAGE_PARAMETER,
        captchaVerifyUrl: parseVerifyUrl(env.CAPTCHA_VERIFY_URL),
    };
}

/** Same bounds as the stack key `sessionCapabilityTtlSeconds`: at least a proof's 15 minutes, at most 30 days. */
export const MIN_CAPABILITY_TTL_SECONDS = 900;
export const MAX_CAPABILITY_TTL_SECONDS = 2592000;

function parseTtlSeconds(value: string): number {
    const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(seconds >= MIN_CAPABILITY_TTL_SECONDS && seconds <= MAX_CAPABILITY_TTL_SECONDS)) {
        throw new Error(`SESSION_CAPABILITY_TTL_SECONDS: "${value}" must be an integer from ${MIN_CAPABILITY_TTL_SECONDS} to ${MAX_CAPABILITY_TTL_SECONDS}`);
    }
    return seconds;
}

function parseFlag(name: string, value: string): boolean {
    if (value !== "true" && value !== "false") {
        throw new Error(`${name}: "${value}" must be "true" or "false"`);
    }
    return value === "true";
}

/**
 * Optional override for tests and local runs (a stand-in on 127.0.0.1); deployed stacks leave it
 * unset. Only https, or plain http to the loopback address, so a secret never crosses a network in clear.
 */
function parseVerifyUrl(value: string | undefined): string {
    if (value === undefined || value === "") {
        return TURNSTILE_SITEVERIFY_URL;
    }
    if (!/^https:\/\/[^/]+\/|^http:\/\/127\.0\.0\.1:\d+\//.test(value)) {
        throw new Error(`CAPTCHA_VERIFY_URL: "${value}" must be an https:// URL or http://127.0.0.1:<port>/...`);
    }
    return value;
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
