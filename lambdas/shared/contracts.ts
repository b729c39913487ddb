/**
 * The message and record shapes that cross a service boundary in the prover pipeline.
 *
 * This module is the single source of truth for both sides: the Lambda handlers and the prover
 * runner (code that runs in AWS) and the Pulumi builders (the state-machine definition, the
 * environment variables a component sets). It must never import `@pulumi/*`.
 */

/** Body of a message on the SQS work queue, sent by the api Lambda, read by prover-dispatch. */
export interface WorkMessage {
    /** Session the proof belongs to. */
    sessionId: string;
    /** Unique per proof attempt; also the Step Functions execution name (idempotency key). */
    executionId: string;
    /** ISO-8601 time the api queued the work. */
    queuedAt: string;
    /**
     * The zkVM host input exactly as the client sent it (the bytes of its JSON object, carried as a
     * string so no re-serialization can change them), written verbatim to `input.json`.
     */
    inputJson: string;
}

/** `$.payload` of a state-machine execution. */
export interface ExecutionPayload {
    sessionId: string;
    executionId: string;
    /** Object key of `input.json`: `{prefix}{sessionId}/{executionId}/input.json`. */
    inputS3Key: string;
    queuedAt: string;
}

/** The whole input of a state-machine execution (SPEC §4). */
export interface ExecutionInput {
    payload: ExecutionPayload;
    /** SQS message id that started the execution. */
    messageId: string;
    /** ISO-8601 time prover-dispatch received the message. */
    receivedAt: string;
}

/** Input of the check-image-signature Lambda (the image gate). */
export interface CheckImageSignatureInput {
    /**
     * Account of the registry that holds the image. The program rejects a prebuilt image of another
     * account or region, so this is the stack's account and the Lambda's region is the image's.
     */
    registryId: string;
    repositoryName: string;
    imageDigest: string;
    /** Whether HIGH scan findings may run (config `allowHighScanFindings`, default false). CRITICAL never may. */
    allowHighScanFindings: boolean;
    /** Checks already made in this execution; absent on the first. */
    previousChecks?: number;
}

/** What the gate decided: run the image, look again after a wait, or refuse it. */
export type ImageGateVerdict = "ALLOW" | "PENDING" | "DENY";

/** Result of the check-image-signature Lambda. */
export interface CheckImageSignatureResult {
    verdict: ImageGateVerdict;
    /** Checks made in this execution, this one included. */
    checks: number;
    /**
     * The signing status of the digest over every entry: `COMPLETE` only when every entry is,
     * else `FAILED` when any entry failed, else `IN_PROGRESS`; `MISSING` when ECR reports no entry.
     */
    status: string;
    signingStatuses: unknown[];
    /** The digest's scan: ECR's `imageScanStatus.status` (or `MISSING`) and `findingSeverityCounts`. */
    scan: { status: string; findingSeverityCounts: Record<string, number> };
    /** Set exactly when `verdict` is `DENY`: what the finalize callback records. */
    error?: StepFunctionsError;
}

/**
 * The gate's bound on IN_PROGRESS (signing or scan): a check, then up to `maxRechecks` more, each after
 * `recheckIntervalSeconds`: 20 x 15 s = 300 s, SPEC §7's "at most 5 minutes". ECR signs and scans a
 * pushed image within seconds to a minute, so an image still in progress after that is refused.
 */
export const IMAGE_GATE = Object.freeze({ recheckIntervalSeconds: 15, maxRechecks: 20 });

/** Step Functions' own error shape, as produced by a Catch and by our signature branch. */
export interface StepFunctionsError {
    Error: string;
    Cause?: string;
}

/** Event the state machine sends the finalize-callback Lambda. */
export type FinalizeEvent =
    | {
          status: "SUCCEEDED";
          payload: ExecutionPayload;
          executionArn: string;
          proverResult: unknown;
          /**
           * Present when the stack verifies proofs: the verdict (its status is `success`), in this shape
           * whichever runner answered (builders/verifierContract.ts maps the application's answer to it).
           */
          verification?: VerifyProofResult;
      }
    | { status: "FAILED"; payload: ExecutionPayload; executionArn: string; error: StepFunctionsError };

