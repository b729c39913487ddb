/**
 * Task definitions: logs to CloudWatch, a non-root user, a read-only root filesystem and no
 * credentials in plain environment variables. `containerDefinitions` is a JSON string.
 */
import { looksLikeCredentialName } from "../lib/credentials";
import { resourceRule } from "../lib/rule";
import { Props, ResourceCheck, ResourceRule } from "../lib/types";
import { asArray, isNonEmptyString, isRecord, parseJsonValue } from "../lib/values";

export const TASK_DEFINITION_TYPE = "aws:ecs/taskDefinition:TaskDefinition";
const NOT_A_CONTAINER_LIST = "containerDefinitions is not a JSON list of containers";

type Container = Record<string, any>;

/** Runs `judge` on every container; a definition that cannot be read is itself a violation. */
function eachContainer(props: Props, judge: (container: Container, name: string) => string[]): string[] {
    const containers = parseJsonValue(props.containerDefinitions);
    if (!Array.isArray(containers) || !containers.every(isRecord)) return [NOT_A_CONTAINER_LIST];
    return containers.flatMap((c: Container, index) => judge(c, typeof c.name === "string" ? c.name : `#${index}`));
}

export function checkAwsLogs(_type: string, props: Props): string[] {
    return eachContainer(props, (c, name) =>
        c.logConfiguration?.logDriver === "awslogs" && isNonEmptyString(c.logConfiguration?.options?.["awslogs-group"])
            ? []
            : [`container "${name}" must send its logs to a log group with the awslogs log driver`],
    );
}

/** `root`, uid 0, or either with a group (`0:0`, `root:wheel`). */
const isRootUser = (user: string) => ["root", "0"].includes(user.split(":")[0].trim());

/**
 * Docker's default capabilities a root container must drop to pass: all but CHOWN, KILL, SETGID and
 * SETUID, which a runner needs to start its workload as another, unprivileged user (the prover's
 * credential isolation: prover/README.md). Fargate cannot add capabilities back, so they are dropped
 * by name. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
 */
export const ROOT_MUST_DROP = ["AUDIT_WRITE", "DAC_OVERRIDE", "FOWNER", "FSETID", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETPCAP", "SYS_CHROOT"];

/** The non-root uid:gid a root runner hands its workload to (`ZKVM_HOST_USER`), if the container names one. */
function workloadUser(c: Container): string | undefined {
    const variable = asArray(c.environment as unknown)
        .filter(isRecord)
        .find((v) => v.name === "ZKVM_HOST_USER");
    const value = variable?.value;
    return typeof value === "string" && /^[0-9]+:[0-9]+$/.test(value) && !value.split(":").includes("0") ? value : undefined;
}

/**
 * A container runs as a non-root user, or as root only to start its workload as one: every other
 * default capability dropped (ROOT_MUST_DROP), no capability added, and a non-root `ZKVM_HOST_USER`.
 */
export function checkNonRootUser(_type: string, props: Props): string[] {
    return eachContainer(props, (c, name) => {
        if (isNonEmptyString(c.user) && !isRootUser(c.user)) return [];
        if (!isNonEmptyString(c.user)) return [`container "${name}" must run as a non-root user (set "user")`];
        const dropped = asArray(c.linuxParameters?.capabilities?.drop as unknown).map(String);
        const added = asArray(c.linuxParameters?.capabilities?.add as unknown);
        const missing = ROOT_MUST_DROP.filter((cap) => !dropped.includes(cap) && !dropped.includes("ALL"));
        if (missing.length === 0 && added.length === 0 && workloadUser(c) !== undefined) return [];
        return [
            `container "${name}" must run as a non-root user (set "user"), or as root only to start its workload as one: ` +
                `drop ${ROOT_MUST_DROP.join(", ")}, add none, and set a non-root ZKVM_HOST_USER` +
                (missing.length > 0 ? ` (not dropped: ${missing.join(", ")})` : ""),
        ];
    });
}

export function checkReadonlyRootFilesystem(_type: string, props: Props): string[] {
    return eachContainer(props, (c, name) =>
        c.readonlyRootFilesystem === true ? [] : [`container "${name}" must set readonlyRootFilesystem: true`],
    );
}

export function checkNoPlaintextSecrets(_type: string, props: Props): string[] {
    return eachContainer(props, (c, name) =>
        asArray(c.environment as unknown)
            .filter(isRecord)
            .map((variable) => String(variable.name ?? ""))
            .filter(looksLikeCredentialName)
            .map((variable) => `container "${name}" passes credential-like variable "${variable}" in plain environment; use "secrets" (Secrets Manager or SSM Parameter Store)`),
    );
}

const taskRule = (name: string, description: string, check: ResourceCheck) => resourceRule(name, description, [TASK_DEFINITION_TYPE], check);

export const ecsRules: readonly ResourceRule[] = [
    taskRule("ecs-task-awslogs", "Every container sends its logs to CloudWatch Logs (awslogs driver).", checkAwsLogs),
    taskRule("ecs-task-non-root-user", "Every container runs as a non-root user, or as root only to start its workload as one (capabilities dropped).", checkNonRootUser),
    taskRule("ecs-task-read-only-root-filesystem", "Every container has a read-only root filesystem.", checkReadonlyRootFilesystem),
    taskRule("ecs-task-no-plaintext-secrets", "No container receives a credential through a plain environment variable.", checkNoPlaintextSecrets),
];
