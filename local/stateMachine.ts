/**
 * Runs the prover dispatcher's definition locally (aws-local-stepfunctions) with every Task state
 * answered by a local function instead of AWS, so tests can drive each branch and an end-to-end test
 * can plug the real handlers in. It emulates the two integrations the definition uses the way Step
 * Functions does:
 * - `lambda:invoke`: the handler receives `Parameters.Payload` (the function's event); its return value
 *   comes back as `{ExecutedVersion, Payload, StatusCode}`. A throw becomes a function error: Error is
 *   the thrown error's name (the Lambda `errorType`), Cause the JSON `{errorType, errorMessage, trace}`
 *   the Node.js runtime reports. Errors named `Lambda.*` stand for the Lambda service's own errors
 *   (a timeout is `Lambda.Unknown`) and pass through unchanged:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 * - `ecs:runTask.sync`: the handler receives the effective RunTask parameters and an abort signal,
 *   and returns the stopped task's description. Throw an error named `States.TaskFailed` to emulate a
 *   failed task, `AmazonECS.Unknown` for a RunTask answered with `failures` (no capacity), or
 *   `ECS.AmazonECSException` for an API error. When the state's `TimeoutSeconds` passes, the state
 *   fails with `States.Timeout` and the signal aborts: Step Functions stops the task (ecs:StopTask).
 *   The signal also aborts when the execution is stopped or times out.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync
 * - `dynamodb:updateItem`, `getItem`, `putItem`, `deleteItem` (the semaphore of builders/proofSlots.ts):
 *   the effective parameters are the DynamoDB API request, sent to a real DynamoDB protocol server
 *   (dynalite on 127.0.0.1); the answer is the API response; an error the service returns is named
 *   `DynamoDB.<exception>` (`DynamoDB.ConditionalCheckFailedException`, ...), and one the SDK cannot
 *   name `DynamoDB.AmazonDynamoDBException`, as the integration reports them:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
 * - `aws-sdk:s3:putObject` (PublishVerificationReport): the effective parameters are the PutObject
 *   request (a string Body is sent as its UTF-8 bytes), sent to a real S3 protocol server (s3rver on
 *   127.0.0.1) through `handlers.s3`; the answer is the API response without its metadata. An error the
 *   service answered (403 AccessDenied, 503 SlowDown, ...) is `S3.S3Exception` with the Java SDK's
 *   Cause text `<message> (Service: S3, Status Code: <code>, Request ID: <id>)`, one that got no
 *   answer `S3.SdkClientException`, as the AWS SDK integration names them:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 *   (S3's 503 arrives as S3.S3Exception: https://github.com/cdklabs/construct-hub/pull/1904)
 * - `aws-sdk:ssm:getParameter` (ReadProverImageRecord): the parameters are the GetParameter request,
 *   sent through `handlers.ssm` (the local SSM stand-in, local/ssm.ts); the answer is the API response
 *   without its metadata. A modeled error is `Ssm.<Error>Exception` (ParameterNotFound is
 *   `Ssm.ParameterNotFoundException`: the integration always adds the suffix), an unmodeled one the
 *   service answered (ThrottlingException, AccessDeniedException) the generic `Ssm.SsmException`, one
 *   that got no answer `Ssm.SdkClientException`:
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * - a Task result over 256 KiB fails the state with `States.DataLimitExceeded`, which `States.ALL`
 *   neither retries nor catches (only a catcher naming it does):
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * An execution ends SUCCEEDED, FAILED, ABORTED (`abort()`) or TIMED_OUT (the definition's own
 * `TimeoutSeconds`), the statuses DescribeExecution reports.
 * Retry intervals are overridden to 0 ms so retries do not slow the tests down, and so is the image
 * gate's Wait state (aws-local-stepfunctions' `waitTimeOverrides`): the gate's bound is a count of
 * checks, which the local run keeps exactly; only the seconds between them are skipped.
 */
import {
    DeleteItemCommand,
    type DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, type GetParameterCommandInput, type SSMClient, SSMServiceException } from "@aws-sdk/client-ssm";
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine } from "aws-local-stepfunctions";
import {
    type JsonValue,
    PROVER_STATES,
    type RunProverParameters,
    type StateMachineDefinition,
} from "../builders/proverStateMachine";
import type { CheckImageSignatureInput, CheckImageSignatureResult, ExecutionInput, FinalizeEvent } from "../lambdas/shared/contracts";

