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
import { mockState } from "../offline/mockCloud";
import type { SynthResource, SynthResult } from "../offline/synthResult";

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

export function pipelineWiring(result: SynthResult): PipelineWiring {
    const environment = String(result.outputs.environment);
    const computed = (resource: SynthResource) => mockState(resource.type, resource.name, resource.inputs, result.account).state;
    const ofType = (type: string) => result.resources.filter((r) => r.type === type);
    const byName = (type: string, name: string) => only(ofType(type).filter((r) => r.inputs.name === name), type, `name ${name}`, ofType(type));

    const queue = (name: string): QueueWiring => {
        const resource = byName("aws:sqs/queue:Queue", name);
        const state = computed(resource);
        const redrive = resource.inputs.redrivePolicy === undefined ? undefined : JSON.parse(resource.inputs.redrivePolicy);
        return {
            name,
            url: state.url,
            arn: state.arn,
            visibilityTimeoutSeconds: resource.inputs.visibilityTimeoutSeconds ?? 30,
            // 262,144 bytes when unset: https://www.pulumi.com/registry/packages/aws/api-docs/sqs/queue/#maxmessagesize_nodejs
            maxMessageBytes: resource.inputs.maxMessageSize ?? 262144,
            redrive: redrive && { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount },
        };
    };
    const functionWiring = (role: FunctionRole | typeof VERIFIER_ROLE): FunctionWiring => {
        const resource = byName("aws:lambda/function:Function", physicalName(role, environment));
        return {
            name: resource.inputs.name,
            arn: computed(resource).arn,
            environment: { ...(resource.inputs.environment?.variables ?? {}) },
            timeoutSeconds: resource.inputs.timeout ?? 3,
        };
    };

    const stateMachine = only(ofType("aws:sfn/stateMachine:StateMachine"), "state machine", "the stack", []);
    const taskDefinition = only(ofType("aws:ecs/taskDefinition:TaskDefinition"), "task definition", "the stack", []);
    const containers = JSON.parse(taskDefinition.inputs.containerDefinitions) as ContainerDefinition[];
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
            queueArn: mapping.inputs.eventSourceArn,
            functionArn: mapping.inputs.functionName,
            // AWS's default for an SQS source when the program leaves it unset.
            batchSize: mapping.inputs.batchSize ?? 10,
            reportBatchItemFailures: (mapping.inputs.functionResponseTypes ?? []).includes("ReportBatchItemFailures"),
        },
        stateMachine: { arn: computed(stateMachine).arn, definition: JSON.parse(stateMachine.inputs.definition) },
        eventRules: ofType("aws:cloudwatch/eventRule:EventRule")
            .filter((rule) => rule.inputs.eventPattern !== undefined)
            .map((rule) => ({
                name: rule.inputs.name,
                pattern: JSON.parse(rule.inputs.eventPattern),
                targetArns: ofType("aws:cloudwatch/eventTarget:EventTarget")
                    .filter((t) => t.inputs.rule === rule.inputs.name)
                    .map((t) => t.inputs.arn),
            })),
        clusterArn: computed(only(ofType("aws:ecs/cluster:Cluster"), "cluster", "the stack", [])).arn,
        taskDefinition: {
            arn: computed(taskDefinition).arn,
            container: only(containers.filter((c) => c.name === PROVER_CONTAINER_NAME), "container", `name ${PROVER_CONTAINER_NAME}`, containers),
        },
        ecrRepositoryName: only(ofType("aws:ecr/repository:Repository"), "ECR repository", "the stack", []).inputs.name,
        functions: Object.fromEntries(FUNCTION_ROLES.map((role) => [role, functionWiring(role)])) as Record<FunctionRole, FunctionWiring>,
        ...(ofType("aws:lambda/function:Function").some((r) => r.inputs.name === physicalName(VERIFIER_ROLE, environment))
            ? { verifier: functionWiring(VERIFIER_ROLE) }
            : {}),
        parameters: Object.fromEntries(
            ofType("aws:ssm/parameter:Parameter").map((p) => [p.inputs.name, { type: p.inputs.type, value: revealSecret(p.inputs.value ?? p.inputs.insecureValue) }]),
        ),
    };
}

function tableWiring(resource: SynthResource): TableWiring {
    const attributes = resource.inputs.attributes as KeyAttribute[];
    const key = (name: string) => {
        const attribute = attributes.find((a) => a.name === name);
        if (!attribute) throw new Error(`table ${resource.inputs.name}: key ${name} has no attribute definition`);
        return attribute;
    };
    return {
        name: resource.inputs.name,
        hashKey: key(resource.inputs.hashKey),
        ...(resource.inputs.rangeKey === undefined ? {} : { rangeKey: key(resource.inputs.rangeKey) }),
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

function only<T>(found: T[], what: string, where: string, candidates: { name: string; inputs?: Record<string, any> }[]): T {
    if (found.length !== 1) {
        const names = candidates.map((c) => c.inputs?.name ?? c.name).join(", ") || "none";
        throw new Error(`expected one ${what} for ${where}, found ${found.length} (have: ${names})`);
    }
    return found[0];
}
