/**
 * Strict parsing of the two events the state machine sends (SPEC §4). Anything else is a wiring bug
 * in the state machine, so it throws and the Step Functions task fails visibly.
 */
import { VERIFICATION_STATUSES, type ExecutionPayload, type FinalizeEvent, type StepFunctionsError, type VerifyProofResult } from "../shared/contracts";
import { ZKVM_IMAGE_ID } from "../shared/rules";
import {
    EXECUTION_ID_PATTERN,
    EXECUTION_ID_RULE,
    InvalidInput,
    SESSION_ID_PATTERN,
    SESSION_ID_RULE,
    checkNoExtraKeys,
    checkString,
    isIsoTimestamp,
    isPlainObject,
} from "../shared/validation";

const SUBJECT = "finalize event";
const SUCCEEDED_KEYS = ["status", "payload", "executionArn", "proverResult", "verification"] as const;
const FAILED_KEYS = ["status", "payload", "executionArn", "error"] as const;
const EXECUTION_ARN_PATTERN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:([^:]+)$/;

export function parseFinalizeEvent(event: unknown): FinalizeEvent {
    if (!isPlainObject(event)) {
        throw new InvalidInput(SUBJECT, ["event must be an object"]);
    }
    if (event.status !== "SUCCEEDED" && event.status !== "FAILED") {
        throw new InvalidInput(SUBJECT, [`status must be "SUCCEEDED" or "FAILED", got ${JSON.stringify(event.status)}`]);
    }
    const expectedKeys = event.status === "SUCCEEDED" ? SUCCEEDED_KEYS : FAILED_KEYS;
    const problems: string[] = [];
    checkNoExtraKeys(event, expectedKeys, problems);
    // `proverResult` is opaque (the ECS task description), but its absence means a wiring mistake.
    if (event.status === "SUCCEEDED" && !("proverResult" in event)) {
        problems.push("missing field proverResult");
    }
    const payload = parsePayload(event.payload, problems);
    const executionArn = checkString(event, "executionArn", problems);
    const arnMatch = EXECUTION_ARN_PATTERN.exec(executionArn);
    if (executionArn !== "" && arnMatch === null) {
        problems.push("executionArn must be a Step Functions execution ARN");
    } else if (arnMatch !== null && payload !== undefined && arnMatch[1] !== payload.executionId) {
        problems.push("executionArn must name the execution payload.executionId");
    }
    const error = event.status === "FAILED" ? parseError(event.error, problems) : undefined;
    const verification = event.status === "SUCCEEDED" && "verification" in event ? parseVerification(event.verification, problems) : undefined;
    if (problems.length > 0 || payload === undefined) {
        throw new InvalidInput(SUBJECT, problems);
    }
    return event.status === "SUCCEEDED"
        ? { status: "SUCCEEDED", payload, executionArn, proverResult: event.proverResult, ...(verification === undefined ? {} : { verification }) }
        : { status: "FAILED", payload, executionArn, error: error as StepFunctionsError };
}

/** `$.payload` passes through whole, so fields beyond the four we need are allowed. */
function parsePayload(value: unknown, problems: string[]): ExecutionPayload | undefined {
    if (!isPlainObject(value)) {
        problems.push("payload must be an object");
        return undefined;
    }
    const before = problems.length;
    const payload: ExecutionPayload = {
        sessionId: checkString(value, "sessionId", problems, SESSION_ID_PATTERN, SESSION_ID_RULE),
        executionId: checkString(value, "executionId", problems, EXECUTION_ID_PATTERN, EXECUTION_ID_RULE),
        inputS3Key: checkString(value, "inputS3Key", problems),
        queuedAt: typeof value.queuedAt === "string" ? value.queuedAt : "",
    };
    if (!isIsoTimestamp(value.queuedAt)) {
        problems.push("queuedAt must be an ISO-8601 date-time with a time zone");
    }
    const prefixed = problems.slice(before).map((problem) => `payload.${problem}`);
    problems.splice(before, problems.length - before, ...prefixed);
    return payload;
}

function parseError(value: unknown, problems: string[]): StepFunctionsError | undefined {
    if (!isPlainObject(value)) {
        problems.push("error must be an object {Error, Cause}");
        return undefined;
    }
    checkNoExtraKeys(value, ["Error", "Cause"], problems, "error.");
    if (typeof value.Error !== "string" || value.Error === "") {
        problems.push("error.Error must be a non-empty string");
    }
    if (value.Cause !== undefined && typeof value.Cause !== "string") {
        problems.push("error.Cause must be a string");
    }
    return value.Cause === undefined
        ? { Error: value.Error as string }
        : { Error: value.Error as string, Cause: value.Cause as string };
}

/**
 * The verifier's answer on a succeeded proof: only a `success` verdict may reach FinalizeSucceeded
 * (the state machine routes the others to FinalizeVerificationFailed), so anything else is a wiring bug.
 */
function parseVerification(value: unknown, problems: string[]): VerifyProofResult | undefined {
    if (!isPlainObject(value)) {
        problems.push("verification must be an object {status, bundleKey, reportKey, expectedImageId}");
        return undefined;
    }
    const before = problems.length;
    checkNoExtraKeys(value, ["status", "bundleKey", "reportKey", "expectedImageId"], problems, "verification.");
    if (!(VERIFICATION_STATUSES as readonly unknown[]).includes(value.status)) {
        problems.push(`verification.status must be one of ${VERIFICATION_STATUSES.join(", ")}`);
    } else if (value.status !== "success") {
        problems.push(`verification.status is ${value.status as string}: only a success verdict may finalize a proof as succeeded`);
    }
    for (const key of ["bundleKey", "reportKey"] as const) {
        if (typeof value[key] !== "string" || value[key] === "") problems.push(`verification.${key} must be a non-empty string`);
    }
    if (typeof value.expectedImageId !== "string" || !ZKVM_IMAGE_ID.test(value.expectedImageId)) {
        problems.push("verification.expectedImageId must be 64 lower-case hex");
    }
    return problems.length > before ? undefined : (value as unknown as VerifyProofResult);
}