/** Error name the signature branch reports in `error.Error`: no signature, a failed one, or still in progress after the bound. */
export const IMAGE_SIGNATURE_FAILED_ERROR = "ImageSignatureVerificationFailed";
/** The digest's scan found CRITICAL vulnerabilities, or HIGH ones while they are not allowed. */
export const IMAGE_SCAN_REFUSED_ERROR = "ImageScanFindingsRefused";
/** The digest has no usable scan: none, failed, unsupported, or still in progress after the bound. */
export const IMAGE_SCAN_INCOMPLETE_ERROR = "ImageScanIncomplete";

/**
 * A `pending` attempt older than this was never dispatched: its work message went to the DLQ (after
 * 3 receives of 1000 s visibility each) or was lost. The api's status route then records the attempt
 * as failed with `DISPATCH_TIMED_OUT_ERROR`, so the client can start again; a test keeps the queue's
 * settings below this bound.
 */
export const DISPATCH_DEADLINE_SECONDS = 3600;
export const DISPATCH_TIMED_OUT_ERROR = "DispatchTimedOut";

/** Lifecycle of a session's proof. */
export type SessionStatus = "pending" | "running" | "succeeded" | "failed";

/**
 * An item of the sessions table (partition key `sessionId`, string).
 * Only the proof-related attributes are listed; the application may store more.
 */
export interface SessionRecord {
    sessionId: string;
    status: SessionStatus;
    /** The attempt this record describes; a callback for another attempt must not overwrite it. */
    executionId: string;
    executionArn?: string;
    /** Set when status is `succeeded`: `{prefix}{sessionId}/{executionId}/bundle.zip`. */
    bundleKey?: string;
    /** Set when status is `succeeded` and the stack verifies proofs: `.../verification.json`. */
    verificationReportKey?: string;
    /** Set when status is `failed`. */
    error?: StepFunctionsError;
    /** Bundles of earlier succeeded attempts, kept when the stack allows re-proving (oldest first). */
    earlierBundles?: EarlierBundle[];
    /** ISO-8601 time of the last change. */
    updatedAt: string;
}

/** A succeeded attempt that a later attempt replaced as the session's current one. */
export interface EarlierBundle {
    executionId: string;
    bundleKey: string;
    /** ISO-8601 time the attempt succeeded. */
    succeededAt: string;
}

/** Names of the files under `{prefix}{sessionId}/{executionId}/`. */
export const INPUT_OBJECT_NAME = "input.json";
export const BUNDLE_OBJECT_NAME = "bundle.zip";
/** The verifier's report, written beside the bundle by verifier-service-runner. */
export const VERIFICATION_REPORT_OBJECT_NAME = "verification.json";

/** `{prefix}{sessionId}/{executionId}` without a trailing slash, as the prover's OUTPUT_S3_PREFIX. */
export function executionPrefix(proofPrefix: string, sessionId: string, executionId: string): string {
    return `${proofPrefix}${sessionId}/${executionId}`;
}

export function inputObjectKey(proofPrefix: string, sessionId: string, executionId: string): string {
    return `${executionPrefix(proofPrefix, sessionId, executionId)}/${INPUT_OBJECT_NAME}`;
}

export function bundleObjectKey(proofPrefix: string, sessionId: string, executionId: string): string {
    return `${executionPrefix(proofPrefix, sessionId, executionId)}/${BUNDLE_OBJECT_NAME}`;
}

export function verificationReportKey(proofPrefix: string, sessionId: string, executionId: string): string {
    return `${executionPrefix(proofPrefix, sessionId, executionId)}/${VERIFICATION_REPORT_OBJECT_NAME}`;
}

/** Input of the verifier-service-runner Lambda: the two ids only; every key is derived from them. */
export interface VerifyProofInput {
    sessionId: string;
    executionId: string;
}

