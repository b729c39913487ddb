/**
 * Which environment a stack deploys. A stack is free to have any name (personal stacks pick one of
 * the two environments), so the stack name proves nothing. The pack reads, in order:
 *   1. the policy's `environment` config (a `--policy-pack-config` file), when an operator pins it;
 *   2. the `Environment` tag of the AWS provider's `defaultTags`, which SPEC §3 makes mandatory in
 *      every stack's config, so every resource of the stack is tagged with it.
 * If providers disagree, `main` wins: a guardrail must not relax because of an ambiguity.
 */
import { ENVIRONMENTS, Environment, Props, StackResource } from "./types";
import { isRecord, parseJsonValue } from "./values";

export function isEnvironment(value: unknown): value is Environment {
    return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** The `Environment` default tag of an AWS provider's properties (config values arrive as JSON strings). */
export function environmentTagOf(providerProps: Props): string | undefined {
    const defaultTags = parseJsonValue(providerProps.defaultTags);
    if (!isRecord(defaultTags)) return undefined;
    const tags = parseJsonValue(defaultTags.tags);
    const value = isRecord(tags) ? tags.Environment : undefined;
    return typeof value === "string" ? value : undefined;
}

const isAwsProvider = (type: string) => type === "pulumi:providers:aws";

export function resolveEnvironment(config: Record<string, unknown>, resources: readonly StackResource[]): Environment | undefined {
    if (isEnvironment(config.environment)) return config.environment;
    const providerProps = [
        ...resources.filter((r) => isAwsProvider(r.type)).map((r) => r.props),
        ...resources.map((r) => r.providerProps).filter((p): p is Props => p !== undefined),
    ];
    const found = new Set(providerProps.map(environmentTagOf).filter(isEnvironment));
    if (found.has("main")) return "main";
    return found.has("develop") ? "develop" : undefined;
}
