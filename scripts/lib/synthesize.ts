/**
 * Synthesizes a stack offline, the way `pulumi preview` would run the program, but against runtime
 * mocks: reads `Pulumi.<stack>.yaml`, sets it as the stack's configuration, imports `index.ts` and
 * records every resource registration (type, name, inputs, parent, `protect`) and provider call.
 *
 * Used by the tests and by `npm run plan`. It reaches the program only through the stack config and
 * `index.ts`, as a user does. One synthesis runs at a time (the Pulumi runtime state is global).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { PROJECT_NAME } from "../../builders/names";
import { SECRET_CONFIG_KEYS } from "../../stacks/config";
import { MockAccount, RecordedResource, createMocks } from "../../offline/mockCloud";
import type { SynthResource, SynthResult } from "../../offline/synthResult";

export type { SynthResource, SynthResult };
import { applyProjectConfig, readProjectFile } from "./projectConfig";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

export interface SynthOptions {
    /**
     * Config changes on top of the stack file, by full key (`stark-ballot-simulator:networkMode`);
     * `undefined` removes a key. Structured values are given as objects.
     */
    configOverrides?: Record<string, unknown>;
    /** Secrets to set (full key to value); they are marked secret like `pulumi config set --secret`. */
    secrets?: Record<string, string>;
    /**
     * Fill required application secrets the stack file does not hold with placeholders, so the
     * committed stacks synthesize without their passphrase. Default: true.
     */
    placeholderSecrets?: boolean;
    /** The ARN getCallerIdentity reports. Default: an assumed deployer role in the stack's account. */
    callerArn?: string;
    /**
     * The region the provider reports (getRegion, and the region of computed ARNs), as when
     * AWS_REGION or an explicit provider points elsewhere. Default: the stack's aws:region.
     */
    providerRegion?: string;
    /** Directory holding the stack files. Default: the project root. */
    stackConfigDir?: string;
}

export interface StackFileConfig {
    config: Record<string, string>;
    secretKeys: string[];
    /** Keys whose value is structured (a YAML list or map): the CLI checks declared types on the decoded JSON. */
    objectKeys: string[];
}

