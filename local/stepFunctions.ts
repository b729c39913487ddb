/**
 * Step Functions' `StartExecution` and `DescribeExecution` for the one state machine of the stack, with the semantics
 * prover-dispatch relies on: an execution name is unique per state machine; starting a name again
 * with the same input while it runs returns the same execution, and with another input (or after it
 * ended) fails with `ExecutionAlreadyExists`. Each execution runs the synthesized definition through
 * `runProverStateMachine`, in the background as in AWS.
 *
 * DescribeExecution reports every status of the API
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html#StepFunctions-DescribeExecution-response-status):
 * RUNNING, SUCCEEDED, FAILED, TIMED_OUT (the definition's TimeoutSeconds passed), ABORTED
 * (`StopExecution`, with the error and cause it was given) and PENDING_REDRIVE (`RedriveExecution`
 * accepted a FAILED, ABORTED or TIMED_OUT execution that has not started running again; the redrive
 * itself is not emulated, so the execution stays there). Stopping or timing out an execution stops
 * its running ECS task, as Step Functions does for `.sync` tasks.
 */
import {
    DescribeExecutionCommand,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidName,
    RedriveExecutionCommand,
    SFNClient,
    StartExecutionCommand,
    StateMachineDoesNotExist,
    StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import type { StateMachineDefinition } from "../builders/proverStateMachine";
import type { ExecutionInput } from "../lambdas/shared/contracts";
import { type LocalExecution, type ProverTaskHandlers, runProverStateMachine } from "./stateMachine";

/** https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name */
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

export interface StartedExecution {
    name: string;
    arn: string;
    input: string;
    startedAt: Date;
    running: boolean;
    result: Promise<LocalExecution>;
    /** Set once it ended. */
    outcome?: LocalExecution;
    /** Set once it ended. */
    stoppedAt?: Date;
    /** Aborting it stops the execution. */
    stop: AbortController;
    /** The error and cause StopExecution was given. */
    stopReason?: { error?: string; cause?: string };
    /** Set by RedriveExecution: the execution waits to run again. */
    pendingRedrive?: { redriveCount: number };
}

export class LocalStepFunctions {
    readonly executions = new Map<string, StartedExecution>();
    /** Every StartExecution request, accepted or not. */
    readonly startRequests: { name?: string; stateMachineArn?: string; outcome: "started" | "same-execution" | string }[] = [];

    constructor(
        private readonly stateMachine: { arn: string; definition: StateMachineDefinition },
        private readonly handlers: ProverTaskHandlers,
        private readonly region: string,
        /** Told when an execution ends. */
        private readonly onEnded: (execution: StartedExecution, outcome: LocalExecution) => void = () => undefined,
        /** Every Wait state waits this many milliseconds instead of its Seconds (default: as defined). */
        private readonly waitMs?: number,
    ) {}

    client(): SFNClient {
        const client = new SFNClient({ region: this.region });
        mockClient(client)
            .on(StartExecutionCommand)
            .callsFake(async (input: { stateMachineArn?: string; name?: string; input?: string }) => {
                try {
                    const { execution, outcome } = this.start(input);
                    this.startRequests.push({ name: input.name, stateMachineArn: input.stateMachineArn, outcome });
                    return { executionArn: execution.arn, startDate: execution.startedAt };
                } catch (error) {
                    this.startRequests.push({ name: input.name, stateMachineArn: input.stateMachineArn, outcome: (error as Error).name });
                    throw error;
                }
            })
            .on(DescribeExecutionCommand)
            .callsFake(async (input: { executionArn?: string }) => this.describe(input.executionArn))
            .on(StopExecutionCommand)
            .callsFake(async (input: { executionArn?: string; error?: string; cause?: string }) => this.stopExecution(input.executionArn, input.error, input.cause))
            .on(RedriveExecutionCommand)
            .callsFake(async (input: { executionArn?: string }) => this.redrive(input.executionArn));
        return client;
    }

    /**
     * StopExecution: the execution ends ABORTED with the given error and cause, and its running task
     * is stopped. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
     */
    async stopExecution(executionArn: string | undefined, error?: string, cause?: string): Promise<{ stopDate: Date }> {
        const execution = this.find(executionArn);
        if (execution.running) {
            execution.stopReason = { error, cause };
            execution.stop.abort();
            await execution.result;
        }
        return { stopDate: execution.stoppedAt ?? new Date() };
    }

    /**
     * RedriveExecution: only a FAILED, ABORTED or TIMED_OUT execution can be redriven; it is then
     * PENDING_REDRIVE until it runs again (not emulated: it stays there).
     * https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
     */
    redrive(executionArn: string | undefined): { redriveDate: Date } {
        const execution = this.find(executionArn);
        const status = execution.outcome?.status;
        if (status === undefined || status === "SUCCEEDED" || execution.pendingRedrive !== undefined) {
            throw new ExecutionNotRedrivable({ message: `Execution '${execution.arn}' cannot be redriven: it is ${execution.pendingRedrive ? "PENDING_REDRIVE" : status ?? "RUNNING"}`, $metadata: { httpStatusCode: 400 } });
        }
        execution.pendingRedrive = { redriveCount: 1 };
        return { redriveDate: new Date() };
    }

    private find(executionArn: string | undefined): StartedExecution {
        const execution = [...this.executions.values()].find((e) => e.arn === executionArn);
        if (!execution) {
            throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: { httpStatusCode: 400 } });
        }
        return execution;
    }

    private describe(executionArn: string | undefined) {
        const execution = this.find(executionArn);
        const base = { executionArn: execution.arn, stateMachineArn: this.stateMachine.arn, name: execution.name, input: execution.input, startDate: execution.startedAt };
        const outcome = execution.outcome;
        if (outcome === undefined) return { ...base, status: "RUNNING" as const };
        if (execution.pendingRedrive !== undefined) {
            // Between RedriveExecution and the redriven run: no stop date, no error yet.
            return { ...base, status: "PENDING_REDRIVE" as const, redriveCount: execution.pendingRedrive.redriveCount };
        }
        const ended = { ...base, stopDate: execution.stoppedAt };
        if (outcome.status === "SUCCEEDED") return { ...ended, status: "SUCCEEDED" as const, output: JSON.stringify(outcome.output) };
        if (outcome.status === "ABORTED") {
            // Error and cause only when StopExecution was given them.
            return { ...ended, status: "ABORTED" as const, error: execution.stopReason?.error, cause: execution.stopReason?.cause };
        }
        if (outcome.status === "TIMED_OUT") {
            // No error or cause: States.Timeout is only in the execution's history (as AWS answers it,
            // https://github.com/floci-io/floci/issues/2733 quotes a DescribeExecution of a timed-out execution).
            return { ...ended, status: "TIMED_OUT" as const };
        }
        const cause = outcome.error?.Cause;
        return { ...ended, status: outcome.status, error: outcome.error?.Error, cause: typeof cause === "string" ? cause : JSON.stringify(cause) };
    }

    /** Resolves when every execution started so far (and any they lead to) has ended. */
    async settled(): Promise<LocalExecution[]> {
        let count: number;
        do {
            count = this.executions.size;
            await Promise.all([...this.executions.values()].map((e) => e.result));
        } while (count !== this.executions.size);
        return Promise.all([...this.executions.values()].map((e) => e.result));
    }

    private start(request: { stateMachineArn?: string; name?: string; input?: string }): { execution: StartedExecution; outcome: string } {
        const $metadata = {};
        if (request.stateMachineArn !== this.stateMachine.arn) {
            throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${request.stateMachineArn}'`, $metadata });
        }
        const name = request.name ?? "";
        if (!EXECUTION_NAME.test(name)) {
            throw new InvalidName({ message: `Invalid Name: '${name}'`, $metadata });
        }
        const input = request.input ?? "{}";
        const existing = this.executions.get(name);
        if (existing) {
            if (existing.running && existing.input === input) {
                return { execution: existing, outcome: "same-execution" };
            }
            throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.arn}'`, $metadata });
        }
        const arn = `${this.stateMachine.arn.replace(":stateMachine:", ":execution:")}:${name}`;
        const execution: StartedExecution = { name, arn, input, startedAt: new Date(), running: true, result: undefined as never, stop: new AbortController() };
        // Started on the next tick, as AWS answers StartExecution before the first state runs.
        execution.result = Promise.resolve()
            .then(() =>
                runProverStateMachine(this.stateMachine.definition, JSON.parse(input) as ExecutionInput, this.handlers, { executionArn: arn, signal: execution.stop.signal, waitMs: this.waitMs }),
            )
            .then((outcome) => {
                execution.outcome = outcome;
                execution.stoppedAt = new Date();
                this.onEnded(execution, outcome);
                return outcome;
            })
            .finally(() => {
                execution.running = false;
            });
        this.executions.set(name, execution);
        return { execution, outcome: "started" };
    }
}
