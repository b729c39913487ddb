/**
 * `ecs:runTask.sync` for the stack's one task definition: checks the request against the synthesized
 * cluster, task definition and container, builds the container's environment the way ECS does (the
 * task definition's variables, then the overrides), runs the real prover runner with it, and answers
 * like Step Functions: the stopped task's description, or `States.TaskFailed` with that description
 * as the cause when the essential container exited non-zero or the task stopped for another reason.
 *
 * The unhappy answers it can give (see `EcsFault`), each as AWS documents it:
 * - RunTask answers 200 with a non-empty `failures` list (no Fargate capacity, a vCPU quota): a `.sync`
 *   state then fails with `AmazonECS.Unknown`, and no task exists
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html, "Key features");
 * - the task stops with stop code `TaskFailedToStart` (here: the image cannot be pulled), so the
 *   container never ran and has no exit code, or `SpotInterruption` (the runner gets SIGTERM and
 *   stops) (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html);
 * - Step Functions stops the task itself (ecs:StopTask) when the state times out or the execution is
 *   stopped (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync):
 *   the runner gets SIGTERM (its abort signal), as in a container.
 *
 * What differs from Fargate, and only this: the scratch volume is a temp directory (SCRATCH_DIR), the
 * image's host binary is the fake host (HOST_BIN), the host runs as the runner's user (no
 * ZKVM_HOST_USER: the runner is the test process, not a root container), and the task role is
 * replaced by credentials and an endpoint for the local S3 server.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { runProver } from "../prover/runner/runProver";
import type { RunProverRequest } from "./stateMachine";
import type { PipelineWiring } from "./stackWiring";

/**
 * The stopped task as `ecs:runTask.sync` reports it, in Step Functions' PascalCase: its output on
 * success, and the `Cause` (as JSON) of `States.TaskFailed` when the essential container exited
 * non-zero. A subset of the real fields, the ones operators and the pipeline read.
 */
export interface StoppedTask {
    ClusterArn: string;
    TaskArn: string;
    TaskDefinitionArn: string;
    LastStatus: "STOPPED";
    DesiredStatus: "STOPPED";
    StopCode: TaskStopCode;
    StoppedReason: string;
    /** `ExitCode` is absent when the container never ran (TaskFailedToStart); `Reason` says why. */
    Containers: { Name: string; Image: string; ExitCode?: number; Reason?: string; LastStatus: "STOPPED" }[];
}

/** The stop codes this stand-in reports (a subset of ECS's `TaskStopCode`). */
export type TaskStopCode = "EssentialContainerExited" | "TaskFailedToStart" | "SpotInterruption" | "UserInitiated";

/**
 * What the local ECS is told to do instead of running the task normally:
 * - `capacity`: RunTask answers with `failures` (Fargate has no capacity), no task starts;
 * - `TaskFailedToStart`: the task is placed but its image cannot be pulled;
 * - `SpotInterruption`: the task runs and is interrupted by Fargate Spot after `spotInterruptionAfterMs`.
 */
export type EcsFault = "capacity" | "TaskFailedToStart" | "SpotInterruption";

/** `failures[].reason` of a RunTask that found no Fargate capacity (as the RunTask API reports it). */
export const CAPACITY_UNAVAILABLE_REASON = "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/** The stopped task from a `States.TaskFailed` this module raised, if it is one. */
export function failedTask(error: unknown): StoppedTask | undefined {
    if (!(error instanceof Error) || error.name !== "States.TaskFailed") return undefined;
    try {
        return JSON.parse(error.message) as StoppedTask;
    } catch {
        return undefined;
    }
}

/** The essential container's exit code from a `States.TaskFailed` this module raised, if it has one. */
export function failedTaskExitCode(error: unknown): number | undefined {
    return failedTask(error)?.Containers[0].ExitCode;
}

export interface TaskRun {
    taskArn: string;
    /** The container's environment after the overrides, before the local substitutions. */
    environment: Record<string, string>;
    /** Undefined when the container never ran. */
    exitCode: number | undefined;
    stopCode: TaskStopCode;
    logLines: Record<string, unknown>[];
}

export interface LocalEcsOptions {
    wiring: Pick<PipelineWiring, "clusterArn" | "taskDefinition" | "region" | "accountId">;
    /** Where each task gets its scratch directory. */
    workDir: string;
    hostBin: string;
    /** Client the runner uses for S3 (points at the local server, may inject faults). */
    s3: S3Client;
    /** Extra variables for the container, applied last (fault injection: FAKE_HOST_MODE, a shorter timeout). */
    extraEnvironment: () => Record<string, string>;
    onLine?: (line: Record<string, unknown>) => void;
    /** Asked once per RunTask; undefined runs the task normally. */
    fault?: () => EcsFault | undefined;
    /** When a Spot interruption hits a running task. Default 300 ms. */
    spotInterruptionAfterMs?: number;
}

export class LocalEcs {
    readonly runs: TaskRun[] = [];
    /** RunTask calls answered with `failures` (no task started), in order. */
    readonly placementFailures: { reason: string }[] = [];
    /** Tasks still running (a stopped task's runner may still be winding down). */
    private readonly running = new Set<Promise<unknown>>();

    constructor(private readonly options: LocalEcsOptions) {}

    /** Resolves once every task started so far has stopped. */
    async idle(): Promise<void> {
        while (this.running.size > 0) {
            await Promise.allSettled([...this.running]);
        }
    }

