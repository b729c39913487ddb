/**
 * What the local pipeline needs from a synthesized stack, read from the resources the program
 * registered (never from copies of their settings): the state-machine definition, the task
 * definition's container, each function's environment, the queue's redrive policy, the event source
 * mapping, the tables' keys and the secret parameters. Computed attributes (ARNs, URLs) are derived
 * with the same `mockState` the mocks used, so they match the ARNs inside the definitions.
 *
 * Pure: no servers, no Pulumi runtime. Every lookup fails with the names that do exist.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { StateMachineDefinition } from "../builders/proverStateMachine";
import { physicalName } from "../builders/names";
import { PROVER_CONTAINER_NAME } from "../lambdas/shared/contracts";
import type { KeyAttribute, TableSchema } from "../lambdas/shared/tables";
import { type MockAccount, mockState } from "../offline/mockCloud";

/** The functions of the pipeline, by the role their physical name carries. */
export const FUNCTION_ROLES = ["api", "prover-dispatch", "finalize-callback", "check-image-signature", "proof-slot-cleanup"] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];
/** The optional function: present when the stack configures a verifier (config `verifier`). */
export const VERIFIER_ROLE = "verifier-service-runner";

export interface FunctionWiring {
    name: string;
    arn: string;
    /** `environment.variables` exactly as the program set them. */
    environment: Record<string, string>;
    timeoutSeconds: number;
}

