/**
 * Synthesizes a bootstrap stack (bootstrap/Pulumi.<stack>.yaml) offline against runtime mocks, the
 * way synthesize.ts does for the app stacks: reads the stack file, sets it as the configuration of
 * project stark-ballot-simulator-bootstrap, imports bootstrap/index.ts and records every registration.
 * The bootstrap's own resource types get the ARNs AWS would give them; the rest come from mockCloud.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BOOTSTRAP_PROJECT } from "../../bootstrap/config";
import { type MockAccount, type RecordedResource, createMocks } from "../../offline/mockCloud";
import { PROJECT_ROOT, readStackFile } from "./synthesize";

export const BOOTSTRAP_ROOT = path.join(PROJECT_ROOT, "bootstrap");
const PROGRAM = path.join(BOOTSTRAP_ROOT, "index.ts");

export interface BootstrapResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    protect: boolean;
    parent?: string;
    custom: boolean;
}

export interface BootstrapSynthResult {
    stack: string;
    resources: BootstrapResource[];
    outputs: Record<string, unknown>;
    invokes: string[];
    account: MockAccount;
}

/** Computed outputs of the bootstrap's own types (documented ARN formats). */
function bootstrapState(type: string, inputs: Record<string, any>, a: MockAccount): { id: string; state: Record<string, any> } | undefined {
    switch (type) {
        case "aws:signer/signingProfile:SigningProfile": {
            // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageSigningStatus.html (signingProfileArn pattern)
            const arn = `arn:${a.partition}:signer:${a.region}:${a.accountId}:/signing-profiles/${inputs.name}`;
            return { id: String(inputs.name), state: { ...inputs, arn, version: "abcdef1234", versionArn: `${arn}/abcdef1234`, status: "Active" } };
        }
        case "aws-native:ecr:SigningConfiguration":
            return { id: a.accountId, state: { ...inputs, registryId: a.accountId } };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const host = String(inputs.url).replace(/^https:\/\//, "");
            const arn = `arn:${a.partition}:iam::${a.accountId}:oidc-provider/${host}`;
            return { id: arn, state: { ...inputs, arn } };
        }
        default:
            return undefined;
    }
}

let running = false;

export async function synthesizeBootstrap(stack: string, options: { configOverrides?: Record<string, unknown> } = {}): Promise<BootstrapSynthResult> {
    if (running) throw new Error("synthesizeBootstrap: one synthesis at a time (the Pulumi runtime is process-global)");
    running = true;
    try {
        const { config, secretKeys } = readStackFile(stack, BOOTSTRAP_ROOT);
        for (const [key, value] of Object.entries(options.configOverrides ?? {})) {
            if (value === undefined) delete config[key];
            else config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
        let accountId = "123456789012";
        try {
            const ids = JSON.parse(config["aws:allowedAccountIds"] ?? "[]");
            if (Array.isArray(ids) && typeof ids[0] === "string") accountId = ids[0];
        } catch {
            // The program reports the malformed key.
        }
        const account: MockAccount = { accountId, region: config["aws:region"] ?? "ap-northeast-1", partition: "aws", callerArn: `arn:aws:sts::${accountId}:assumed-role/administrator/bootstrap` };
        const sink = { resources: [] as RecordedResource[], invokes: [] as string[] };
        const base = createMocks(account, sink);
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    const own = bootstrapState(args.type, args.inputs, account);
                    if (!own) return base.newResource(args);
                    sink.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                    return own;
                },
                call: (args) => base.call(args),
            },
            BOOTSTRAP_PROJECT,
            stack,
            false,
        );
        pulumi.runtime.setAllConfig(config, secretKeys);

        const registered = new Map<pulumi.Resource, string>();
        const opts = new Map<string, { protect: boolean; parent?: string }>();
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                const urn = `${args.type}::${args.name}`;
                registered.set(args.resource, urn);
                opts.set(urn, { protect: args.opts.protect === true, parent: args.opts.parent ? registered.get(args.opts.parent) : undefined });
                return undefined;
            });
            delete require.cache[require.resolve(PROGRAM)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return await require(PROGRAM);
        });
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs?.();
        const resources = sink.resources
            .filter((r) => r.type !== "pulumi:pulumi:Stack")
            .map((r) => {
                const o = opts.get(`${r.type}::${r.name}`);
                return { ...r, protect: o?.protect ?? false, parent: o?.parent, custom: !r.type.startsWith("stark:") };
            });
        const resolved = await new Promise<unknown>((resolve) => (pulumi.output(outputs as Record<string, unknown>) as pulumi.Output<unknown>).apply((v) => resolve(v)));
        return { stack, resources, outputs: (resolved ?? {}) as Record<string, unknown>, invokes: sink.invokes, account };
    } finally {
        running = false;
    }
}
