/**
 * Runs the prover dispatcher's definition locally (aws-local-stepfunctions) with every Task state
 * answered by a local function instead of AWS, so tests can drive each branch and an end-to-end test
 * can plug the real handlers in. It emulates the two integrations the definition uses the way Step
 * Functions does:
 * - `lambda:invoke`: the handler receives `Parameters.Payload` (the function's event); its return value
 *   comes back as `{ExecutedVersion, Payload, StatusCode}`. A throw becomes a function error: Error is
 *   the thrown error's name (the Lambda `errorType`), Cause the JSON `{errorType, errorMessage}` (AWS
 *   also adds a `trace`). Errors named `Lambda.*` stand for the Lambda service's own errors and pass
 *   through unchanged.
 * - `ecs:runTask.sync`: the handler receives the effective RunTask parameters and returns the stopped
 *   task's description. Throw an error named `States.TaskFailed` to emulate a failed task, or
 *   `ECS.AmazonECSException` for a capacity shortage.
 * Retry intervals are overridden to 0 ms so retries do not slow the tests down, and so is the image
 * gate's Wait state (aws-local-stepfunctions' `waitTimeOverrides`): the gate's bound is a count of
 * checks, which the local run keeps exactly; only the seconds between them are skipped.
 */
import "./polyfills";
import { StateMachine } from "aws-local-stepfunctions";
import {
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
    /** The prover task; returns what `ecs:runTask.sync` returns (the task description). */
    runProver(request: RunProverRequest): unknown;
    /** The finalize-callback Lambda, behind all three Finalize states. */
    finalize(event: FinalizeEvent, functionName: string): unknown;
}

export interface LocalExecution {
    status: "SUCCEEDED" | "FAILED";
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
    options: { executionArn?: string } = {},
): Promise<LocalExecution> {
    const taskCalls: LocalExecution["taskCalls"] = [];
    const finalizeCalls: LocalExecution["finalizeCalls"] = [];
    const S = PROVER_STATES;
    // The library hands each local handler the effective parameters as untyped JSON.
    const lambda = <E>(state: string, fn: (event: E, functionName: string) => unknown) => async (parameters: unknown) => {
        taskCalls.push({ state, parameters });
        const { Payload, FunctionName } = parameters as { Payload: E; FunctionName: string };
        try {
            return { ExecutedVersion: "$LATEST", Payload: toJson(await fn(Payload, FunctionName)), StatusCode: 200 };
        } catch (error) {
            throw asFunctionError(error);
        }
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
            return toJson(await handlers.runProver(parameters as RunProverRequest));
        },
        [S.FinalizeSucceeded]: finalize(S.FinalizeSucceeded),
        [S.FinalizeSignatureFailed]: finalize(S.FinalizeSignatureFailed),
        [S.FinalizeFailed]: finalize(S.FinalizeFailed),
    };
    const taskStates = Object.entries(definition.States).filter(([, state]) => state.Type === "Task").map(([name]) => name);
    const unanswered = taskStates.filter((name) => !(name in localHandlers));
    if (unanswered.length > 0) {
        // Without a local handler the library would call the real Lambda service.
        throw new Error(`no local handler for Task state(s) ${unanswered.join(", ")}`);
    }

    // The library (through asl-validator) annotates the definition it is given, so it gets a copy.
    const machine = new StateMachine(toJson(definition));
    const execution = machine.run(toJson(input), {
        context: { Execution: { Id: options.executionArn ?? localExecutionArn(input.payload.executionId), Name: input.payload.executionId } },
        overrides: {
            taskResourceLocalHandlers: localHandlers,
            retryIntervalOverrides: Object.fromEntries(taskStates.map((name) => [name, 0])),
            waitTimeOverrides: Object.fromEntries(
                Object.entries(definition.States).filter(([, state]) => state.Type === "Wait").map(([name]) => [name, 0]),
            ),
        },
    });
    const settled = await execution.result.then(
        (output) => ({ ok: true as const, output }),
        (reason: unknown) => ({ ok: false as const, reason }),
    );
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
    if (error === undefined) {
        // Aborted or timed out: not an outcome of this definition, so a bug worth surfacing as is.
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
    const functionError = new Error(JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message }));
    functionError.name = thrown.name;
    return functionError;
}

/** A JSON round trip: what crosses a service boundary, and a copy nobody else holds. */
function toJson<T>(value: T): any {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
