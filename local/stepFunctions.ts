/**
 * Step Functions' `StartExecution` and `DescribeExecution` for the one state machine of the stack, with the semantics
 * prover-dispatch relies on: an execution name is unique per state machine; starting a name again
 * with the same input while it runs returns the same execution, and with another input (or after it
 * ended) fails with `ExecutionAlreadyExists`. Each execution runs the synthesized definition through
 * `runProverStateMachine`, in the background as in AWS.
 */
import {
    DescribeExecutionCommand,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidName,
    SFNClient,
    StartExecutionCommand,
    StateMachineDoesNotExist,
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
            .callsFake(async (input: { executionArn?: string }) => this.describe(input.executionArn));
        return client;
    }

    private describe(executionArn: string | undefined) {
        const execution = [...this.executions.values()].find((e) => e.arn === executionArn);
        if (!execution) {
            throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });
        }
        const base = { executionArn: execution.arn, stateMachineArn: this.stateMachine.arn, name: execution.name, input: execution.input, startDate: execution.startedAt };
        const outcome = execution.outcome;
        if (outcome === undefined) return { ...base, status: "RUNNING" as const };
        if (outcome.status === "SUCCEEDED") return { ...base, status: "SUCCEEDED" as const, output: JSON.stringify(outcome.output) };
        const cause = outcome.error?.Cause;
        return { ...base, status: "FAILED" as const, error: outcome.error?.Error, cause: typeof cause === "string" ? cause : JSON.stringify(cause) };
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
        const execution: StartedExecution = { name, arn, input, startedAt: new Date(), running: true, result: undefined as never };
        // Started on the next tick, as AWS answers StartExecution before the first state runs.
        execution.result = Promise.resolve()
            .then(() => runProverStateMachine(this.stateMachine.definition, JSON.parse(input) as ExecutionInput, this.handlers, { executionArn: arn }))
            .then((outcome) => {
                execution.outcome = outcome;
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