/** RunProver's parameters after Step Functions resolved every `Value.$`. */
export interface RunProverRequest extends Omit<RunProverParameters, "Overrides"> {
    Overrides: { ContainerOverrides: { Name: string; Environment: { Name: string; Value: string }[] }[] };
}

/**
 * Each Lambda handler also receives the `FunctionName` the state names, so a local Lambda service can
 * route by ARN and a state wired to the wrong function fails.
 */
export interface ProverTaskHandlers {
    /** The check-image-signature Lambda, behind VerifyImageSignature and RecheckImageSignature. */
    verifyImageSignature(
        event: CheckImageSignatureInput,
        functionName: string,
    ): CheckImageSignatureResult | Promise<CheckImageSignatureResult>;
    /**
     * The prover task; returns what `ecs:runTask.sync` returns (the task description). `signal` aborts
     * when Step Functions stops the task (the state timed out, or the execution was stopped).
     */
    runProver(request: RunProverRequest, signal: AbortSignal): unknown;
    /** The finalize-callback Lambda, behind every Finalize state. */
    finalize(event: FinalizeEvent, functionName: string): unknown;
    /** The DynamoDB endpoint the `dynamodb:*` Task states reach (a local server). */
    dynamodb: DynamoDBClient;
    /** The S3 endpoint the `aws-sdk:s3:putObject` Task state reaches (a local server), when the definition has one. */
    s3?: S3Client;
    /** The SSM endpoint the `aws-sdk:ssm:getParameter` Task state reaches (the local stand-in), when the definition has one. */
    ssm?: SSMClient;
    /**
     * The verifier-service-runner Lambda (state VerifyProof), when the definition has one. Its event
     * and answer follow the stack's verifier contract (builders/verifierContract.ts): the reference
     * handler's VerifyProofInput / VerifyProofResult, or the application's runner's own shapes.
     */
    verifyProof?(event: unknown, functionName: string): unknown;
}

/** https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: 256 KiB per state input, output and Task result. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export interface LocalExecution {
    /** How the execution ended (DescribeExecution's terminal statuses other than a redrive). */
    status: "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
    /** The execution's output; null when it failed. */
    output: unknown;
    /** Why the execution failed (Step Functions' `{Error, Cause}`). */
    error?: { Error: string; Cause: unknown };
    /** States entered, in order (a retry re-runs a state without entering it again). */
    path: string[];
    /** Every Task invocation, retries included, with the effective parameters Step Functions sent. */
    taskCalls: { state: string; parameters: unknown }[];
    /** The events the finalize Lambda received, with the state that sent each. */
    finalizeCalls: { state: string; event: FinalizeEvent }[];
}

/** The ARN `$$.Execution.Id` resolves to: prover-dispatch names each execution after its executionId. */
export function localExecutionArn(executionId: string): string {
    return `arn:aws:states:us-east-1:123456789012:execution:stark-ballot-simulator-prover-dispatcher-test:${executionId}`;
}

