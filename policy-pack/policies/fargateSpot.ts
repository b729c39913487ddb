/**
 * Class (b): Fargate Spot for an ARM64 task. AWS: "Linux tasks with the ARM64 architecture don't
 * support the Fargate Spot capacity provider. Fargate Spot only supports Linux tasks with the
 * X86_64 architecture." Every RunTask of such a task on FARGATE_SPOT fails; a cluster that offers
 * FARGATE_SPOT while every task of the stack is ARM64 offers something nothing can use.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
 */
import { StackResource, StackRule, StackViolation } from "../lib/types";
import { asArray, isRecord, knownValue, parseJsonValue } from "../lib/values";
import { TASK_DEFINITION_TYPE } from "./ecs";

export const STATE_MACHINE_TYPE = "aws:sfn/stateMachine:StateMachine";
export const ECS_SERVICE_TYPE = "aws:ecs/service:Service";
export const CLUSTER_CAPACITY_PROVIDERS_TYPE = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";
const SPOT = "FARGATE_SPOT";
const SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html";

/** `arn:...:task-definition/<family>:<rev>`, `<family>:<rev>` or `<family>` -> family. */
export function taskDefinitionFamily(reference: unknown): string | undefined {
    if (typeof reference !== "string" || reference === "") return undefined;
    const last = reference.split("/").pop() ?? "";
    return last.split(":")[0] || undefined;
}

/** Family -> CPU architecture (ECS's default is X86_64). */
function architectures(resources: readonly StackResource[]): Map<string, string> {
    const byFamily = new Map<string, string>();
    for (const td of resources.filter((r) => r.type === TASK_DEFINITION_TYPE)) {
        const family = knownValue(td.props, "family");
        if (typeof family !== "string") continue;
        const platform = parseJsonValue(knownValue(td.props, "runtimePlatform"));
        const arch = isRecord(platform) && typeof platform.cpuArchitecture === "string" ? platform.cpuArchitecture : "X86_64";
        byFamily.set(family, arch.toUpperCase());
    }
    return byFamily;
}

const usesSpot = (strategy: unknown, key: string) =>
    asArray(strategy as unknown).some((s) => isRecord(s) && s[key] === SPOT);

/** Every state of an ASL definition, including those of Parallel branches and Map iterators. */
function allStates(definition: unknown): Array<[string, Record<string, any>]> {
    if (!isRecord(definition) || !isRecord(definition.States)) return [];
    const out: Array<[string, Record<string, any>]> = [];
    for (const [name, state] of Object.entries(definition.States)) {
        if (!isRecord(state)) continue;
        out.push([name, state]);
        for (const branch of asArray(state.Branches as unknown)) out.push(...allStates(branch));
        out.push(...allStates(state.Iterator), ...allStates(state.ItemProcessor));
    }
    return out;
}

export function checkFargateSpotArchitecture(resources: readonly StackResource[]): StackViolation[] {
    const arch = architectures(resources);
    const isArm = (reference: unknown) => {
        const family = taskDefinitionFamily(reference);
        return family !== undefined && arch.get(family) === "ARM64";
    };
    const violations: StackViolation[] = [];
    const message = (what: string, family: string | undefined) =>
        `${what} runs ARM64 task definition ${family} on ${SPOT}, which runs only X86_64 Linux tasks: every RunTask fails (AWS: "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider" ${SOURCE})`;

    for (const machine of resources.filter((r) => r.type === STATE_MACHINE_TYPE)) {
        for (const [name, state] of allStates(parseJsonValue(knownValue(machine.props, "definition")))) {
            if (typeof state.Resource !== "string" || !/:states:::ecs:runTask/.test(state.Resource)) continue;
            const params = isRecord(state.Parameters) ? state.Parameters : isRecord(state.Arguments) ? state.Arguments : {};
            if (usesSpot(params.CapacityProviderStrategy, "CapacityProvider") && isArm(params.TaskDefinition)) {
                violations.push({ urn: machine.urn, message: message(`state "${name}"`, taskDefinitionFamily(params.TaskDefinition)) });
            }
        }
    }
    for (const service of resources.filter((r) => r.type === ECS_SERVICE_TYPE)) {
        const taskDefinition = knownValue(service.props, "taskDefinition");
        if (usesSpot(knownValue(service.props, "capacityProviderStrategies"), "capacityProvider") && isArm(taskDefinition)) {
            violations.push({ urn: service.urn, message: message("service", taskDefinitionFamily(taskDefinition)) });
        }
    }
    const families = [...arch.values()];
    if (families.length > 0 && families.every((a) => a === "ARM64")) {
        for (const cluster of resources.filter((r) => r.type === CLUSTER_CAPACITY_PROVIDERS_TYPE)) {
            if (asArray(knownValue(cluster.props, "capacityProviders")).includes(SPOT)) {
                violations.push({
                    urn: cluster.urn,
                    message: `cluster offers ${SPOT}, but every task definition of the stack is ARM64, which Fargate Spot does not run (${SOURCE}): offer FARGATE only`,
                });
            }
        }
    }
    return violations;
}

export const fargateSpotRules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "ecs-fargate-spot-x86-only",
        description: "Nothing runs an ARM64 task on Fargate Spot, and no cluster offers FARGATE_SPOT when every task of the stack is ARM64.",
        enforcementLevel: "mandatory",
        check: checkFargateSpotArchitecture,
    },
];