/** A stack file's `config:` map as the CLI hands it to the program: structured values as JSON text. */
export function readStackFile(stack: string, dir = PROJECT_ROOT): StackFileConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${file}`);
    const parsed = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const objectKeys: string[] = [];
    for (const [key, value] of Object.entries(parsed.config ?? {})) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            // Ciphertext cannot be decrypted offline; the key is present and secret, which is what
            // the program checks. The value is never printed.
            config[key] = "offline-ciphertext-placeholder";
            secretKeys.push(key);
            continue;
        }
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (value !== null && typeof value === "object") objectKeys.push(key);
    }
    return { config, secretKeys, objectKeys };
}

function applyOverrides(base: StackFileConfig, options: SynthOptions): StackFileConfig {
    const config = { ...base.config };
    const secretKeys = new Set(base.secretKeys);
    const objectKeys = new Set(base.objectKeys);
    for (const [key, value] of Object.entries(options.configOverrides ?? {})) {
        objectKeys.delete(key);
        if (value === undefined) {
            delete config[key];
            secretKeys.delete(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
            if (value !== null && typeof value === "object") objectKeys.add(key);
        }
    }
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
        config[key] = value;
        secretKeys.add(key);
        objectKeys.delete(key);
    }
    return { config, secretKeys: [...secretKeys], objectKeys: [...objectKeys] };
}

function mockAccountFor(config: Record<string, string>, callerArn?: string, providerRegion?: string): MockAccount {
    let accountId = "123456789012";
    try {
        const ids = JSON.parse(config["aws:allowedAccountIds"] ?? "[]");
        if (Array.isArray(ids) && typeof ids[0] === "string") accountId = ids[0];
    } catch {
        // The program reports the malformed key; the mock only needs some account.
    }
    return {
        accountId,
        region: providerRegion ?? config["aws:region"] ?? "ap-northeast-1",
        partition: "aws",
        callerArn: callerArn ?? `arn:aws:sts::${accountId}:assumed-role/${PROJECT_NAME}-deployer/offline`,
    };
}

let running = false;
let lastRegistrations = () => 0;

export async function synthesizeStack(stack: string, options: SynthOptions = {}): Promise<SynthResult> {
    if (running) throw new Error("synthesizeStack: one synthesis at a time (the Pulumi runtime is process-global)");
    running = true;
    // A failure before this synthesis registers anything must not report the previous one's count.
    lastRegistrations = () => 0;
    const started = process.hrtime.bigint();
    try {
        // As the CLI does before it starts the program: the stack's values, then Pulumi.yaml's
        // declarations (required keys, types, defaults), which may stop here with the CLI's message.
        const stackValues = applyOverrides(readStackFile(stack, options.stackConfigDir), options);
        const { config, secretKeys: appliedSecretKeys } = applyProjectConfig(stack, readProjectFile(PROJECT_ROOT), stackValues);
        const secretKeys = [...appliedSecretKeys];
        const placeholderSecrets: string[] = [];
        if (options.placeholderSecrets ?? true) {
            for (const key of SECRET_CONFIG_KEYS) {
                const fullKey = `${PROJECT_NAME}:${key}`;
                if (config[fullKey] === undefined) {
                    config[fullKey] = `offline-placeholder-${key}`;
                    secretKeys.push(fullKey);
                    placeholderSecrets.push(key);
                }
            }
        }

        // Each registration records its source position from an unbounded `new Error().stack`, which
        // ts-node's source-map support then maps frame by frame: about 0.6 s of a develop synthesis.
        // The engine shows positions in diagnostics; the mocks ignore them, so offline they are skipped.
        skipSourcePositions();

        const sink = { resources: [] as RecordedResource[], invokes: [] as string[] };
        lastRegistrations = () => sink.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
        const account = mockAccountFor(config, options.callerArn, options.providerRegion);
        pulumi.runtime.setMocks(createMocks(account, sink), PROJECT_NAME, stack, false);
        pulumi.runtime.setAllConfig(config, secretKeys);

        const registered = new Map<pulumi.Resource, { urn: string }>();
        const options_ = new Map<string, { protect: boolean; parent?: string; dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined; resource: pulumi.Resource }>();
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            // Resource options never reach the mocks: a stack transformation sees them on the way.
            pulumi.runtime.registerStackTransformation((args) => {
                const urn = `${args.type}::${args.name}`;
                registered.set(args.resource, { urn });
                const parent = args.opts.parent ? registered.get(args.opts.parent)?.urn : undefined;
                options_.set(urn, { protect: args.opts.protect === true, parent, dependsOn: args.opts.dependsOn, resource: args.resource });
                return undefined;
            });
            delete require.cache[require.resolve(PROGRAM)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return await require(PROGRAM);
        });
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs?.();

        const resources: SynthResource[] = await Promise.all(
            sink.resources
                .filter((r) => r.type !== "pulumi:pulumi:Stack")
                .map(async (r) => {
                    const urn = `${r.type}::${r.name}`;
                    const o = options_.get(urn);
                    const dependsOn = await resolveDependsOn(o?.dependsOn, registered);
                    const pulumiUrn = o ? await resolve(o.resource.urn) : "";
                    return { type: r.type, name: r.name, urn, inputs: r.inputs, protect: o?.protect ?? false, parent: o?.parent, dependsOn, pulumiUrn, custom: !r.type.startsWith("stark:") };
                }),
        );
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        return { stack, resources, outputs: await unwrap(outputs), invokes: sink.invokes, placeholderSecrets, account, durationMs };
    } catch (e) {
        // Tells callers (and tests) whether the program failed before registering anything.
        if (e instanceof Error) Object.assign(e, { registeredResources: lastRegistrations() });
        throw e;
    } finally {
        restoreSourcePositions();
        running = false;
    }
}

type ResourceStatics = { callsites(): unknown[] };
const resourceStatics = pulumi.Resource as unknown as ResourceStatics;
const originalCallsites = resourceStatics.callsites;
function skipSourcePositions(): void {
    resourceStatics.callsites = () => [];
}
function restoreSourcePositions(): void {
    resourceStatics.callsites = originalCallsites;
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((done) => output.apply((v) => done(v)));
}

/** The `dependsOn` option (a resource, a list, or Outputs of either) as the `urn`s of its resources. */
async function resolveDependsOn(
    dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
    registered: Map<pulumi.Resource, { urn: string }>,
): Promise<string[]> {
    // Not pulumi.output(): it would walk into the resources' own Outputs.
    const plain = async <T>(v: pulumi.Input<T>): Promise<T> => (pulumi.Output.isInstance(v) ? resolve(v as pulumi.Output<T>) : (v as T));
    if (dependsOn === undefined) return [];
    const top = await plain<pulumi.Input<pulumi.Resource>[] | pulumi.Resource>(dependsOn);
    const list = await Promise.all((Array.isArray(top) ? top : [top]).map((d) => plain<pulumi.Resource>(d)));
    return list.map((d) => registered.get(d)?.urn ?? "<unregistered>");
}

/** Stack outputs may still hold Outputs (and secrets): resolve them to plain values. */
async function unwrap(value: unknown): Promise<Record<string, unknown>> {
    const output = pulumi.output(value as Record<string, unknown>) as pulumi.Output<unknown>;
    const resolved = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    return (resolved ?? {}) as Record<string, unknown>;
}
