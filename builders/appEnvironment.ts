/**
 * The names of the variables a host of the application sets: the stack's `appEnvironment` output
 * and, with hosting, the Amplify branch's variables and the names its build writes to
 * `.env.production`. index.ts builds the values as one object typed by these names, so the
 * compiler refuses a name missing here or a value without a name: one list, one object, no copy.
 *
 * Pure: no Pulumi imports.
 */
export const APP_ENVIRONMENT_NAMES = [
    "S3_PROOF_BUCKET",
    "S3_PROOF_PREFIX",
    "PROVER_WORK_QUEUE_URL",
    "PROVER_WORK_QUEUE_ARN",
    "PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES",
    "PROVER_STATE_MACHINE_ARN",
    "API_URL",
    "SESSIONS_TABLE",
    "RATE_LIMIT_TABLE",
    "RATE_LIMIT_KEY_TABLE",
    "SECRET_PARAMETER_SESSION_CAPABILITY",
    "SECRET_PARAMETER_VOTE_ENCRYPTION_KEY",
    "SECRET_PARAMETER_CAPTCHA",
    "PROVER_IMAGE_PARAMETER",
    "AMPLIFY_DATA_ENDPOINT",
    "AMPLIFY_DATA_API_ID",
    "AMPLIFY_DATA_REGION",
    "RATE_LIMIT_EVENTS_TABLE",
    "RATE_LIMIT_COUNTERS_TABLE",
] as const;
export type AppEnvironmentName = (typeof APP_ENVIRONMENT_NAMES)[number];

/** The variables by name; `V` is the value type (an Input in the program, a string in tests). */
export type AppEnvironment<V> = { [K in AppEnvironmentName]: V };
