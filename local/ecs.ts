/**
 * `ecs:runTask.sync` for the stack's one task definition: checks the request against the synthesized
 * cluster, task definition and container, builds the container's environment the way ECS does (the
 * task definition's variables, then the overrides), runs the real prover runner with it, and answers
 * like Step Functions: the stopped task's description, or `States.TaskFailed` with that description
 * as the cause when the essential container exited non-zero.
 *
 * What differs from Fargate, and only this: the scratch volume is a temp directory (SCRATCH_DIR), the
 * image's host binary is the fake host (HOST_BIN), and the task role is replaced by credentials and
 * an endpoint for the local S3 server.
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
    StopCode: "EssentialContainerExited";
    StoppedReason: string;
    Containers: { Name: string; Image: string; ExitCode: number; LastStatus: "STOPPED" }[];
}

/** The essential container's exit code from a `States.TaskFailed` this module raised, if it is one. */
export function failedTaskExitCode(error: unknown): number | undefined {
    if (!(error instanceof Error) || error.name !== "States.TaskFailed") return undefined;
    try {
        return (JSON.parse(error.message) as StoppedTask).Containers[0].ExitCode;
    } catch {
        return undefined;
    }
}

export interface TaskRun {
    taskArn: string;
    /** The container's environment after the overrides, before the local substitutions. */
    environment: Record<string, string>;
    exitCode: number;
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
}

export class LocalEcs {
    readonly runs: TaskRun[] = [];

    constructor(private readonly options: LocalEcsOptions) {}

    async runTask(request: RunProverRequest): Promise<StoppedTask> {
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

        const taskId = randomUUID().replace(/-/g, "");
        const clusterName = wiring.clusterArn.split("/").pop();
        const taskArn = `arn:aws:ecs:${wiring.region}:${wiring.accountId}:task/${clusterName}/${taskId}`;
        const scratchDir = fs.mkdtempSync(path.join(this.options.workDir, "scratch-"));
        const logLines: Record<string, unknown>[] = [];
        const exitCode = await runProver(
            {
                PATH: process.env.PATH,
                AWS_REGION: wiring.region,
                ...environment,
                SCRATCH_DIR: scratchDir,
                HOST_BIN: this.options.hostBin,
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
            },
        );
        this.runs.push({ taskArn, environment, exitCode, logLines });

        const description: StoppedTask = {
            ClusterArn: wiring.clusterArn,
            TaskArn: taskArn,
            TaskDefinitionArn: wiring.taskDefinition.arn,
            LastStatus: "STOPPED",
            DesiredStatus: "STOPPED",
            StopCode: "EssentialContainerExited",
            StoppedReason: "Essential container in task exited",
            Containers: [{ Name: container.name, Image: container.image, ExitCode: exitCode, LastStatus: "STOPPED" }],
        };
        if (exitCode !== 0) {
            throw Object.assign(new Error(JSON.stringify(description)), { name: "States.TaskFailed" });
        }
        return description;
    }
}

/** ECS API errors as Step Functions names them. */
function ecsError(name: string, message: string): Error {
    return Object.assign(new Error(message), { name: `ECS.${name}` });
}
