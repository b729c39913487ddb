/**
 * The Lambda service's side of an invocation in the local pipeline (the handlers themselves are the
 * real ones): the function's configured timeout, and the answers Step Functions and the event source
 * mapping get when a function times out or its runtime exits.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";

/** `ok`: runs normally; `timeout`: runs past its timeout; `crash`: its runtime exits (the handler does not run in either). */
export type InvocationFault = "ok" | "timeout" | "crash";

/**
 * The Lambda service's part of an invocation: a function still running at its configured timeout is
 * stopped, and an invocation that timed out or whose runtime exited has no error type of its own, so
 * Step Functions reports `Lambda.Unknown` with the payload Lambda returned in the Cause:
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
 * A handler still running at its timeout is abandoned here, where Lambda would stop its runtime; what
 * it did until then stays done in both.
 */
export async function withLambdaTimeout<T>(timeoutSeconds: number, fault: InvocationFault | undefined, run: () => Promise<T>): Promise<T> {
    const requestId = randomUUID();
    const unknown = (payload: object) =>
        Object.assign(new Error(`The cause could not be determined because Lambda did not return an error type. Returned payload: ${JSON.stringify(payload)}`), {
            name: "Lambda.Unknown",
        });
    const timedOut = () => unknown({ errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds` });
    if (fault === "crash") {
        throw unknown({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 1` });
    }
    if (fault === "timeout") {
        await delay(timeoutSeconds * 1000);
        throw timedOut();
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut()), timeoutSeconds * 1000);
    });
    try {
        return await Promise.race([run(), deadline]);
    } finally {
        clearTimeout(timer);
    }
}