export async function runProverStateMachine(
    definition: StateMachineDefinition,
    input: ExecutionInput,
    handlers: ProverTaskHandlers,
    options: {
        executionArn?: string;
        /** Aborting it stops the execution (StopExecution): ABORTED. */
        signal?: AbortSignal;
        /** Every Wait state waits this many milliseconds instead of its Seconds (default: as defined). */
        waitMs?: number;
    } = {},
): Promise<LocalExecution> {
    const taskCalls: LocalExecution["taskCalls"] = [];
    const finalizeCalls: LocalExecution["finalizeCalls"] = [];
    const S = PROVER_STATES;
    // Aborted when the execution ends without finishing (stopped, timed out): running tasks are stopped.
    const executionEnded = new AbortController();
    const limited = (state: string, task: string, result: JsonValue) => checkResultSize(definition, state, task, result);
    // The library hands each local handler the effective parameters as untyped JSON.
    const lambda = <E>(state: string, fn: (event: E, functionName: string) => unknown) => async (parameters: unknown) => {
        taskCalls.push({ state, parameters });
        const { Payload, FunctionName } = parameters as { Payload: E; FunctionName: string };
        let result: JsonValue;
        try {
            result = { ExecutedVersion: "$LATEST", Payload: toJson(await fn(Payload, FunctionName)), StatusCode: 200 };
        } catch (error) {
            throw asFunctionError(error);
        }
        return limited(state, FunctionName, result);
    };
    const finalize = (state: string) =>
        lambda<FinalizeEvent>(state, (event, functionName) => {
            finalizeCalls.push({ state, event });
            return handlers.finalize(event, functionName);
        });
    const localHandlers = {
        [S.VerifyImageSignature]: lambda(S.VerifyImageSignature, handlers.verifyImageSignature),
        [S.RecheckImageSignature]: lambda(S.RecheckImageSignature, handlers.verifyImageSignature),
        [S.RunProver]: async (parameters: unknown) => {
            taskCalls.push({ state: S.RunProver, parameters });
            const stopTask = new AbortController();
            const onEnded = () => stopTask.abort("execution ended");
            executionEnded.signal.addEventListener("abort", onEnded, { once: true });
            const timeoutSeconds = definition.States.RunProver.TimeoutSeconds;
            let timer: NodeJS.Timeout | undefined;
            const timedOut = new Promise<never>((_, reject) => {
                if (timeoutSeconds === undefined) return;
                timer = setTimeout(() => {
                    // Step Functions calls ecs:StopTask for a .sync task whose state timed out.
                    stopTask.abort("States.Timeout");
                    reject(Object.assign(new Error("States.Timeout"), { name: "States.Timeout" }));
                }, timeoutSeconds * 1000);
            });
            try {
                const task = await Promise.race([Promise.resolve(handlers.runProver(parameters as RunProverRequest, stopTask.signal)), timedOut]);
                return limited(S.RunProver, definition.States.RunProver.Resource, toJson(task));
            } finally {
                clearTimeout(timer);
                executionEnded.signal.removeEventListener("abort", onEnded);
            }
        },
        [S.FinalizeSucceeded]: finalize(S.FinalizeSucceeded),
        [S.FinalizeSignatureFailed]: finalize(S.FinalizeSignatureFailed),
        [S.FinalizeFailed]: finalize(S.FinalizeFailed),
        [S.FinalizeVerificationFailed]: finalize(S.FinalizeVerificationFailed),
        ...(handlers.verifyProof === undefined ? {} : { [S.VerifyProof]: lambda(S.VerifyProof, handlers.verifyProof) }),
    };
    for (const [name, state] of Object.entries(definition.States) as [string, { Type: string; Resource?: string }][]) {
        const action = state.Type === "Task" ? dynamoAction(state.Resource ?? "") : undefined;
        if (action !== undefined) {
            (localHandlers as Record<string, (parameters: unknown) => Promise<unknown>>)[name] = async (parameters: unknown) => {
                taskCalls.push({ state: name, parameters });
                return limited(name, state.Resource!, await callDynamo(handlers.dynamodb, action, parameters));
            };
        }
    }
    // The AWS SDK integrations the definition uses, each answered by its local endpoint: `service` and
    // `action` as the Resource names them. Any other action of these services is refused.
    const sdkIntegrations: { service: string; action: string; call?: (parameters: unknown) => Promise<JsonValue> }[] = [
        { service: "s3", action: "putObject", call: handlers.s3 && ((p) => putObject(handlers.s3!, p as PutObjectCommandInput)) },
        { service: "ssm", action: "getParameter", call: handlers.ssm && ((p) => getParameter(handlers.ssm!, p as GetParameterCommandInput)) },
    ];
    for (const [name, state] of Object.entries(definition.States) as [string, { Type: string; Resource?: string }][]) {
        const sdk = state.Type === "Task" ? /^arn:aws(?:-[a-z]+)*:states:::aws-sdk:([a-z0-9]+):([A-Za-z]+)$/.exec(state.Resource ?? "") : null;
        const integration = sdkIntegrations.find((i) => i.service === sdk?.[1]);
        if (sdk === null || integration === undefined) continue;
        if (sdk[2] !== integration.action) throw new Error(`local Step Functions: ${state.Resource} is not emulated`);
        const call = integration.call;
        // Without a client the state stays unanswered and is reported below, never sent anywhere.
        if (call === undefined) continue;
        (localHandlers as Record<string, (parameters: unknown) => Promise<unknown>>)[name] = async (parameters: unknown) => {
            taskCalls.push({ state: name, parameters });
            return limited(name, state.Resource!, await call(parameters));
        };
    }
    const taskStates = Object.entries(definition.States).filter(([, state]) => state.Type === "Task").map(([name]) => name);
    const unanswered = taskStates.filter((name) => !(name in localHandlers));
    if (unanswered.length > 0) {
        // Without a local handler the library would call the real Lambda service.
        throw new Error(`no local handler for Task state(s) ${unanswered.join(", ")}`);
    }

    // The library (through asl-validator) annotates the definition it is given, so it gets a copy.
    // Our typed ASL is the library's definition type without its index signatures.
    const machine = new StateMachine(toJson(definition) as unknown as ConstructorParameters<typeof StateMachine>[0]);
    const execution = machine.run(toJson(input), {
        context: { Execution: { Id: options.executionArn ?? localExecutionArn(input.payload.executionId), Name: input.payload.executionId } },
        overrides: {
            taskResourceLocalHandlers: localHandlers,
            retryIntervalOverrides: Object.fromEntries(taskStates.map((name) => [name, 0])),
            // Every Wait state waits options.waitMs (default 0: no test waits out a 30 s gate recheck or a 60 s slot poll).
            waitTimeOverrides: Object.fromEntries(
                Object.entries(definition.States).filter(([, state]) => state.Type === "Wait").map(([name]) => [name, options.waitMs ?? 0]),
            ),
        },
    });
    const onStop = () => execution.abort();
    if (options.signal?.aborted) onStop();
    options.signal?.addEventListener("abort", onStop, { once: true });
    const settled = await execution.result.then(
        (output) => ({ ok: true as const, output }),
        (reason: unknown) => ({ ok: false as const, reason }),
    );
    options.signal?.removeEventListener("abort", onStop);
    if (!settled.ok) executionEnded.abort();
    const path: string[] = [];
    let error: LocalExecution["error"];
    // The logger closes when the execution ends, so the queued events can be drained afterwards.
    for await (const event of execution.eventLogs) {
        if (event.type === "StateEntered") {
            path.push(event.state.name);
        } else if (event.type === "ExecutionFailed") {
            error = { Error: event.Error, Cause: event.Cause };
        }
    }
    if (settled.ok) {
        return { status: "SUCCEEDED", output: settled.output, path, taskCalls, finalizeCalls };
    }
    if (settled.reason instanceof ExecutionAbortedError) {
        return { status: "ABORTED", output: null, path, taskCalls, finalizeCalls };
    }
    if (settled.reason instanceof ExecutionTimeoutError) {
        // What DescribeExecution reports for an execution past the definition's TimeoutSeconds.
        const timeoutError = { Error: "States.Timeout", Cause: `The execution exceeded its TimeoutSeconds (${(definition as { TimeoutSeconds?: number }).TimeoutSeconds} s)` };
        return { status: "TIMED_OUT", output: null, error: timeoutError, path, taskCalls, finalizeCalls };
    }
    if (error === undefined) {
        // Neither failed, aborted nor timed out: a bug worth surfacing as is.
        throw settled.reason;
    }
    return { status: "FAILED", output: null, error, path, taskCalls, finalizeCalls };
}

