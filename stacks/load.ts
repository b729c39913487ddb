/**
 * Reads the stack's Pulumi configuration once into frozen, validated settings.
 * The only module that touches `pulumi.Config` for project settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_NAME } from "../builders/names";
import {
    CONFIG_KEYS,
    OPTIONAL_SECRET_CONFIG_KEYS,
    OptionalSecretConfigKey,
    RawStackConfig,
    SECRET_CONFIG_KEYS,
    SecretConfigKey,
    StackSettings,
    parseStackConfig,
} from "./config";

const AWS_KEYS = ["region", "allowedAccountIds", "defaultTags"] as const;

/**
 * Whether the engine marked a key secret. Exported by the runtime but missing from its typings;
 * the CLI passes the list in PULUMI_CONFIG_SECRET_KEYS and `setAllConfig(config, secretKeys)` does too.
 */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

/** Structured config values arrive as JSON text; plain strings stay strings. */
export function decodeConfigValue(value: string | undefined): unknown {
    if (value === undefined) return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Every key of the given namespace that the stack sets (so unknown keys can be reported). */
function keysIn(namespace: string): string[] {
    const prefix = `${namespace}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
}

export function readRawStackConfig(): RawStackConfig {
    const project: Record<string, unknown> = {};
    const secretsPresent: string[] = [];
    const projectKeys = new Set<string>([...CONFIG_KEYS, ...keysIn(PROJECT_NAME)]);
    for (const key of projectKeys) {
        const fullKey = `${PROJECT_NAME}:${key}`;
        const value = pulumi.runtime.getConfig(fullKey);
        if (value === undefined) continue;
        const secretKey = (SECRET_CONFIG_KEYS as readonly string[]).includes(key) || (OPTIONAL_SECRET_CONFIG_KEYS as readonly string[]).includes(key);
        if (secretKey && isConfigSecret(fullKey)) {
            secretsPresent.push(key);
            continue;
        }
        project[key] = decodeConfigValue(value);
    }
    const aws: Record<string, unknown> = {};
    for (const key of AWS_KEYS) aws[key] = decodeConfigValue(pulumi.runtime.getConfig(`aws:${key}`));
    return { stack: pulumi.getStack(), project, aws, secretsPresent };
}

/** Validated settings of the current stack; throws StackConfigError listing every problem. */
export function loadStackSettings(): StackSettings {
    return parseStackConfig(readRawStackConfig());
}

/** A secret's value, kept secret in every output it flows into. */
export function secretConfig(key: SecretConfigKey | OptionalSecretConfigKey): pulumi.Output<string> {
    return new pulumi.Config(PROJECT_NAME).requireSecret(key);
}