/** `status` of the native verifier's report (`verifier-service verify ... --output <report.json>`). */
export const VERIFICATION_STATUSES = ["success", "failed", "dev_mode"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Result of the verifier-service-runner Lambda (at `$.verification.Payload`). */
export interface VerifyProofResult {
    status: VerificationStatus;
    bundleKey: string;
    reportKey: string;
    /** The zkVM image id the receipt was checked against (64 lower-case hex). */
    expectedImageId: string;
}

/** Error name the verification branch reports in `error.Error` when the report is not `success`. */
export const PROOF_VERIFICATION_FAILED_ERROR = "ProofVerificationFailed";
/** Error name the verification branch reports when the verifier runner answered without a verdict (builders/verifierContract.ts). */
export const VERIFIER_RUNNER_FAILED_ERROR = "VerifierRunnerFailed";

/**
 * Environment variables of each function. The components set exactly these; the handlers read
 * exactly these. Secrets are never here: only the names of the SSM parameters that hold them.
 */
export const LAMBDA_ENV = {
    proverDispatch: ["STATE_MACHINE_ARN", "S3_PROOF_BUCKET", "S3_PROOF_PREFIX", "SESSIONS_TABLE"],
    finalizeCallback: ["SESSIONS_TABLE", "S3_PROOF_PREFIX", "STATE_MACHINE_ARN"],
    api: [
        "ENV_NAME",
        "SESSIONS_TABLE",
        "RATE_LIMIT_TABLE",
        "RATE_LIMIT_KEY_TABLE",
        "PROVER_WORK_QUEUE_URL",
        "PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES",
        "PROVER_STATE_MACHINE_ARN",
        "S3_PROOF_BUCKET",
        "S3_PROOF_PREFIX",
        "SECRET_PARAMETER_SESSION_CAPABILITY",
        "SECRET_PARAMETER_VOTE_ENCRYPTION_KEY",
        "SECRET_PARAMETER_CAPTCHA",
        "PROOFS_PER_HOUR",
        "PROOFS_PER_DAY",
        "SESSION_CAPABILITY_TTL_SECONDS",
        "ALLOW_REPROVING",
        "PROVER_IMAGE_PARAMETER",
    ],
    checkImageSignature: [],
    proofSlotCleanup: ["PROOF_SLOTS_TABLE", "STATE_MACHINE_ARN"],
    verifierRunner: ["S3_PROOF_BUCKET", "S3_PROOF_PREFIX", "PROVER_IMAGE_PARAMETER"],
} as const;

/** Environment variables of the prover container (SPEC §4: task definition and RunProver overrides). */
export const PROVER_ENV = {
    /** SPEC's three, plus the runner's own settings (timeout and scratch directory) made explicit. */
    taskDefinition: ["ENV_NAME", "S3_PROOF_BUCKET", "S3_PROOF_PREFIX", "ZKVM_TIMEOUT_SECONDS", "SCRATCH_DIR", "ZKVM_HOST_USER"],
    runOverrides: [
        "ENV_NAME",
        "S3_PROOF_BUCKET",
        "S3_PROOF_PREFIX",
        "INPUT_S3_BUCKET",
        "INPUT_S3_KEY",
        "OUTPUT_S3_BUCKET",
        "OUTPUT_S3_PREFIX",
    ],
} as const;

/** Name of the prover container in the task definition; RunProver overrides address it by name. */
export const PROVER_CONTAINER_NAME = "prover";

/**
 * The only writable path of the prover container (a task volume), so the root filesystem can be
 * read-only. The runner reads `SCRATCH_DIR` and defaults to this.
 */
export const PROVER_SCRATCH_DIR = "/scratch";

/**
 * Numeric uid:gid the zkVM host runs as (never root): `ZKVM_HOST_USER` of the prover image and task.
 * Another user than the runner's, so the host cannot read the runner's environment or memory and so
 * cannot reach the task's AWS credentials (prover/README.md "Credential isolation").
 */
export const PROVER_HOST_USER = "10001:10001";

/**
 * The runner starts as root, only so it can start the host as PROVER_HOST_USER; the task definition
 * drops every other default capability (builders/proverTask.ts).
 */
export const PROVER_RUNNER_USER = "0:0";