/**
 * Errors of the definition under asl-validator with JSONPath and ARN checks on; empty when valid.
 * asl-validator annotates the document it checks, so it checks a copy.
 */
export function aslValidationErrors(definition: StateMachineDefinition): string[] {
    // asl-validator ships no type declarations.
    const validate: (d: unknown, o: { checkPaths: boolean; checkArn: boolean }) => { errors: { "Error code": string; Message: string }[] } =
        require("asl-validator");
    return validate(toJson(definition), { checkPaths: true, checkArn: true }).errors.map((e) => `${e["Error code"]}: ${e.Message}`);
}

function asFunctionError(error: unknown): Error {
    const thrown = error instanceof Error ? error : new Error(String(error));
    if (thrown.name.startsWith("Lambda.")) {
        return thrown;
    }
    // The Node.js runtime's error response: errorType, errorMessage and the stack as `trace` lines.
    // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
    const trace = (thrown.stack ?? `${thrown.name}: ${thrown.message}`).split("\n");
    const functionError = new Error(JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message, trace }));
    functionError.name = thrown.name;
    return functionError;
}

/**
 * A Task result over 256 KiB fails the state with `States.DataLimitExceeded`. Step Functions never
 * retries it, and `States.ALL` does not catch it: only a catcher that names it does (as deployed
 * state machines rely on: https://github.com/cdklabs/construct-hub/pull/1651).
 */
