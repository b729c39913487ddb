/**
 * What a client is told about a failed attempt: a fixed code and message per kind of failure. The
 * stored `{Error, Cause}` holds ARNs, image digests, stopped-task JSON and stack traces; it stays in
 * the sessions table and the logs for operators and never leaves the api.
 */
import {
    DISPATCH_TIMED_OUT_ERROR,
    IMAGE_SCAN_INCOMPLETE_ERROR,
    IMAGE_SCAN_REFUSED_ERROR,
    IMAGE_SIGNATURE_FAILED_ERROR,
    type StepFunctionsError,
} from "../shared/contracts";

export interface ClientError {
    code: ClientErrorCode;
    message: string;
}

export type ClientErrorCode =
    | "prover_failed"
    | "prover_timed_out"
    | "image_unverified"
    | "dispatch_timed_out"
    | "queue_unavailable"
    | "execution_aborted";

export const CLIENT_ERRORS: Readonly<Record<ClientErrorCode, string>> = Object.freeze({
    prover_failed: "the prover could not produce a proof for this input",
    prover_timed_out: "the proof took longer than allowed",
    image_unverified: "the prover image failed its signature or scan check; no proof was attempted",
    dispatch_timed_out: "the proof request was not picked up in time",
    queue_unavailable: "the proof request could not be queued",
    execution_aborted: "the proof was stopped by an operator",
});

/** Stored `Error` names with their own client code; anything else is `prover_failed`. */
const BY_ERROR_NAME: Readonly<Record<string, ClientErrorCode>> = Object.freeze({
    [IMAGE_SIGNATURE_FAILED_ERROR]: "image_unverified",
    [IMAGE_SCAN_REFUSED_ERROR]: "image_unverified",
    [IMAGE_SCAN_INCOMPLETE_ERROR]: "image_unverified",
    [DISPATCH_TIMED_OUT_ERROR]: "dispatch_timed_out",
    EnqueueFailed: "queue_unavailable",
    "States.Timeout": "prover_timed_out",
    ExecutionAborted: "execution_aborted",
});

export function clientError(stored: StepFunctionsError): ClientError {
    const code = BY_ERROR_NAME[stored.Error] ?? "prover_failed";
    return { code, message: CLIENT_ERRORS[code] };
}