    /**
     * RunTask and wait for the task to stop. `signal` is Step Functions stopping the task (StopTask,
     * on a state timeout or a stopped execution): the runner gets SIGTERM.
     */
    async runTask(request: RunProverRequest, signal?: AbortSignal): Promise<StoppedTask> {
        const { wiring } = this.options;
        if (request.Cluster !== wiring.clusterArn) {
            throw ecsError("ClusterNotFoundException", `Cluster not found: ${request.Cluster}`);
        }
        if (request.TaskDefinition !== wiring.taskDefinition.arn) {
            throw ecsError("ClientException", `Unable to describe task definition ${request.TaskDefinition}`);
        }
        if (request.NetworkConfiguration.AwsvpcConfiguration.Subnets.length === 0) {
            throw ecsError("InvalidParameterException", "subnets can not be empty.");
        }
        const container = wiring.taskDefinition.container;
        const environment = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
        for (const override of request.Overrides.ContainerOverrides) {
            if (override.Name !== container.name) {
                throw ecsError("InvalidParameterException", `Override for container named ${override.Name} is not a container in the TaskDefinition.`);
            }
            for (const entry of override.Environment) environment[entry.Name] = entry.Value;
        }

        const fault = this.options.fault?.();
        if (fault === "capacity") {
            // RunTask's HTTP 200 with `failures` and no task; `.sync` turns it into AmazonECS.Unknown.
            this.placementFailures.push({ reason: CAPACITY_UNAVAILABLE_REASON });
            const response = { Failures: [{ Arn: wiring.clusterArn, Reason: CAPACITY_UNAVAILABLE_REASON }], Tasks: [] };
            throw Object.assign(new Error(JSON.stringify(response)), { name: "AmazonECS.Unknown" });
        }

        const taskId = randomUUID().replace(/-/g, "");
        const clusterName = wiring.clusterArn.split("/").pop();
        const taskArn = `arn:aws:ecs:${wiring.region}:${wiring.accountId}:task/${clusterName}/${taskId}`;
        const stopped = (stopCode: TaskStopCode, stoppedReason: string, exitCode: number | undefined, reason?: string): StoppedTask => ({
            ClusterArn: wiring.clusterArn,
            TaskArn: taskArn,
            TaskDefinitionArn: wiring.taskDefinition.arn,
            LastStatus: "STOPPED",
            DesiredStatus: "STOPPED",
            StopCode: stopCode,
            StoppedReason: stoppedReason,
            Containers: [
                {
                    Name: container.name,
                    Image: container.image,
                    ...(exitCode === undefined ? {} : { ExitCode: exitCode }),
                    ...(reason === undefined ? {} : { Reason: reason }),
                    LastStatus: "STOPPED",
                },
            ],
        });
        if (fault === "TaskFailedToStart") {
            const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${container.image}: not found`;
            this.runs.push({ taskArn, environment, exitCode: undefined, stopCode: "TaskFailedToStart", logLines: [] });
            throw taskFailed(stopped("TaskFailedToStart", reason, undefined, reason));
        }

        // SIGTERM for the runner: Step Functions' StopTask or a Spot interruption, whichever comes first.
        const stop = new AbortController();
        let stopReason: { code: TaskStopCode; reason: string } | undefined;
        const stopWith = (code: TaskStopCode, reason: string) => {
            if (stopReason !== undefined) return;
            stopReason = { code, reason };
            stop.abort(code);
        };
        const onStopTask = () => stopWith("UserInitiated", "Task stopped by AWS Step Functions (ecs:StopTask)");
        if (signal?.aborted) onStopTask();
        signal?.addEventListener("abort", onStopTask, { once: true });
        const spotTimer =
            fault === "SpotInterruption"
                ? setTimeout(() => stopWith("SpotInterruption", "Your Spot Task was interrupted."), this.options.spotInterruptionAfterMs ?? 300)
                : undefined;

        const scratchDir = fs.mkdtempSync(path.join(this.options.workDir, "scratch-"));
        const logLines: Record<string, unknown>[] = [];
        const run = runProver(
            {
                PATH: process.env.PATH,
                AWS_REGION: wiring.region,
                ...environment,
                SCRATCH_DIR: scratchDir,
                HOST_BIN: this.options.hostBin,
                // The runner here is this test process, not a root container: the host runs as its
                // user. tests/prover/credentialIsolation.test.ts runs the isolated case as root.
                ZKVM_HOST_USER: undefined,
                ...this.options.extraEnvironment(),
            },
            {
                s3: this.options.s3,
                write: (text) => {
                    for (const raw of text.split("\n").filter((line) => line !== "")) {
                        const line = JSON.parse(raw) as Record<string, unknown>;
                        logLines.push(line);
                        this.options.onLine?.(line);
                    }
                },
                // Same policy (3 attempts, doubling), scaled down so a retried upload takes milliseconds.
                retryBaseDelayMs: 20,
                killGraceMs: 500,
                signal: stop.signal,
            },
        );
        this.running.add(run);
        let exitCode: number;
        try {
            exitCode = await run;
        } finally {
            this.running.delete(run);
            clearTimeout(spotTimer);
            signal?.removeEventListener("abort", onStopTask);
        }
        const stopCode = stopReason?.code ?? "EssentialContainerExited";
        this.runs.push({ taskArn, environment, exitCode, stopCode, logLines });

        const description = stopped(stopCode, stopReason?.reason ?? "Essential container in task exited", exitCode);
        if (exitCode !== 0 || stopReason !== undefined) {
            throw taskFailed(description);
        }
        return description;
    }
}

function taskFailed(description: StoppedTask): Error {
    return Object.assign(new Error(JSON.stringify(description)), { name: "States.TaskFailed" });
}

/** ECS API errors as Step Functions names them. */
function ecsError(name: string, message: string): Error {
    return Object.assign(new Error(message), { name: `ECS.${name}` });
}