function checkResultSize(definition: StateMachineDefinition, state: string, task: string, result: JsonValue): JsonValue {
    const bytes = Buffer.byteLength(JSON.stringify(result ?? null));
    if (bytes <= MAX_PAYLOAD_BYTES) return result;
    const catchers = (definition.States as unknown as Record<string, { Catch?: { ErrorEquals: string[] }[] }>)[state].Catch ?? [];
    const namedByACatcher = catchers.some((c) => c.ErrorEquals.includes("States.DataLimitExceeded"));
    throw Object.assign(
        // The Cause names the task (for a Lambda, its ARN), as in Step Functions' own message.
        new Error(`The state/task '${task}' returned a result with a size exceeding the maximum number of bytes service limit.`),
        // The library reads these two flags: no retrier applies, and only an explicit catcher may catch it.
        { name: "States.DataLimitExceeded", isRetryable: false, isCatchable: namedByACatcher },
    );
}

const DYNAMO_ACTIONS = {
    updateItem: UpdateItemCommand,
    getItem: GetItemCommand,
    putItem: PutItemCommand,
    deleteItem: DeleteItemCommand,
} as const;
type DynamoAction = keyof typeof DYNAMO_ACTIONS;

/** `arn:<partition>:states:::dynamodb:<action>` (request-response only: the integration has no .sync). */
function dynamoAction(resource: string): DynamoAction | undefined {
    const match = /^arn:aws(?:-[a-z]+)*:states:::dynamodb:([A-Za-z]+)$/.exec(resource);
    if (match === null) return undefined;
    if (!(match[1] in DYNAMO_ACTIONS)) throw new Error(`local Step Functions: dynamodb:${match[1]} is not emulated`);
    return match[1] as DynamoAction;
}

async function callDynamo(client: DynamoDBClient, action: DynamoAction, parameters: unknown): Promise<JsonValue> {
    const Command = DYNAMO_ACTIONS[action] as unknown as new (input: unknown) => UpdateItemCommand;
    try {
        const { $metadata: _metadata, ...output } = await client.send(new Command(parameters));
        // Items of the slot table hold only S and N attributes: the output is plain JSON.
        return output as JsonValue;
    } catch (error) {
        const e = error as Error & { $fault?: string };
        // Errors the service answered carry its exception name; anything else is the integration's generic one.
        const named = e.$fault !== undefined && /^[A-Za-z]+$/.test(e.name) ? e.name : "AmazonDynamoDBException";
        throw Object.assign(new Error(e.message), { name: `DynamoDB.${named}` });
    }
}

async function putObject(client: S3Client, parameters: PutObjectCommandInput): Promise<JsonValue> {
    try {
        const { $metadata: _metadata, ...output } = await client.send(new PutObjectCommand(parameters));
        // PutObject answers strings only (ETag, VersionId, checksums, encryption): plain JSON.
        return output as JsonValue;
    } catch (error) {
        const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
        const status = e.$metadata?.httpStatusCode;
        if (e.$fault === undefined || status === undefined) {
            throw Object.assign(new Error(`Unable to execute HTTP request: ${e.message}`), { name: "S3.SdkClientException" });
        }
        throw Object.assign(new Error(`${e.message} (Service: S3, Status Code: ${status}, Request ID: ${e.$metadata?.requestId ?? "local"})`), { name: "S3.S3Exception" });
    }
}

async function getParameter(client: SSMClient, parameters: GetParameterCommandInput): Promise<JsonValue> {
    try {
        const { $metadata: _metadata, ...output } = await client.send(new GetParameterCommand(parameters));
        // Dates (LastModifiedDate) cross the boundary as JSON does.
        return toJson(output);
    } catch (error) {
        const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
        const status = e.$metadata?.httpStatusCode;
        if (e.$fault === undefined || status === undefined) {
            throw Object.assign(new Error(`Unable to execute HTTP request: ${e.message}`), { name: "Ssm.SdkClientException" });
        }
        // A modeled error has its own class; one the model does not declare is the service's base class.
        const modeled = e instanceof SSMServiceException && e.constructor !== SSMServiceException;
        throw Object.assign(new Error(`${e.message} (Service: Ssm, Status Code: ${status}, Request ID: ${e.$metadata?.requestId ?? "local"})`), {
            name: modeled ? `Ssm.${e.name}Exception` : "Ssm.SsmException",
        });
    }
}

/** A JSON round trip: what crosses a service boundary, and a copy nobody else holds. */
function toJson(value: unknown): JsonValue {
    return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}