export interface QueueWiring {
    name: string;
    url: string;
    arn: string;
    visibilityTimeoutSeconds: number;
    /** MaximumMessageSize as the program set it (SQS's documented default when unset). */
    maxMessageBytes: number;
    /** From the redrive policy; undefined for a queue without one (the DLQ). */
    redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export interface TableWiring extends TableSchema {
    name: string;
}

export interface ContainerDefinition {
    name: string;
    image: string;
    user?: string;
    environment: { name: string; value: string }[];
}

export interface PipelineWiring {
    stack: string;
    environment: string;
    region: string;
    accountId: string;
    bucket: string;
    proofPrefix: string;
    tables: TableWiring[];
    workQueue: QueueWiring;
    deadLetterQueue: QueueWiring;
    /** The SQS event source mapping of the work queue. */
    eventSource: { queueArn: string; functionArn: string; batchSize: number; reportBatchItemFailures: boolean };
    stateMachine: { arn: string; definition: StateMachineDefinition };
    /** EventBridge rules with an event pattern, and the ARNs of their targets. */
    eventRules: { name: string; pattern: Record<string, unknown>; targetArns: string[] }[];
    clusterArn: string;
    taskDefinition: { arn: string; container: ContainerDefinition };
    ecrRepositoryName: string;
    functions: Record<FunctionRole, FunctionWiring>;
    /** The verifier-service-runner, when the stack verifies proofs. */
    verifier?: FunctionWiring;
    /** SSM parameters by name: what `GetParameter` would answer. */
    parameters: Record<string, { type: string; value: string }>;
}

/** A registered resource: its inputs exactly as the program set them. */
export interface SynthesizedResource {
    type: string;
    name: string;
    inputs: Readonly<Record<string, unknown>>;
}

/** What the wiring reads from an offline synthesis (scripts/lib/synthesize.ts's SynthResult is one). */
export interface SynthesizedStack {
    stack: string;
    resources: readonly SynthesizedResource[];
    outputs: Readonly<Record<string, unknown>>;
    /** The account the mocks played, so computed attributes are derived as the mocks did. */
    account: MockAccount;
}

/** Reads one input, failing with the resource and key when it is missing or of another type. */
function input<T extends "string" | "number" | "object">(
    resource: SynthesizedResource,
    key: string,
    kind: T,
): T extends "string" ? string : T extends "number" ? number : Record<string, unknown> {
    const value = resource.inputs[key];
    if (typeof value !== kind || value === null) throw new Error(`${resource.type} ${resource.name}: input ${key} is not a ${kind} (${JSON.stringify(value)})`);
    return value as T extends "string" ? string : T extends "number" ? number : Record<string, unknown>;
}

/** An optional input: undefined when unset, else as `input`. */
function optionalInput<T extends "string" | "number" | "object">(resource: SynthesizedResource, key: string, kind: T) {
    return resource.inputs[key] === undefined ? undefined : input(resource, key, kind);
}

export function pipelineWiring(result: SynthesizedStack): PipelineWiring {
    const environment = String(result.outputs.environment);
    const computed = (resource: SynthesizedResource) => {
        const state: Record<string, unknown> = mockState(resource.type, resource.name, { ...resource.inputs }, result.account).state;
        return { arn: String(state.arn), url: String(state.url) };
    };
    const ofType = (type: string) => result.resources.filter((r) => r.type === type);
    const byName = (type: string, name: string) => only(ofType(type).filter((r) => r.inputs.name === name), type, `name ${name}`, ofType(type));

    const queue = (name: string): QueueWiring => {
        const resource = byName("aws:sqs/queue:Queue", name);
        const state = computed(resource);
        const redrivePolicy = optionalInput(resource, "redrivePolicy", "string");
        const redrive = redrivePolicy === undefined ? undefined : (JSON.parse(redrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number });
        return {
            name,
            url: state.url,
            arn: state.arn,
            visibilityTimeoutSeconds: optionalInput(resource, "visibilityTimeoutSeconds", "number") ?? 30,
            // 262,144 bytes when unset: https://www.pulumi.com/registry/packages/aws/api-docs/sqs/queue/#maxmessagesize_nodejs
            maxMessageBytes: optionalInput(resource, "maxMessageSize", "number") ?? 262144,
            redrive: redrive && { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount },
        };
    };
    const functionWiring = (role: FunctionRole | typeof VERIFIER_ROLE): FunctionWiring => {
        const resource = byName("aws:lambda/function:Function", physicalName(role, environment));
        return {
            name: input(resource, "name", "string"),
            arn: computed(resource).arn,
            environment: { ...((optionalInput(resource, "environment", "object")?.variables ?? {}) as Record<string, string>) },
            timeoutSeconds: optionalInput(resource, "timeout", "number") ?? 3,
        };
    };

    const stateMachine = only(ofType("aws:sfn/stateMachine:StateMachine"), "state machine", "the stack", []);
    const taskDefinition = only(ofType("aws:ecs/taskDefinition:TaskDefinition"), "task definition", "the stack", []);
    const containers = JSON.parse(input(taskDefinition, "containerDefinitions", "string")) as ContainerDefinition[];
    const mapping = only(ofType("aws:lambda/eventSourceMapping:EventSourceMapping"), "event source mapping", "the stack", []);
    const workQueue = queue(physicalName("prover-work", environment));

    return {
        stack: result.stack,
        environment,
        region: result.account.region,
        accountId: result.account.accountId,
        bucket: String(result.outputs.proofBundleBucketName),
        proofPrefix: String(result.outputs.proofPrefix),
        tables: ofType("aws:dynamodb/table:Table").map(tableWiring),
        workQueue,
        deadLetterQueue: queue(physicalName("prover-work-dlq", environment)),
        eventSource: {
            queueArn: input(mapping, "eventSourceArn", "string"),
            functionArn: input(mapping, "functionName", "string"),
            // AWS's default for an SQS source when the program leaves it unset.
            batchSize: optionalInput(mapping, "batchSize", "number") ?? 10,
            reportBatchItemFailures: ((mapping.inputs.functionResponseTypes ?? []) as string[]).includes("ReportBatchItemFailures"),
        },
        stateMachine: { arn: computed(stateMachine).arn, definition: JSON.parse(input(stateMachine, "definition", "string")) as StateMachineDefinition },
        eventRules: ofType("aws:cloudwatch/eventRule:EventRule")
            .filter((rule) => rule.inputs.eventPattern !== undefined)
            .map((rule) => ({
                name: input(rule, "name", "string"),
                pattern: JSON.parse(input(rule, "eventPattern", "string")) as Record<string, unknown>,
                targetArns: ofType("aws:cloudwatch/eventTarget:EventTarget")
                    .filter((t) => t.inputs.rule === rule.inputs.name)
                    .map((t) => input(t, "arn", "string")),
            })),
        clusterArn: computed(only(ofType("aws:ecs/cluster:Cluster"), "cluster", "the stack", [])).arn,
        taskDefinition: {
            arn: computed(taskDefinition).arn,
            container: only(containers.filter((c) => c.name === PROVER_CONTAINER_NAME), "container", `name ${PROVER_CONTAINER_NAME}`, containers),
        },
        ecrRepositoryName: input(only(ofType("aws:ecr/repository:Repository"), "ECR repository", "the stack", []), "name", "string"),
        functions: Object.fromEntries(FUNCTION_ROLES.map((role) => [role, functionWiring(role)])) as Record<FunctionRole, FunctionWiring>,
        ...(ofType("aws:lambda/function:Function").some((r) => r.inputs.name === physicalName(VERIFIER_ROLE, environment))
            ? { verifier: functionWiring(VERIFIER_ROLE) }
            : {}),
        parameters: Object.fromEntries(
            ofType("aws:ssm/parameter:Parameter").map((p) => [input(p, "name", "string"), { type: input(p, "type", "string"), value: revealSecret(p.inputs.value ?? p.inputs.insecureValue) }]),
        ),
    };
}

function tableWiring(resource: SynthesizedResource): TableWiring {
    const attributes = resource.inputs.attributes as KeyAttribute[];
    const key = (name: string) => {
        const attribute = attributes.find((a) => a.name === name);
        if (!attribute) throw new Error(`table ${String(resource.inputs.name)}: key ${name} has no attribute definition`);
        return attribute;
    };
    return {
        name: input(resource, "name", "string"),
        hashKey: key(input(resource, "hashKey", "string")),
        ...(resource.inputs.rangeKey === undefined ? {} : { rangeKey: key(input(resource, "rangeKey", "string")) }),
    };
}

/** The mocks see a secret input in Pulumi's wire form `{[specialSigKey]: specialSecretSig, value}`. */
function revealSecret(value: unknown): string {
    if (value !== null && typeof value === "object") {
        const wire = value as Record<string, unknown>;
        if (wire[specialSigKey] === specialSecretSig) return String(wire.value);
    }
    return String(value);
}

function only<T>(found: T[], what: string, where: string, candidates: readonly { name: string; inputs?: Readonly<Record<string, unknown>> }[]): T {
    if (found.length !== 1) {
        const names = candidates.map((c) => c.inputs?.name ?? c.name).join(", ") || "none";
        throw new Error(`expected one ${what} for ${where}, found ${found.length} (have: ${names})`);
    }
    return found[0];
}
